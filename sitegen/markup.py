"""Commentary markdown with live macros: {{ kpi("roi") }}, {{ chart("likes_daily") }} and friends.

The text is first run through a sandboxed Jinja environment whose macros return opaque tokens,
then through markdown, and the tokens are swapped for the macros' HTML at the end, so markdown
never mangles a chart or a table and macros work inline and as blocks alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import markdown
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from sitegen.errors import SitegenError

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_TEMPLATE_FILE = "<template>"


class MacroError(Exception):
    """A macro was called with a name or argument it does not know."""


def render_commentary(source: str, path: Path, first_line: int,
                      macros: dict[str, Callable[..., str]]) -> Markup:
    if not source.strip():
        return Markup("")
    store: list[str] = []

    def tokenised(fn: Callable[..., str]) -> Callable[..., str]:
        def call(*args, **kwargs) -> str:
            store.append(fn(*args, **kwargs))
            return f"sgmacro{len(store) - 1}x"
        return call

    padded = "\n" * (first_line - 1) + source  # so Jinja's line numbers are the file's
    try:
        text = _ENV.from_string(padded).render({name: tokenised(fn) for name, fn in macros.items()})
    except TemplateSyntaxError as exc:
        raise SitegenError(f"commentary syntax error: {exc.message}", path, exc.lineno) from None
    except MacroError as exc:
        raise SitegenError(str(exc), path, _template_line(exc)) from None
    except (TemplateError, TypeError, ValueError) as exc:
        raise SitegenError(f"commentary error: {exc}", path, _template_line(exc)) from None
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    html = re.sub(r"<p>\s*sgmacro(\d+)x\s*</p>", lambda m: store[int(m[1])], html)
    return Markup(re.sub(r"sgmacro(\d+)x", lambda m: store[int(m[1])], html))


def _template_line(exc: BaseException) -> int | None:
    """The commentary line the error happened on, from Jinja's rewritten traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
