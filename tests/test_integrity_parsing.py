"""No wrong number leaves with exit code 0: rows, columns, dates and flags that used to be read wrongly and
silently (issue 17), each pinned by the case that showed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_project, run_cli, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.check import check_project, summary_lines
from sitegen.data.conversion_cache import ConversionCache
from sitegen.data.load import load_client_data
from sitegen.data.options import LoadOptions
from sitegen.errors import Diagnostics, SitegenError
from sitegen.metrics.facts import client_facts
from sitegen.metrics.report import report_kpis
from sitegen.project.discover import discover


def load(folder: Path, **options):
    diagnostics = Diagnostics()
    return load_client_data(folder, diagnostics, **options), diagnostics.warnings


def data_dir(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "data"
    for name, text in files.items():
        write(folder / name, text)
    return folder


# --- totals rows: by what they are, not by a word -------------------------------------------------------------


def test_a_campaign_whose_name_starts_with_total_is_data(tmp_path):
    data, warnings = load(data_dir(tmp_path, **{"ads.csv": "Campaign name,Date,Cost\nA,2026-10-01,10\n"
                                                "Total Wellness Launch,2026-10-02,20\nB,2026-10-03,5\n"}))
    assert data["ads"]["campaign"].tolist() == ["A", "Total Wellness Launch", "B"]
    assert data["ads"]["spend"].sum() == 35
    assert warnings == [] and data.files[0].notes == []


def test_a_video_whose_title_starts_with_total_is_data(tmp_path):
    data, warnings = load(data_dir(tmp_path, **{"videos.csv": (
        "title,video_id,posted_at,views,likes\nOne,7000000000000000001,2026-10-01 10:00,100,5\n"
        "Total glow-up in 10 seconds,7000000000000000002,2026-10-02 10:00,90000,50\n")}))
    assert data["videos"]["views"].sum() == 90_100
    assert warnings == [] and data.files[0].notes == []


@pytest.mark.parametrize("label", ["Total of 2 results", "Total of 1,234 results", "Totals", "Total", "TOTAL:",
                                   "Gesamt", "Gesamt (12)", "Summe", "Insgesamt", "Grand Total", "全2件の結果"])
def test_a_whole_cell_totals_label_makes_a_totals_row_and_the_note_names_it(tmp_path, label):
    data, warnings = load(data_dir(tmp_path, **{"ads.csv": "Campaign name,Date,Cost\nA,2026-10-01,10\n"
                                                f'B,2026-10-02,20\n"{label}",-,30\n'}))
    assert data["ads"]["spend"].sum() == 30
    assert warnings == []
    assert data.files[0].notes == [f"totals row 4 ({label!r}) not counted as data", "totals row matches (spend)"]


def test_a_last_row_that_names_nothing_and_holds_the_sums_is_a_totals_row(tmp_path):
    data, warnings = load(data_dir(tmp_path, **{"ads.csv": (
        "Campaign name,Date,Cost,Clicks\nA,2026-10-01,10.50,3\nB,2026-10-02,20,4\nC,2026-10-02,1.25,0\n"
        "All campaigns,,31.75,7\n")}))
    assert data["ads"]["spend"].sum() == 31.75 and len(data["ads"]) == 3
    assert warnings == []
    assert data.files[0].notes == [
        "totals row 5 ('All campaigns') not counted as data (the last row names nothing and its figures are the "
        "sums of the rows above)", "totals row matches (spend, clicks)"]


def test_sums_in_a_decimal_comma_file_with_dashes_make_a_totals_row(tmp_path):
    data, _ = load(data_dir(tmp_path, **{"ads.csv": 'Date,Campaign,Cost\n2026-10-01,A,"1.234,50"\n'
                                         '2026-10-02,B,"10,00"\n-,-,"1.244,50"\n'}))
    assert data["ads"]["spend"].sum() == 1244.5
    assert data.files[0].notes[0] == ("totals row 4 not counted as data (the last row names nothing and its "
                                      "figures are the sums of the rows above)")


@pytest.mark.parametrize("last", [
    "C,G,2026-10-03,30",  # a row that names its campaign and day is data, whatever its figures
    "C,,2026-10-03,30",  # no ad group, but a day
])
def test_a_last_row_that_names_what_it_counts_is_data(tmp_path, last):
    data, _ = load(data_dir(tmp_path, **{"ads.csv": f"Campaign name,Ad group name,Date,Cost\nA,G,2026-10-01,10\n"
                                         f"B,G,2026-10-02,20\n{last}\n"}))
    assert len(data["ads"]) == 3 and data.files[0].notes == []


def test_a_last_row_without_a_date_whose_figures_are_not_the_sums_is_an_error(tmp_path):
    with pytest.raises(SitegenError) as caught:
        load(data_dir(tmp_path, **{"ads.csv": "Campaign name,Date,Cost\nA,2026-10-01,10\nB,2026-10-02,20\n"
                                   "Grand total (estimate),,31\n"}))
    assert str(caught.value).endswith("ads.csv:4:date: found an empty cell, expected a date like 2026-10-31")


def test_zeros_that_add_up_do_not_make_a_totals_row(tmp_path):
    data, _ = load(data_dir(tmp_path, **{"account.csv": "date,followers,new_followers\n2026-10-01,10,0\n"
                                         "2026-10-02,10,0\n2026-10-03,10,0\n"}))
    assert len(data["account"]) == 3


def test_check_lists_every_totals_row(tmp_path):
    project = make_project(tmp_path, {})
    write(project / "content/acme/data/ads.csv", "Campaign name,Date,Cost\nA,2026-10-01,10\nTotal,-,10\n"
          "B,2026-10-02,20\nTotal of 2 results,-,30\n")
    lines = summary_lines(check_project(project))
    assert "    content/acme/data/ads.csv: totals rows 3 ('Total'), 5 ('Total of 2 results') not counted as data; " \
           "totals row matches (spend)" in lines
    run = run_cli("check", project)
    assert run.returncode == 0 and "totals rows 3 ('Total'), 5 ('Total of 2 results') not counted" in run.stdout


# --- two columns for one -------------------------------------------------------------------------------------


def _error(folder: Path, **options) -> str:
    with pytest.raises(SitegenError) as caught:
        load(folder, **options)
    return str(caught.value)


@pytest.mark.parametrize("stream_from", [1 << 30, 0])  # the csv module's reader, and pyarrow's blocks
@pytest.mark.parametrize(("header", "expected"), [
    ("date,campaign,spend,spend", "columns 'spend' (C) and 'spend' (D) both map to spend"),
    ("Date,Cost,Campaign name,Spend", "columns 'Cost' (B) and 'Spend' (D) both map to spend"),
    ("Date,,Campaign name,Kosten,Cost", "columns 'Kosten' (D) and 'Cost' (E) both map to spend"),
])
def test_two_columns_for_one_are_an_error_naming_both(tmp_path, header, expected, stream_from):
    folder = data_dir(tmp_path, **{"ads.csv": f"{header}\n2026-10-01,A,10,99\n2026-10-02,B,20,99\n"})
    assert _error(folder, stream_from=stream_from) == \
        f"{folder / 'ads.csv'}:1: {expected}; remove or rename one"


def test_two_columns_for_one_in_a_workbook_are_named_by_their_letters(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["Date", None, "Campaign name", "Spend", "Clicks", "Spend"], ["2026-10-01", None, "A", 1, 2, 3]]:
        sheet.append(row)
    (tmp_path / "data").mkdir()
    book.save(tmp_path / "data" / "ads.xlsx")
    assert _error(tmp_path / "data").endswith(
        "ads.xlsx:1: columns 'Spend' (D) and 'Spend' (F) both map to spend; remove or rename one")


def test_two_columns_for_one_in_json_are_named_without_letters(tmp_path):
    folder = data_dir(tmp_path, **{"ads.json": '[{"date": "2026-10-01", "campaign": "A", "cost": 1, "spend": 2}]'})
    assert _error(folder).endswith("columns 'cost' and 'spend' both map to spend; remove or rename one")


def test_a_column_mapped_in_columns_takes_no_other_spelling(tmp_path):
    folder = data_dir(tmp_path, **{"ads.csv": "Date,Campaign,Cost,Spend net\n2026-10-01,A,10,8\n"})
    data, warnings = load(folder, columns={"Spend net": "spend"})
    assert data["ads"]["spend"].tolist() == [8]
    assert warnings == [f"{folder / 'ads.csv'}:1:Cost: unknown column 'Cost' for ads data (ignored; map it in "
                        "[columns] if it matters)"]


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path):
    project = make_project(tmp_path, {})
    write(project / "content/acme/data/ads.csv", "date,campaign,spend,spend\n2026-10-01,A,10,99\n")
    run = run_cli("build", project, "--output", tmp_path / "out")
    assert run.returncode == 2
    assert run.error_lines == [f"error: {project / 'content/acme/data/ads.csv'}:1: columns 'spend' (C) and 'spend' "
                               "(D) both map to spend; remove or rename one"]


# --- a quote left open -----------------------------------------------------------------------------------------

OPEN_QUOTE = ('found a quote (") that opens a cell and is never closed, expected a closing quote (a quote inside a '
              'cell is written twice: "say ""hi""")')


@pytest.mark.parametrize("stream_from", [1 << 30, 0])
@pytest.mark.parametrize(("text", "row"), [
    ('date,campaign,spend\n2026-10-01,A,10\n2026-10-02,B,20\n2026-10-03,"C,30\n2026-10-04,D,40\n', 4),
    ('date,campaign,spend\r\n2026-10-01,A,10\r\n2026-10-02,"B,20\r\n', 3),
    ('Report\n\ndate,campaign,spend\n2026-10-01,A,10\n2026-10-03,"C,30\n2026-10-04,D,40\n', 5),  # title rows
    ('date,campaign,spend\n2026-10-01,"A\nand B",10\n\n2026-10-03,"C,30\n', 4),  # a quoted line break stays in its row
])
def test_an_unclosed_quote_is_reported_on_the_row_where_it_opens(tmp_path, text, row, stream_from):
    folder = data_dir(tmp_path, **{"ads.csv": text})
    assert _error(folder, stream_from=stream_from) == f"{folder / 'ads.csv'}:{row}: {OPEN_QUOTE}"


# --- slash dates in the client's order -------------------------------------------------------------------------

SLASHED = "date,campaign,spend\n10/10/2026,A,10\n03/10/2026,A,20\n"  # no day above 12: the file does not decide


@pytest.mark.parametrize(("locale", "second"), [("en_US", "2026-03-10"), ("en_GB", "2026-10-03"),
                                                 ("de_DE", "2026-10-03"), ("fr-FR", "2026-10-03")])
def test_slash_dates_the_file_does_not_decide_follow_the_clients_locale(tmp_path, locale, second):
    data, warnings = load(data_dir(tmp_path, **{"ads.csv": SLASHED}), options=LoadOptions(locale=locale))
    assert [str(d.date()) for d in data["ads"]["date"]] == ["2026-10-10", second]
    order = "day/month" if locale != "en_US" else "month/day"
    assert warnings == [f"{tmp_path / 'data' / 'ads.csv'}: dates like '10/10/2026' could be day/month or month/day; "
                        f"read as {order} (as the client's locale writes dates)"]


def test_a_file_that_proves_its_order_wins_over_the_locale(tmp_path):
    folder = data_dir(tmp_path, **{"ads.csv": "date,campaign,spend\n03/10/2026,A,10\n10/31/2026,A,20\n"})
    data, warnings = load(folder, options=LoadOptions(locale="en_GB"))
    assert [str(d.date()) for d in data["ads"]["date"]] == ["2026-03-10", "2026-10-31"]
    assert warnings == []


def test_a_shop_export_reads_slash_dates_in_the_clients_order(tmp_path):
    folder = data_dir(tmp_path, **{"orders_export.csv": (
        "Name,Created at,Financial Status,Subtotal,Currency,Discount Code,Lineitem name\n"
        "#1001,03/10/2026 10:00,paid,10.00,GBP,A10,Mug\n#1002,04/10/2026 11:00,paid,20.00,GBP,,Cup\n")})
    data, _ = load(folder, options=LoadOptions(locale="en_GB"))
    assert sorted(str(d.date()) for d in data["orders"]["date"]) == ["2026-10-03", "2026-10-04"]


@pytest.mark.parametrize(("locale", "spend"), [("en_GB", 30.0), ("en_US", 10.0)])
def test_the_period_s_figures_follow_the_clients_date_order(tmp_path, locale, spend):
    project = make_project(tmp_path, {"ads": []}, client_toml=f'name = "Acme"\nlocale = "{locale}"\n')
    write(project / "content/acme/data/ads.csv", SLASHED)
    client = discover(project, Diagnostics()).clients[0]
    facts = client_facts(load_client_data(client.data_dir, Diagnostics(), options=client.load_options))
    report = client.reports[0]
    assert report_kpis(facts, report.period, report.comparison, {}).values["spend"] == spend


def test_the_conversion_cache_keeps_the_date_order_apart(tmp_path):
    keys = {locale: ConversionCache(tmp_path, LoadOptions(locale=locale)).key("digest", Path("a.csv"))
            for locale in ("en_US", "en_GB", "en_AU")}
    assert keys["en_US"] != keys["en_GB"] == keys["en_AU"]  # one language, and en_AU writes the day first too


# --- dates of real exports only --------------------------------------------------------------------------------

YEARS = "between 2000-01-01 and 2099-12-31 (other years are not real export dates)"


@pytest.mark.parametrize(("cell", "found"), [("1900-01-01", "'1900-01-01'"), ("01/01/1900", "'01/01/1900'"),
                                             ("1999-12-31", "'1999-12-31'"), ("2100-01-01", "'2100-01-01'")])
def test_a_date_outside_the_years_of_real_exports_is_a_cell_error(tmp_path, cell, found):
    folder = data_dir(tmp_path, **{"ads.csv": f"date,campaign,spend\n2026-10-01,A,1\n{cell},B,2\n"})
    assert _error(folder) == f"{folder / 'ads.csv'}:3:date: found {found}, expected a date like 2026-10-31 {YEARS}"


def test_a_time_outside_the_years_of_real_exports_is_a_cell_error(tmp_path):
    folder = data_dir(tmp_path, **{"community.csv": "received_at,channel,direction\n"
                                   "1900-01-01 00:00,comment,inbound\n"})
    assert _error(folder) == (f"{folder / 'community.csv'}:2:received_at: found '1900-01-01 00:00', expected a date "
                              f"and time like 2026-10-31 14:05 {YEARS}")


def test_the_first_and_last_day_of_the_range_are_dates(tmp_path):
    data, _ = load(data_dir(tmp_path, **{"account.csv": "date,followers\n2000-01-01,5\n2099-12-31,6\n"}))
    assert (data.files[0].first.isoformat(), data.files[0].last.isoformat()) == ("2000-01-01", "2099-12-31")


def test_a_workbook_s_zero_date_is_a_cell_error(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    for row in [["date", "campaign", "spend"], [dt.date(2026, 10, 1), "A", 1], [dt.datetime(1900, 1, 1), "B", 2]]:
        book.active.append(row)
    (tmp_path / "data").mkdir()
    book.save(tmp_path / "data" / "ads.xlsx")
    assert _error(tmp_path / "data").endswith(f"ads.xlsx:3:date: found '1900-01-01', expected a date like "
                                              f"2026-10-31 {YEARS}")


# --- draft: true or false, as written --------------------------------------------------------------------------


def _reports(tmp_path: Path, draft: str) -> list[str]:
    report = f'---\ntitle: "October"\nperiod: "2026-10"\ndraft: {draft}\n---\nHi.\n'
    project = make_project(tmp_path, reports={"2026-10.md": report})
    return [r.path.name for r in discover(project, Diagnostics()).clients[0].reports]


@pytest.mark.parametrize(("draft", "published"), [
    ("false", True), ('"false"', True), ("'False'", True), ('"no"', True), ("no", True),
    ("true", False), ('"true"', False), ('"yes"', False), (" Yes", False)])
def test_draft_written_as_text_means_what_it_says(tmp_path, draft, published):
    assert _reports(tmp_path, draft) == (["2026-10.md"] if published else [])


@pytest.mark.parametrize(("draft", "found"), [('"maybe"', "'maybe'"), ("1", "1"), ("", "None"), ("[true]", "[True]")])
def test_draft_that_is_not_true_or_false_is_an_error(tmp_path, draft, found):
    with pytest.raises(SitegenError) as caught:
        _reports(tmp_path, draft)
    assert str(caught.value) == (f"{tmp_path / 'content/acme/2026-10.md'}:4: front matter draft: found {found}, "
                                 "expected true or false")


def test_the_cli_stops_on_a_draft_that_is_not_true_or_false(tmp_path):
    project = make_project(tmp_path, reports={"2026-10.md": '---\nperiod: "2026-10"\ndraft: "nope"\n---\nHi.\n'})
    run = run_cli("build", project, "--output", tmp_path / "out")
    assert run.returncode == 2
    assert run.error_lines == [f"error: {project / 'content/acme/2026-10.md'}:3: front matter draft: found 'nope', "
                               "expected true or false"]


# --- property: a totals row never takes a data row with it, and is never counted -----------------------------

NAMES = ["Total Wellness Launch", "Totally Fresh", "Total glow-up", "Gesamtpaket", "Summer Sale", "Summe der Teile",
         "Insgesamt neu", "全部", "Autumn", "Total of everything we did"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(NAMES), st.integers(1, 28), st.integers(0, 10**6)), min_size=1,
                     max_size=12),
       ending=st.sampled_from(["none", "label", "sums", "label and sums"]),
       first=st.sampled_from(["campaign", "date"]))
def test_only_totals_rows_are_left_out(tmp_path_factory, rows, ending, first):
    """Generated ads exports whose campaign names start with totals words, ending in nothing, a TikTok totals
    label, or an unlabelled row of sums: the loaded rows are the data rows, and the spend their sum, to the cent."""
    cents = [c for _, _, c in rows]
    lines = [f"{name},2026-10-{day:02},{c / 100:.2f}" for name, day, c in rows]
    total = f"{sum(cents) / 100:.2f}"
    if ending == "label":
        lines.append(f"Total of {len(rows)} results,-,{total}")
    elif ending == "sums" and len(rows) >= 2 and any(cents):
        lines.append(f",,{total}")
    elif ending == "label and sums":
        lines.append(f"Total of {len(rows)} results,,{total}")
    header = "Campaign name,Date,Cost"
    if first == "date":  # the date first: the label is not in the first column, the sums row still is one
        header = "Date,Campaign name,Cost"
        lines = [",".join([cells[1], cells[0], cells[2]]) for cells in (line.split(",") for line in lines)]
        if ending in ("label", "label and sums"):
            lines.pop()
    folder = data_dir(tmp_path_factory.mktemp("totals"), **{"ads.csv": header + "\n" + "\n".join(lines) + "\n"})
    data, warnings = load(folder)
    assert data["ads"]["campaign"].tolist() == [name for name, _, _ in rows]
    assert round(data["ads"]["spend"].sum() * 100) == sum(cents)
    assert not [w for w in warnings if "totals" in w]


def test_a_row_that_cannot_be_read_is_said_before_two_columns_for_one(tmp_path):
    """Whichever reader takes the file (the fast one reads the header first), the unreadable row comes first."""
    folder = data_dir(tmp_path, **{"data.csv": "date,comments,likes,followers,,2 second video views,paid comments\n"
                                               "2025-01-01,-,-,0,,0,1,000Total of 1 results,,,,,,\n"})
    for options in ({}, {"stream_from": 0}):  # (0: through the block reader, however small)
        with pytest.raises(SitegenError) as raised:
            load(folder, **options)
        assert "row has 8 cells, expected 7" in str(raised.value), options
