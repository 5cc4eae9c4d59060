"""Commentary whose only Jinja is plain macro calls (`{{ kpi("roi") }}`, `{{ table("codes", limit=5) }}`):
`expand_calls` gives what the sandboxed Jinja environment renders, without compiling a template per text.

Anything else (other Jinja syntax, braces next to a call, an unknown macro, `\r`) gives None and the caller
renders the text with Jinja, which also reports errors with their line. tests/test_markup.py checks both ways
give the same text and call the same macros.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# a macro call Jinja would read as one: a name, a plain string, and maybe one whole number (by name or not)
_CALL = re.compile(r"""\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\([ \t\n]*(?:"([A-Za-z0-9_]*)"|'([A-Za-z0-9_]*)')"""
                   r"""[ \t\n]*(?:,[ \t\n]*(?:([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*=[ \t\n]*)?([1-9][0-9]*|0)[ \t\n]*)?\)"""
                   r"""[ \t\n]*\}\}""")


def expand_calls(source: str, macros: dict[str, Callable[..., str]]) -> str | None:
    """What the sandboxed Jinja environment renders `source` to, if it is only text and calls of `macros`
    that `_CALL` reads; None otherwise (then nothing was called)."""
    if "\r" in source:  # Jinja would turn \r\n into \n
        return None
    parts = _CALL.split(source)  # text, (name, "string", 'string', keyword, number), text, ...
    texts = parts[::6]
    if any("{" in t or "}" in t for t in texts):  # other Jinja syntax, or braces next to a call
        return None
    calls = [parts[i:i + 5] for i in range(1, len(parts), 6)]
    if any(name not in macros for name, *_rest in calls):
        return None
    out = [texts[0]]
    for (name, double, single, keyword, number), text in zip(calls, texts[1:]):
        args = [double if double is not None else single]
        kwargs = {}
        if number is not None:
            if keyword is None:
                args.append(int(number))
            else:
                kwargs[keyword] = int(number)
        out.append(str(macros[name](*args, **kwargs)))
        out.append(text)
    return "".join(out)
