"""Commentary expanded without Jinja, and markdown from a reused instance, are exactly what Jinja and a
fresh `markdown.markdown` give, errors and their lines included."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import SitegenError
from sitegen.render import markup
from sitegen.render.macro_calls import expand_calls
from sitegen.render.markdown_fast import markdown_html
from sitegen.render.markup import _ENV, MacroError, render_commentary

FRAGMENTS = [
    "text", " ", "\n", "\n\n", "**bold**", "- item\n", "1. one\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "# Head\n",
    '{{ kpi("roi") }}', "{{kpi('roas')}}", '{{ kpi(\n"spend"\n) }}', '{{ table("codes", limit=5) }}',
    "{{ table('codes', 2) }}", '{{ table("codes", limit=0) }}', '{{ table("codes", limit=05) }}',
    '{{ table("codes", lim=3) }}', '{{ chart("likes_daily") }}', '{{ chart("nope") }}', '{{ unknown("x") }}',
    '{{ kpi("a b") }}', '{{ kpi(roi) }}', "{{ kpi() }}", '{{- kpi("roi") -}}', "{", "}", "{%", "%}", "{#", "#}",
    "{{", "}}", "\r\n", '{{ kpi("roi") }}}', '{{{ kpi("roi") }}', "[^1]\n\n[^1]: note\n", "*[HTML]: Hyper\nHTML\n",
    "```\ncode {{ x }}\n```\n", "<div>html</div>\n", "é–\u00a0", '{{\u00a0kpi("roi") }}', '{{ kpi("roi", 1, 2) }}',
]


def macros(log: list):
    def make(name):
        def macro(*args, **kwargs):
            log.append((name, args, kwargs))
            if name == "chart" and args and args[0] == "nope":
                raise MacroError("unknown chart 'nope'")
            if name == "table" and kwargs.get("limit", 1) < 1:
                raise MacroError("table limit must be a whole number >= 1")
            if name == "kpi" and (len(args) != 1 or kwargs):
                raise TypeError("kpi() takes exactly one argument")
            return f"<{name} {args!r} {sorted(kwargs.items())!r} {len(log)}>"
        return macro
    return {name: make(name) for name in ("kpi", "delta", "chart", "table")}


def outcome(run):
    try:
        return run()
    except SitegenError as exc:
        return ("error", str(exc), exc.line if hasattr(exc, "line") else None)
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=12), first_line=st.integers(1, 4))
def test_expansion_is_jinjas(parts, first_line):
    source = "".join(parts)
    padded = "\n" * (first_line - 1) + source
    fast_log, jinja_log = [], []
    try:
        fast = expand_calls(padded, macros(fast_log))
    except Exception:
        fast = "error"
    jinja = outcome(lambda: _ENV.from_string(padded).render(macros(jinja_log)))
    if fast is None:
        assert fast_log == []  # nothing was called before it gave up
    elif fast == "error":
        assert isinstance(jinja, tuple)
    else:
        assert fast == jinja
        assert fast_log == jinja_log


def _macros_for_pages(log):
    found = macros(log)
    return {name: (lambda f: lambda *a, **k: str(f(*a, **k)))(fn) for name, fn in found.items()}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=10), first_line=st.integers(1, 4),
       sanitize=st.booleans())
def test_commentary_is_what_jinja_and_markdown_made(parts, first_line, sanitize):
    source = "".join(parts)
    got = outcome(lambda: str(render_commentary(source, Path("r.md"), first_line, _macros_for_pages([]),
                                                sanitize=sanitize)))
    with mock.patch.object(markup, "expand_calls", lambda source, macros: None):  # Jinja only
        want = outcome(lambda: str(render_commentary(source, Path("r.md"), first_line, _macros_for_pages([]),
                                                     sanitize=sanitize)))
    assert got == want


markdown_texts = st.lists(st.sampled_from([
    "para", "\n\n", "*em*", "[^n]", "[^n]: foot\n", "*[ABBR]: Abbreviation\n", "ABBR", "Term\n: Definition\n",
    "| x | y |\n|---|---|\n| 1 | 2 |\n", "```python\nx = 1\n```\n", "<div markdown=\"1\">*in*</div>\n", "{: #id }",
    "[link][ref]", "[ref]: http://example.com\n", "    code\n", "1. a\n2. b\n", "* a\n", "> quote\n", "<!-- c -->\n",
    "word", " ", "  ", "\n", "\t", "\r\n", "\r", "  \n", "a  ", "_u_", "__s__", "**b**", "*", "_", "`c`", "``", "\\*",
    "\\", "&amp;", "&", "&#169;", "<http://x.y>", "<a@b.c>", "<b>", "</b>", "<", ">", "[x](http://y)", "![i](j)",
    "[^1]", "[", "]", "!", "(", ")", "- a\n    - b\n", "| a |\n|---|\n| *b* |\n", "# H *e*\n", "\u00a0", "é",
]), max_size=12).map("".join)


@pytest.mark.slow  # 2,000 random texts: the fast lane leaves them out
@settings(max_examples=2000, deadline=None)
@given(texts=st.lists(markdown_texts, min_size=1, max_size=4))
def test_reused_markdown_is_fresh_markdown(texts):
    for text in texts:
        assert markdown_html(text) == markdown.markdown(text, extensions=["extra", "sane_lists"],
                                                        output_format="html")


def test_error_lines_survive_the_fast_path():
    calls = []
    with pytest.raises(SitegenError) as info:
        render_commentary("one\n\ntwo {{ chart('nope') }}\n", Path("r.md"), 5, _macros_for_pages(calls))
    assert "unknown chart" in str(info.value) and ":7" in str(info.value)


MARKER = "sgm0123456789ab"


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(st.sampled_from([
    f"{MARKER}t0x", f"{MARKER}t1x", f"{MARKER}t12x", f"<p>{MARKER}t2x</p>", f"<p> {MARKER}t0x\n</p>", "<p>", "</p>",
    "sgmfedcba987654t0x", "<p>sgmfedcba987654t1x</p>", "sgm0123456789", "t0x", "x", " ", "\n", "text", "sgm",
    "0123456789ab", "sgmgggggggggggggt0x"]), max_size=10))
def test_tokens_are_swapped_as_the_marker_regex_did(parts):
    import re

    from sitegen.render.markup import swap_tokens

    store = [f"<macro {i}>" for i in range(13)]
    html = "".join(parts)
    marker_regex = re.compile(rf"<p>\s*{MARKER}t(\d+)x\s*</p>|{MARKER}t(\d+)x")
    assert swap_tokens(html, MARKER, store) == marker_regex.sub(lambda m: store[int(m[1] or m[2])], html)
