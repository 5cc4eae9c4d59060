"""Commentary markdown to HTML: `markdown_html(text)` is exactly
`markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")`, faster.

Instances are kept per thread and reset between texts (building one costs more than most texts), and a text
without any of the characters an inline pattern needs to match is converted by an instance without that
pattern, which would try every text node and match nothing. A pattern is left out only while its regex is
the one listed in `_INLINE_NEEDS` (a new Python-Markdown version with another regex keeps it).
tests/test_markup.py checks the HTML against a fresh `markdown.markdown` on random texts.
"""

from __future__ import annotations

import threading

import markdown

_MARKDOWN = threading.local()
# Python-Markdown's inline patterns that need one of these texts to match, with the regex that was checked
# for it: a text without them is converted by an instance without those patterns, which would try every
# text node of it and match nothing (the text nodes are the source's text, and placeholders of letters,
# digits and ':'; tabs and line ends are normalised, hence those for the line break). The same HTML, faster;
# a pattern whose regex is not the one listed here is never left out.
_INLINE_NEEDS = {
    "backtick": (("`",), "(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)"),
    "escape": (("\\",), "\\\\(.)"),
    "footnote": (("[",), "\\[\\^([^\\]]*)\\]"),
    "reference": (("[",), "(?<!\\!)\\["),
    "link": (("[",), "(?<!\\!)\\["),
    "image_link": (("[",), "\\!\\["),
    "image_reference": (("[",), "\\!\\["),
    "short_reference": (("[",), "(?<!\\!)\\["),
    "short_image_ref": (("[",), "\\!\\["),
    "autolink": (("<",), "<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"),
    "automail": (("<",), "<([^<> !]+@[^@<> ]+)>"),
    "linebreak": (("  ", "\t", "\r"), "  \\n"),
    "html": (("<",), "(<(\\/?+[a-zA-Z][^\\s\"'<>@]*+(?:\\s+[^\\s\"'=<>]++(?:\\s*+=\\s*+(?:\"[^\"]*+\"|'[^']*+'|"
                     "[^\\s\"'=<>]++))?+)*+\\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|"
                     "!\\[CDATA\\[(?:(?!<!\\[CDATA\\[|\\]\\]>).)*\\]\\])>)"),
    "entity": (("&",), "(&(?:\\#[0-9]+|\\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)"),
    "em_strong": (("*", "_"), "\\*|_"),
}
_NEEDED = sorted({needs for needs, _regex in _INLINE_NEEDS.values()})


def _markdown(unused: frozenset[tuple[str, ...]]) -> markdown.Markdown:
    """This thread's Markdown instance for texts without any of `unused`."""
    instances = getattr(_MARKDOWN, "instances", None)
    if instances is None:
        instances = _MARKDOWN.instances = {}
    md = instances.get(unused)
    if md is None:
        md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
        for name, (needs, regex) in _INLINE_NEEDS.items():
            if needs in unused and name in md.inlinePatterns and \
                    getattr(md.inlinePatterns[name], "compiled_re", None) is not None and \
                    md.inlinePatterns[name].compiled_re.pattern == regex:
                md.inlinePatterns.deregister(name)
        instances[unused] = md
    return md


def markdown_html(text: str) -> str:
    """markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html"), with Markdown
    instances kept per thread and reset between texts (building one costs more than most texts)."""
    unused = frozenset(needs for needs in _NEEDED if not any(n in text for n in needs))
    md = _markdown(unused)
    try:
        return md.reset().convert(text)
    except BaseException:
        _MARKDOWN.instances.pop(unused, None)  # an instance interrupted half-way is not used again
        raise
