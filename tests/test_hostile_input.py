"""Hostile input gets bounded work and one line: commentary that asks for huge values or endless loops, and (below)
data files that inflate, hold too many cells or too long ones."""

from __future__ import annotations

import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import REPORT, build, make_project

from sitegen.data import load
from sitegen.data.readers import base, read_table, xlsx
from sitegen.errors import Diagnostics, SitegenError
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


def test_the_time_limit_holds_in_another_thread_and_leaves_tracing_as_it_was(monkeypatch):
    """`sitegen serve` builds in its watcher thread; a tracer set before (a debugger, coverage) is set again after."""
    monkeypatch.setattr(commentary_sandbox, "TIME_LIMIT", 0.3)
    outcome = {}

    def tracer(frame, event, arg):
        return None

    def run():
        sys.settrace(tracer)
        outcome["error"] = _error("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
        outcome["tracer"] = sys.gettrace()
        sys.settrace(None)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert outcome == {"error": "r.md:1: commentary took more than 0.3 s to evaluate (a loop too long?)",
                       "tracer": tracer}


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


# --- data files ---------------------------------------------------------------------------------------------------

ADS = [["date", "campaign", "spend", "impressions"], ["2026-10-01", "A", 100, 1000], ["2026-10-02", "B", 50, 500]]


def _xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _declared(path: Path, member: str, size: int) -> None:
    """Make the archive's directory say that `member` unpacks to `size` bytes (its data stays as it is)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length] == name:
            data[at + 24:at + 28] = size.to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in {path}")


def _data_project(root: Path, name: str) -> Path:
    project = make_project(root, {})
    return project / "content/acme/data" / name


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path):
    """A part that says it unpacks to 1 GiB is not read at all (openpyxl would hold the shared strings in memory)."""
    path = _xlsx(_data_project(tmp_path / "p", "ads.xlsx"), ADS)
    _declared(path, "xl/worksheets/sheet1.xml", 2**30)
    run = build(tmp_path / "p", tmp_path / "out")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == (f"error: {path}: cannot read XLSX file: its part 'xl/worksheets/sheet1.xml' unpacks "
                                  "to 1,024 MiB, expected at most 512 MiB (a damaged file, or a zip bomb; save the "
                                  "sheet as CSV if it is real)")


def test_a_part_that_unpacks_to_more_than_it_declares_is_cut_at_its_declared_size(tmp_path):
    """zipfile stops at the declared size (what makes the declared size a bound): the XML is then cut short."""
    path = _xlsx(tmp_path / "ads.xlsx", ADS)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    _declared(path, "xl/worksheets/sheet1.xml", len(sheet) // 2)
    with pytest.raises(SitegenError, match="cannot read XLSX file"):
        read_table(path)


def test_cells_per_sheet_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CELLS", 20)
    path = _xlsx(tmp_path / "ads.xlsx", [ADS[0]] + [["2026-10-01", f"c{i}", i, i] for i in range(10)])
    with pytest.raises(SitegenError) as info:
        read_table(path)
    assert str(info.value) == (f"{path}:7: found more than 20 cells (6 rows of 4 columns), expected at most 20 in a "
                               "sheet; save it as CSV")


LONG = 1_100_000  # characters: above MAX_CELL_CHARS, and far above the csv module's 131,072


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_up_to_the_limit_loads_and_a_longer_one_is_located(tmp_path, quoted):
    for n, expected in ((140_000, 0), (LONG, 2)):
        title = "x" * n + (',\n"' if quoted else "")
        videos = [dict(video_id="7000000000000000001", posted_at="2026-10-01 10:00", views="10", likes="1",
                       comments="0", shares="0", saves="0", title=title)]
        project = make_project(tmp_path / f"p{n}", {"videos": videos})
        run = build(project, tmp_path / f"out{n}")
        assert run.returncode == expected, run.stderr
        if expected:
            size = n + (3 if quoted else 0)
            assert run.stderr.strip() == (
                f"error: {project / 'content/acme/data/videos.csv'}:2:title: found a cell of {size:,} characters, "
                f"expected at most {base.MAX_CELL_CHARS:,} (is a quote left open, so that the rest of the file ran "
                "into this cell?)")


@pytest.mark.parametrize("suffix", [".xlsx", ".json", ".parquet", "-big.csv"])
def test_the_cell_limit_holds_for_every_format(tmp_path, suffix, monkeypatch):
    """Each reader's cells go through the same check (a big CSV file through the block reader)."""
    monkeypatch.setattr(base, "MAX_CELL_CHARS", 50)
    rows = [dict(date="2026-10-01", campaign="A", spend="1"), dict(date="2026-10-02", campaign="B" * 51, spend="2")]
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / f"ads{suffix}"
    if suffix == ".xlsx":
        _xlsx(path, [list(rows[0])] + [list(r.values()) for r in rows])
    elif suffix == ".json":
        pd.DataFrame(rows).to_json(path, orient="records")
    elif suffix == ".parquet":
        pd.DataFrame(rows).to_parquet(path)
    else:
        pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(SitegenError) as info:
        load.load_client_data(folder, Diagnostics(), stream_from=1 if suffix == "-big.csv" else 8 << 20)
    assert str(info.value) == (f"{path}:{3 if suffix != '.json' else 2}:campaign: found a cell of 51 characters, "
                               "expected at most 50 (is a quote left open, so that the rest of the file ran into this "
                               "cell?)")


# --- settings: font, logo, theme ----------------------------------------------------------------------------------

FONT_MESSAGE = ("is not a list of font family names; expected names separated by commas, such as 'Inter, "
                "\"Helvetica Neue\", sans-serif' (letters, digits, spaces, hyphens, quotes and commas only)")


def _one_error(run, expected: str) -> None:
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip() == f"error: {expected}"


@pytest.mark.parametrize("font", ["x; background: url(https://evil.example/x)", "a} body { color: red",
                                  "@import 'x'", "a/b", "a\\\\62", "</style>", '"Brand'])
def test_a_font_that_is_not_family_names_is_refused(tmp_path, font):
    escaped = font.replace("\\", "\\\\").replace('"', '\\"')
    project = make_project(tmp_path / "p", client_toml=f'[branding]\nfont = "{escaped}"\n')
    _one_error(build(project, tmp_path / "out"),
               f"{project / 'content/acme/client.toml'}: branding.font: {font!r} {FONT_MESSAGE}")


def test_font_family_lists_of_any_script_are_fine(tmp_path):
    project = make_project(tmp_path / "p", site_toml='[branding]\nfont = "メイリオ, \\"Helvetica Neue\\", Curlz MT, '
                                                     "'Segoe UI', -apple-system, sans-serif\"\n")
    assert build(project, tmp_path / "out").returncode == 0


@pytest.mark.parametrize("key", ["logo", "favicon", "font_file"])
def test_a_brand_file_outside_the_project_is_refused(tmp_path, key):
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG")
    project = make_project(tmp_path / "p", site_toml=f'[branding]\n{key} = "../secret.png"\n')
    _one_error(build(project, tmp_path / "out"), f"{project / 'sitegen.toml'}: branding.{key}: '../secret.png' lies "
                                                 f"outside the project folder ({outside}); put the file inside the "
                                                 "project")


def test_a_brand_file_linked_from_outside_the_project_is_refused(tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG")
    project = make_project(tmp_path / "p", client_toml='logo = "logo.png"\n')
    (project / "content/acme/logo.png").symlink_to(outside)
    _one_error(build(project, tmp_path / "out"), f"{project / 'content/acme/client.toml'}: logo: 'logo.png' lies "
                                                 f"outside the project folder ({outside}); put the file inside the "
                                                 "project")


def test_an_absolute_brand_path_is_refused(tmp_path):
    project = make_project(tmp_path / "p", site_toml='[branding]\nlogo = "/etc/passwd"\n')
    _one_error(build(project, tmp_path / "out"), f"{project / 'sitegen.toml'}: branding.logo: '/etc/passwd' is not a "
                                                 "path inside the project; expected a relative path")


def test_a_brand_file_up_from_a_client_but_inside_the_project_is_fine(tmp_path):
    project = make_project(tmp_path / "p", client_toml='logo = "../../brand/logo.svg"\n')
    (project / "brand").mkdir()
    (project / "brand/logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert build(project, tmp_path / "out").returncode == 0
    assert (tmp_path / "out/assets").is_dir()


@pytest.mark.parametrize("theme, message", [
    ("../../etc", "'../../etc' is not a path inside the project's themes/ folder; expected a relative path without .."),
    ("/etc", "'/etc' is not a path inside the project's themes/ folder; expected a relative path without .."),
])
def test_a_theme_outside_the_project_is_refused(tmp_path, theme, message):
    project = make_project(tmp_path / "p", site_toml=f'theme = "{theme}"\n')
    _one_error(build(project, tmp_path / "out"), f"{project / 'sitegen.toml'}: theme: {message}")


def test_a_theme_linked_from_outside_or_extending_upwards_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "templates").mkdir(parents=True)
    project = make_project(tmp_path / "p", site_toml='theme = "linked"\n')
    (project / "themes").mkdir()
    (project / "themes/linked").symlink_to(outside)
    _one_error(build(project, tmp_path / "out"), f"{project / 'sitegen.toml'}: theme: 'linked' lies outside the "
                                                 f"project folder ({outside}); put the theme in the project's themes/ "
                                                 "folder")
    (project / "themes/linked").unlink()
    (project / "themes/linked").mkdir()
    (project / "themes/linked/theme.toml").write_text('extends = "../../../elsewhere"\n')
    _one_error(build(project, tmp_path / "out"), f"{project / 'sitegen.toml'}: theme: '../../../elsewhere' is not a "
                                                 "path inside the project's themes/ folder; expected a relative path "
                                                 "without ..")
