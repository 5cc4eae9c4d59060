"""Hostile input gets bounded work and one line: commentary that asks for huge values or endless loops, and (below)
data files that inflate, hold too many cells or too long ones."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import REPORT, build, make_project

from sitegen.errors import SitegenError
from sitegen.render import commentary_sandbox
from sitegen.render.markup import render_commentary

TOO_BIG = "commentary asks for a value of more than 1,000,000 characters or items"


def _render(source: str, first_line: int = 1) -> str:
    return str(render_commentary(source, Path("r.md"), first_line, {"kpi": lambda name: f"<{name}>"}))


def _error(source: str, first_line: int = 1) -> str:
    with pytest.raises(SitegenError) as info:
        _render(source, first_line)
    return str(info.value)


@pytest.mark.parametrize("expression", [
    "'a' * 300000000", "300000000 * [1]", "'a' | center(300000000)", "'a'.center(300000000)", "'a'.zfill(300000000)",
    "'%300000000s' | format(1)", "'%300000000s' % 1", "'%999999s%999999s' % (1, 2)", "'{:>300000000}'.format(1)",
    "'{:{}}'.format(1, 300000000)", "'\\t'.expandtabs(300000000)", "('a' * 1000).replace('', 'b' * 1000)",
    "('a' * 1000) | replace('a', 'b' * 10000)", "('a\\n' * 400000) | indent(100, true)", "[1] | batch(10**9, 'x')",
    "('a ' * 400000) | wordwrap(1, wrapstring='b' * 100)", "[[1, 2], [3]] | tojson(indent=900000)",
    "(['a' * 100000] * 10) | join", "(['a' * 1000] * 1000) | sum(start=[])", "['a' * 1000000, 'b']",
])
def test_huge_values_are_refused_before_they_are_made(expression):
    assert _error(f"text\n{{{{ {expression} }}}}\n") == f"r.md:2: {TOO_BIG}"


def test_a_string_doubled_in_a_loop_is_refused():
    source = "{% set ns = namespace(s='ab') %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    assert _error(source) == f"r.md:2: {TOO_BIG}"


def test_huge_numbers_and_ranges_are_refused():
    assert _error("{{ 10 ** 100000000 }}") == "r.md:1: commentary asks for a number of more than 10,000 digits"
    assert _error("x\n\n{{ range(10**6) | list }}", 7) == \
        "r.md:9: commentary asks for a range of 1,000,000 numbers, expected at most 100,000"


def test_too_much_text_written_is_refused():
    assert _error("{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}") == \
        "r.md: commentary writes more than 10,000,000 characters"
    assert _error("{% set x %}{% for i in range(20000) %}{{ 'a' * 1000 }}{% endfor %}{% endset %}") == \
        "r.md:1: commentary writes more than 10,000,000 characters"


def test_a_loop_too_long_stops_at_the_time_limit(monkeypatch):
    monkeypatch.setattr(commentary_sandbox, "TIME_LIMIT", 0.5)
    started = time.monotonic()
    message = _error("{{ kpi('roi') }}\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                     "{% endfor %}")
    assert message == "r.md:2: commentary took more than 0.5 s to evaluate (a loop too long?)"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("source, message", [
    ("x\n\n{{ 1/0 }}", "r.md:3: division by zero in commentary"),
    ("{{ {}['a'] + 1 }}", "r.md:1: commentary error: 'dict object' has no attribute 'a'"),
    ("{{ 'a' + 1 }}", "r.md:1: can only concatenate str (not \"int\") to str in commentary"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "r.md:1: maximum recursion depth exceeded"),
    ("{{ [].append(1) }}", "r.md:1: commentary error: access to attribute 'append' of 'list' object is unsafe"),
    ("{{ lipsum(10**7) }}", "r.md:1: commentary error: 'lipsum' is undefined"),
])
def test_errors_of_commentary_expressions_are_one_line(source, message):
    assert _error(source).startswith(message)


def test_ordinary_jinja_still_works():
    source = ("{{ kpi('roi') }} {{ '{:,}'.format(12345678) }} {{ 'ab' * 3 }} {{ [1, 2] | join(', ') }} "
              "{{ 'x' | center(5) }}|{{ '%5.1f' % 3.14159 }}|{{ 'a b c' | wordwrap(2) }}|{{ 'aa' | replace('a', 'b') }}"
              "|{% set ns = namespace(goal=5000000) %}{{ ns.goal }}|{{ range(3) | list }}|{{ {'a': 1} | tojson }}")
    assert _render(source) == ('<p><roi> 12,345,678 ababab 1, 2   x  |  3.1|a\nb\nc|bb|5000000|[0, 1, 2]|'
                               '{"a": 1}</p>')


@pytest.mark.parametrize("expression, message", [
    ("1/0", "division by zero in commentary"),
    ("range(10**6) | list", "commentary asks for a range of 1,000,000 numbers, expected at most 100,000"),
    ("'a' * 300000000", TOO_BIG),
])
def test_the_cli_says_it_in_one_line(tmp_path, expression, message):
    project = make_project(tmp_path / "p", reports={"2026-10.md": REPORT + f"\n{{{{ {expression} }}}}\n"})
    run = build(project, tmp_path / "out")
    report = project / "content/acme/2026-10.md"
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == f"error: {report}: {message}".replace(f"{report}:", f"{report}:12:")
