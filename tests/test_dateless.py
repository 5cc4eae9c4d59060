"""Exports without a date column (Ads Manager's campaign totals for the range picked when downloading): the
range from the file's name or client.toml, rows on its first day, and reports that hold only part of it fail."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import build, make_project, run_cli, write

from sitegen.data.load import load_client_data
from sitegen.data.options import FileDates, LoadOptions
from sitegen.errors import Diagnostics, SitegenError

TOTALS = ('"Campaign name","Cost","Impressions","Clicks (destination)","Conversions","Currency"\n'
          '"Spring","100.50","1000","10","1","USD"\n"Summer","50.00","500","5","0","USD"\n')
OCTOBER = '---\ntitle: "October"\nperiod: "2026-10"\ncomparison: none\n---\n{{ kpi("spend") }}\n'


def project_with(root: Path, name: str, reports: dict[str, str], client_toml: str | None = None) -> Path:
    project = make_project(root, tables={}, reports=reports, client_toml=client_toml)
    write(project / "content" / "acme" / "data" / name, TOTALS)
    return project


def test_range_from_the_file_name(tmp_path: Path):
    write(tmp_path / "data" / "Acme-Campaign Report(2026-10-01 to 2026-10-31).csv", TOTALS)
    loaded = load_client_data(tmp_path / "data", Diagnostics())
    ads = loaded["ads"]
    assert list(ads["spend"]) == [100.5, 50.0] and set(ads["date"].dt.date.astype(str)) == {"2026-10-01"}
    (covered,) = loaded.ranges
    assert (covered.kind, str(covered.start), str(covered.end)) == ("ads", "2026-10-01", "2026-10-31")
    assert (str(loaded.files[0].first), str(loaded.files[0].last)) == ("2026-10-01", "2026-10-31")


def test_range_from_client_toml(tmp_path: Path):
    write(tmp_path / "data" / "campaigns-q3.csv", TOTALS)
    options = LoadOptions(files={"campaigns-q3.csv": FileDates(start=date(2026, 7, 1), end=date(2026, 9, 30))})
    loaded = load_client_data(tmp_path / "data", Diagnostics(), options=options)
    assert str(loaded.ranges[0].start) == "2026-07-01"
    assert any('range from client.toml [files."campaigns-q3.csv"]' in n for n in loaded.files[0].notes)


def test_without_a_range_the_error_says_how_to_give_one(tmp_path: Path):
    write(tmp_path / "data" / "campaigns.csv", TOTALS)
    with pytest.raises(SitegenError) as caught:
        load_client_data(tmp_path / "data", Diagnostics())
    message = str(caught.value)
    assert "missing required column 'date'" in message
    assert "[files.\"campaigns.csv\"] start = 2026-10-01 and end = 2026-10-31" in message


def test_a_report_that_holds_the_range_counts_it(tmp_path: Path):
    project = project_with(tmp_path / "p", "campaigns 20261001-20261031.csv", {"2026-10.md": OCTOBER})
    run = build(project, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    kpis = json.loads((tmp_path / "out" / "acme" / "2026-10" / "kpis.json").read_text())
    assert json.dumps(kpis).count("150.5") >= 1


def test_a_report_that_holds_part_of_the_range_fails(tmp_path: Path):
    half = '---\ntitle: "Half"\nperiod: {start: 2026-10-16, end: 2026-11-15}\ncomparison: none\n---\nhi\n'
    project = project_with(tmp_path / "p", "totals.csv", {"half.md": half},
                           client_toml='[files."totals.csv"]\nstart = 2026-10-01\nend = 2026-10-31\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 2
    assert ("the report period 2026-10-16 to 2026-11-15 holds only part of 2026-10-01 to 2026-10-31, the range of "
            "totals.csv (ads totals without dates)") in run.stderr


def test_check_shows_the_range(tmp_path: Path):
    project = project_with(tmp_path / "p", "Campaign Report(2026-10-01 to 2026-10-31).csv", {})
    run = run_cli("check", project)
    assert run.returncode == 0, run.stderr
    assert "(2026-10-01 to 2026-10-31): no date column: covers 2026-10-01 to 2026-10-31 (range from the file name)" \
        in run.stdout
