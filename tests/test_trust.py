"""Issue 17's cases, each as a user reproduced it: one client `acme`, report period 2026-10, the real CLI.

A wrong number with exit code 0 is the worst bug this product can have: each case below once published one (or a
traceback, or a half site). Every test checks the published figure, or that the build stops with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import build, run_cli, write

REPORT = '---\nperiod: "2026-10"\n---\nSpend was {{ kpi("spend") }}.\n'


def project(tmp_path: Path, files: dict[str, str | bytes], *, client_toml: str = 'currency = "USD"\n',
            report: str = REPORT, site_toml: str | None = None) -> Path:
    root = tmp_path / "p"
    for name, text in files.items():
        write(root / "content/acme/data" / name, text)
    write(root / "content/acme/client.toml", client_toml)
    write(root / "content/acme/2026-10.md", report)
    if site_toml is not None:
        write(root / "sitegen.toml", site_toml)
    return root


def kpis(tmp_path: Path, root: Path, *extra: str, strict: bool = True) -> dict:
    run = build(root, tmp_path / "out", *(["--strict"] if strict else []), *extra)
    assert run.returncode == 0, run.stderr
    data = json.loads((tmp_path / "out/acme/2026-10/kpis.json").read_text())
    return {k: v["value"] for k, v in data["kpis"].items()}


def failed(tmp_path: Path, root: Path) -> str:
    """The one error line of a build that must stop (exit code 2, no traceback, no site)."""
    run = build(root, tmp_path / "out")
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
    assert run.error_lines, run.stderr
    return run.error_lines[0]


ADS_HEAD = "date,campaign,spend,impressions\n"


# 1. totals rows by what they are
def test_a_campaign_named_total_keeps_its_spend(tmp_path):
    root = project(tmp_path, {"ads.csv": "Campaign name,Date,Cost,Impressions\n"
                                         "Total Wellness Launch,2026-10-01,100,1000\nAutumn,2026-10-02,60,500\n"})
    assert kpis(tmp_path, root)["spend"] == 160


def test_a_video_titled_total_keeps_its_views(tmp_path):
    rows = ("Total glow-up in 10 seconds,7000000000000000001,2026-10-03 10:00,90000,900\n"
            "Morning,7000000000000000002,2026-10-04 10:00,10000,100\n")
    root = project(tmp_path, {"videos.csv": "title,video_id,posted_at,views,likes\n" + rows})
    assert kpis(tmp_path, root)["views"] == 100000


def test_a_video_or_campaign_named_by_a_bare_totals_word_is_data(tmp_path):
    """A bare label ("Total", "Summe") makes a totals row only on a row that names nothing else."""
    root = project(tmp_path, {"videos.csv": "title,video_id,posted_at,views,likes\n"
                                            "Total,7000000000000000001,2026-10-03 10:00,90000,900\n"
                                            "Morning,7000000000000000002,2026-10-04 10:00,10000,100\n",
                              "ads.csv": "Campaign name,Date,Cost\nSumme,2026-10-01,100\nAutumn,2026-10-02,60\n"
                                         "Summe,2026-10-03,5\n"})
    figures = kpis(tmp_path, root)
    assert (figures["views"], figures["spend"]) == (100000, 165)


def test_a_dated_last_row_is_no_sums_row(tmp_path):
    """The date comes first: a last row with a date names its day, so it is data (its empty campaign an error)."""
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,10,100\n2026-10-02,B,20,200\n2026-10-03,,30,300\n"})
    assert "ads.csv:4:" in failed(tmp_path, root)


def test_a_real_totals_row_is_dropped_and_listed_by_check(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,Autumn,100,1000\n2026-10-02,Winter,60,500\n"
                                                   "Total of 2 results,,160,1500\n"})
    assert kpis(tmp_path, root)["spend"] == 160
    check = run_cli("check", root)
    assert check.returncode == 0, check.stderr
    assert "total" in check.stdout.lower() and "4" in check.stdout  # the row dropped, by its number


# 2. money knows its currency
def test_euro_and_dollar_amounts_in_one_column_stop_the_build(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,€100,1000\n2026-10-02,B,$100,500\n"})
    line = failed(tmp_path, root)
    assert "ads.csv:2:" in line and "€100" in line


def test_an_amount_with_another_currency_code_stops_the_build(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100 EUR,1000\n"})
    line = failed(tmp_path, root)
    assert "ads.csv:2:" in line and "EUR" in line


def test_an_amount_marked_in_the_clients_currency_reads_as_it_is(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,$100.50,1000\n2026-10-02,B,60 USD,500\n"})
    assert kpis(tmp_path, root)["spend"] == pytest.approx(160.50)


MIXED = {"ads.csv": "date,campaign,spend,currency\n2026-10-01,A,100,EUR\n2026-10-02,B,16120,JPY\n"}


def test_a_currency_column_mixing_currencies_needs_rates(tmp_path):
    line = failed(tmp_path, project(tmp_path, MIXED, client_toml='currency = "EUR"\n'))
    assert "ads.csv:3:" in line and "JPY" in line


def test_with_rates_amounts_are_converted_and_the_page_says_how(tmp_path):
    root = project(tmp_path, MIXED, client_toml='currency = "EUR"\n[fx]\nrates = { "2026-09-01" = { JPY = 161.2 } }\n')
    assert kpis(tmp_path, root)["spend"] == 200  # 100 EUR + 16,120 JPY at 161.2 JPY a euro
    page = (tmp_path / "out/acme/2026-10/index.html").read_text()
    assert "161.2" in page and "JPY" in page
    assert json.loads((tmp_path / "out/acme/2026-10/kpis.json").read_text())["fx"]


# 3. snapshots are not flows
VIDEO_HEAD = "video_id,posted_at,views,likes\n"


def test_the_latest_download_of_a_video_wins(tmp_path):
    root = project(tmp_path, {"2026-10-15 videos.csv": VIDEO_HEAD + "7000000000000000001,2026-10-03 10:00,1000,10\n",
                              "2026-10-31 videos.csv": VIDEO_HEAD + "7000000000000000001,2026-10-03 10:00,5000,50\n"})
    figures = kpis(tmp_path, root)
    assert (figures["views"], figures["likes"]) == (5000, 50)


def test_a_row_repeated_inside_a_file_counts_once_and_is_warned(tmp_path):
    row = "7000000000000000001,2026-10-03 10:00,1000,10\n"
    root = project(tmp_path, {"videos.csv": VIDEO_HEAD + row + row})
    run = build(root, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert any("videos.csv" in w for w in run.warning_lines), run.stderr
    data = json.loads((tmp_path / "out/acme/2026-10/kpis.json").read_text())
    assert data["kpis"]["views"]["value"] == 1000


def test_a_later_export_restates_the_days_it_shares(tmp_path):
    first = ADS_HEAD + "2026-10-01,A,100,1000\n2026-10-02,A,50,500\n"
    later = ADS_HEAD + "2026-10-01,A,100,1000\n2026-10-02,A,10,500\n2026-10-20,A,50,400\n"
    root = project(tmp_path, {"2026-10-15 ads.csv": first, "2026-10-31 ads.csv": later})
    assert kpis(tmp_path, root)["spend"] == 160


def test_a_later_export_with_one_more_column_is_no_conflict(tmp_path):
    first = ADS_HEAD + "2026-10-01,A,100,1000\n2026-10-02,A,10,500\n"
    later = "date,campaign,spend,impressions,clicks\n2026-10-01,A,100,1000,5\n2026-10-02,A,10,500,2\n" \
            "2026-10-20,A,50,400,1\n"
    root = project(tmp_path, {"2026-10-15 ads.csv": first, "2026-10-31 ads.csv": later})
    run = build(root, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert not any("different" in w for w in run.warning_lines), run.stderr
    data = json.loads((tmp_path / "out/acme/2026-10/kpis.json").read_text())
    assert data["kpis"]["spend"]["value"] == 160


# 6. bounded work, one-line errors, clean text
def test_a_long_cell_is_read(tmp_path):
    title = "x" * 140_000
    root = project(tmp_path, {"videos.csv": "title," + VIDEO_HEAD + f"{title},7000000000000000001,2026-10-03 10:00,"
                                                                    "1000,10\n"})
    assert kpis(tmp_path, root)["views"] == 1000


@pytest.mark.parametrize("expression", ["1/0", "'a'*300000000", "range(10**6)|list"])
def test_commentary_that_fails_or_grows_without_bound_is_one_line(tmp_path, expression):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100,1000\n"},
                   report=REPORT + f"\nHere: {{{{ {expression} }}}}\n")
    line = failed(tmp_path, root)
    assert "2026-10.md" in line


def test_an_unclosed_quote_names_its_own_line(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + '2026-10-01,A,100,1000\n2026-10-02,B,50,500\n'
                                                   '2026-10-03,"C,50,500\n2026-10-04,D,50,500\n'})
    assert "ads.csv:4" in failed(tmp_path, root)


def test_a_repeated_header_stops_the_build(tmp_path):
    root = project(tmp_path, {"ads.csv": "date,campaign,spend,spend\n2026-10-01,A,100,200\n"})
    assert "spend" in failed(tmp_path, root)


def test_slash_dates_follow_the_clients_locale(tmp_path):
    files = {"ads.csv": ADS_HEAD + "03/10/2026,A,100,1000\n04/10/2026,A,60,1000\n05/11/2026,A,7,1\n"}
    root = project(tmp_path, files, client_toml='currency = "GBP"\nlocale = "en_GB"\n')
    assert kpis(tmp_path, root, strict=False)["spend"] == 160  # (a warning says the locale decided)


def test_the_year_1900_is_no_date_of_an_export(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100,1000\n1900-01-01,B,50,500\n"})
    assert "ads.csv:3" in failed(tmp_path, root)


def test_a_quoted_false_draft_is_published(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100,1000\n"},
                   report='---\nperiod: "2026-10"\ndraft: "false"\n---\nText.\n')
    assert kpis(tmp_path, root)["spend"] == 100


def test_control_characters_and_direction_overrides_stay_in_their_cell(tmp_path):
    root = project(tmp_path, {"videos.csv": "title," + VIDEO_HEAD +
                              "Evil\x00\x1b[31m\u202eenil,7000000000000000001,2026-10-03 10:00,1000,10\n"},
                   report=REPORT + '\n{{ table("top_videos") }}\n')
    kpis(tmp_path, root)
    html = (tmp_path / "out/acme/2026-10/index.html").read_text()
    assert "\x00" not in html and "\x1b" not in html
    assert "<bdi>Evil[31m\u202eenil</bdi>" in html


@pytest.mark.parametrize("setting", ['font = "x;} body{background:url(https://evil.example/)"',
                                     'logo = "/etc/passwd"', 'logo = "../../../outside.png"'])
def test_branding_cannot_reach_outside(tmp_path, setting):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100,1000\n"},
                   client_toml=f'currency = "USD"\n[branding]\n{setting}\n')
    assert "client.toml" in failed(tmp_path, root)


def test_a_theme_outside_the_project_is_refused(tmp_path):
    root = project(tmp_path, {"ads.csv": ADS_HEAD + "2026-10-01,A,100,1000\n"}, site_toml='theme = "../../.."\n')
    assert "sitegen.toml" in failed(tmp_path, root)


def test_a_later_export_with_fewer_rows_of_a_day_replaces_them_all(tmp_path):
    """Two ad groups of one campaign and day (no ad_group column) earlier, the day as one row later: the later
    download's row is the day's, not added to the earlier file's second row."""
    first = ADS_HEAD + "2026-10-01,A,10,100\n2026-10-01,A,20,200\n"
    later = ADS_HEAD + "2026-10-01,A,30,300\n2026-10-20,A,5,50\n"
    root = project(tmp_path, {"2026-10-15 ads.csv": first, "2026-10-31 ads.csv": later})
    figures = kpis(tmp_path, root)
    assert (figures["spend"], figures["impressions"]) == (35, 350)
    check = run_cli("check", root)
    assert "1 ads row left out" in check.stdout, check.stdout


def test_the_latest_download_decides_how_many_rows_a_key_has_among_three(tmp_path):
    """Two rows of a key in the first and second download, one in the third: the third's row alone counts (the
    second rows of the first two downloads matched each other, and were once kept)."""
    two = ADS_HEAD + "2026-10-01,A,10,100\n2026-10-01,A,20,200\n"
    root = project(tmp_path, {"2026-10-10 ads.csv": two, "2026-10-15 ads.csv": two,
                              "2026-10-31 ads.csv": ADS_HEAD + "2026-10-01,A,30,300\n"})
    figures = kpis(tmp_path, root)
    assert (figures["spend"], figures["impressions"]) == (30, 300)
