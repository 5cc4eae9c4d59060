"""What sitegen says is right: counts say exactly what they count, each overflow line names its own file,
a [columns] line is suggested only for a header that is plausibly the missing column, `check` finds what
`build` would refuse in the commentary, and unreadable files are described in sitegen's words."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import build, make_project, run_cli, write, write_csv
from tiny_data import ACCOUNT

from sitegen.data.cells import MAX_CELL_ERRORS
from sitegen.data.load import load_client_data
from sitegen.errors import MAX_LISTED, Diagnostics, SitegenError, SitegenErrors, count_text


def _bad_dates(project: Path) -> Path:
    """200 bad dates in account_a.csv and 165 in account_b.csv: 365 bad cells in 2 files."""
    data = project / "content" / "acme" / "data"
    write_csv(data / "account_a.csv", [dict(date=f"bad{i}", followers="1", new_followers="1") for i in range(200)])
    write_csv(data / "account_b.csv", [dict(date=f"nope{i}", followers="1", new_followers="1") for i in range(165)])
    return project


@pytest.fixture(scope="module")
def bad_dates(tmp_path_factory) -> Path:
    return _bad_dates(make_project(tmp_path_factory.mktemp("bad"), {"account": ACCOUNT}))


def test_check_counts_bad_cells_exactly(bad_dates):
    run = run_cli("check", bad_dates)
    assert run.returncode == 2
    assert run.stdout.splitlines()[0].endswith(", 365 bad cells in 2 files"), run.stdout
    listed = run.error_lines
    assert len(listed) == MAX_LISTED + 1
    assert listed[-1] == ("error: ... and 345 more bad cells (180 in account_a.csv, 165 in account_b.csv) not listed; "
                          "365 bad cells in 2 files in all")


def test_build_counts_bad_cells_exactly(bad_dates, tmp_path):
    run = build(bad_dates, tmp_path / "out")
    assert run.returncode == 2
    assert run.error_lines[-1].endswith("; 365 bad cells in 2 files in all")


def test_each_overflow_line_counts_its_own_file(bad_dates):
    run = run_cli("check", bad_dates, "--json")
    errors = json.loads(run.stdout)["clients"][0]["errors"]
    assert len(errors) == MAX_CELL_ERRORS + 2
    assert errors[-2].endswith("account_a.csv:date: 179 more cells in this column that are not a date like "
                               "2026-10-31 (not listed one by one)")
    assert errors[-1].endswith("account_b.csv:date: 165 cells in this column that are not a date like 2026-10-31 "
                               "(not listed one by one)")


def test_errors_carry_their_cell_counts_across_processes(tmp_path):
    _bad_dates(make_project(tmp_path, {}))
    with pytest.raises(SitegenErrors) as info:
        load_client_data(tmp_path / "content" / "acme" / "data", Diagnostics())
    assert sum(e.cells for e in info.value.errors) == 365
    assert [e.cells for e in pickle.loads(pickle.dumps(info.value)).errors] == [e.cells for e in info.value.errors]
    assert str(info.value.message) == "365 bad cells in 2 files"


def test_counts_of_other_problems():
    assert count_text([SitegenError("a"), SitegenError("b"), SitegenError("c")]) == "3 problems"
    assert count_text([SitegenError("x", "a.csv", 2, "date", cells=1), SitegenError("y")]) == \
        "1 bad cell in a.csv and 1 other problem"
    many = SitegenErrors([SitegenError(f"p{i}") for i in range(MAX_LISTED + 3)])
    assert many.lines()[-1] == f"... and 3 more problems not listed; {MAX_LISTED + 3} problems in all"


def _missing_date(tmp_path: Path, header: str, cells: list[str]) -> str:
    data = tmp_path / "data"
    write_csv(data / "account.csv", [{header: c, "Followers": "5", "New followers": "1"} for c in cells])
    with pytest.raises(SitegenError) as info:
        load_client_data(data, Diagnostics())
    return str(info.value)


@pytest.mark.parametrize("header", ["Stat date", "Report day"])
def test_a_plausible_header_is_suggested(tmp_path, header):
    message = _missing_date(tmp_path, header, ["2026-10-01", "2026-10-02"])
    assert f"{header!r} looks like date" in message and "its cells are dates" in message
    assert message.endswith(f'map it in client.toml [columns]: "{header}" = "date"'), message


def test_dates_under_an_unrelated_name_are_suggested_by_their_cells(tmp_path):
    message = _missing_date(tmp_path, "Created", ["October 1", "October 2"])
    assert "'Created' looks like date (its cells are dates)" in message
    assert message.endswith('"Created" = "date"'), message


@pytest.mark.parametrize("header, cells", [("Name", ["Alice", "Bob"]), ("Data", ["Alice", "Bob"])])
def test_an_implausible_header_is_not_suggested(tmp_path, header, cells):
    """"Name" is not like "date"; "Data" is (close to "datum"), but its cells are not dates."""
    message = _missing_date(tmp_path, header, cells)
    assert "looks like" not in message and f'"{header}" =' not in message
    assert message.endswith('name your file\'s column for it in client.toml [columns]: "Your header" = "date"')


def test_unknown_column_names_only_columns_still_free(tmp_path):
    rows = [dict(date="2026-10-01", campaign="A", spend="1", **{"Clicks all": "3"})]
    write_csv(tmp_path / "data" / "ads.csv", rows)
    diagnostics = Diagnostics()
    load_client_data(tmp_path / "data", diagnostics)
    assert "nearest known names: " in diagnostics.warnings[0] and "'click' (clicks)" in diagnostics.warnings[0]
    rows = [dict(date="2026-10-01", campaign="A", spend="1", clicks="2", **{"Clicks all": "3"})]
    write_csv(tmp_path / "data" / "ads.csv", rows)
    diagnostics = Diagnostics()
    load_client_data(tmp_path / "data", diagnostics)
    assert "nearest known names" not in diagnostics.warnings[0]  # clicks has its column already


UNKNOWN_KPI = '---\ntitle: "October"\nperiod: "2026-10"\n---\nOur ROI: {{ kpi("nonsense") }}.\n'


def test_check_refuses_an_unknown_kpi_as_build_does(tmp_path):
    project = make_project(tmp_path / "p", reports={"2026-10.md": UNKNOWN_KPI})
    built = build(project, tmp_path / "out")
    checked = run_cli("check", project)
    assert built.returncode == checked.returncode == 2
    assert len(built.error_lines) == 1
    assert built.error_lines == checked.error_lines
    assert built.error_lines[0].startswith(f"error: {project / 'content/acme/2026-10.md'}:5: unknown KPI 'nonsense'")
    assert checked.stdout.splitlines()[0].endswith(", 1 problem")


def test_check_finds_every_bad_macro_and_macros_in_the_index(tmp_path):
    report = ('---\ntitle: "October"\nperiod: "2026-10"\n---\nLead {{ chart("nope") }}\n\n'
              'Body {{ table("top_videos", limit=0) }}\n\n{{ kpi("roi") }} {% if %}\n')
    project = make_project(tmp_path, reports={"2026-10.md": report})
    write(project / "content" / "index.md", "Welcome: {{ kpi('roi') }}\n")
    run = run_cli("check", project, "--json")
    assert run.returncode == 2
    result = json.loads(run.stdout)
    errors = result["clients"][0]["errors"]
    assert any(":5: unknown chart 'nope'" in e for e in errors), errors
    assert any("commentary syntax error" in e for e in errors), errors
    assert [e.split(": ", 1)[1] for e in result["errors"]] == ["commentary error: 'kpi' is undefined"]


def test_a_good_commentary_passes_check(tmp_path):
    assert run_cli("check", make_project(tmp_path)).returncode == 0


def _unreadable(tmp_path: Path, name: str, content: bytes) -> SitegenError:
    write(tmp_path / "data" / name, content)
    with pytest.raises(SitegenError) as info:
        load_client_data(tmp_path / "data", Diagnostics())
    return info.value


def test_a_damaged_parquet_file_is_described_in_sitegens_words(tmp_path):
    frame = pd.DataFrame({"date": ["2026-10-01"], "campaign": ["A"], "spend": [1.0]})
    frame.to_parquet(tmp_path / "good.parquet")
    whole = (tmp_path / "good.parquet").read_bytes()
    error = _unreadable(tmp_path, "cut.parquet", whole[:len(whole) // 2])
    assert error.message.startswith("cannot read PARQUET file: not a Parquet file, or one cut short")
    assert "magic" not in error.message


def test_a_damaged_workbook_is_described_in_sitegens_words(tmp_path):
    with zipfile.ZipFile(tmp_path / "data.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    error = _unreadable(tmp_path, "ads.xlsx", (tmp_path / "data.xlsx").read_bytes())
    assert error.message.startswith("cannot read XLSX file: not a complete Excel workbook (the archive has no part "
                                    "[Content_Types].xml)"), error.message


def test_json_that_is_not_utf8_is_located(tmp_path):
    text = '[{"date": "2026-10-01",\n "campaign": "Ä", "spend": 1}]'
    error = _unreadable(tmp_path, "ads.json", text.encode("cp1252"))
    assert (error.row, error.column) == (2, 15)
    assert error.message.startswith("found byte 0xC4, which is not UTF-8 text")


def test_json_object_in_a_cell_is_shown_as_json(tmp_path):
    write(tmp_path / "data" / "ads.json", json.dumps([{"date": "2026-10-01", "campaign": {"a": 1}, "spend": 1}]))
    assert load_client_data(tmp_path / "data", Diagnostics())["ads"]["campaign"].tolist() == ['{"a": 1}']


def test_an_index_page_that_is_not_utf8_is_one_located_error(tmp_path):
    project = make_project(tmp_path / "p")
    write(project / "content" / "index.md", "Welcome\n\nto Zürich\n".encode("cp1252"))
    built, checked = build(project, tmp_path / "out"), run_cli("check", project)
    assert built.returncode == checked.returncode == 2 and "Traceback" not in built.stderr
    assert built.error_lines == checked.error_lines == [
        f"error: {project / 'content/index.md'}:3: found byte 0xFC, which is not UTF-8 text, expected UTF-8 "
        "(save the file as UTF-8)"]
