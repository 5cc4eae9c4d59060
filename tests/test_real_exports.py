"""Exports as TikTok Ads Manager, TikTok Studio and spreadsheets write them: the small files of tests/data in the
formats of real downloads, and the larger real samples of ../shared/samples where they are."""

import csv
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import DATA, german_resave, make_project, shared_samples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics, SitegenError

ADS_EXPORT = DATA / "ads-manager-export.csv"  # every column Ads Manager can write (see tests/data/README.md)
REAL_EXPORT = DATA / "ads-manager-real.csv"  # the columns of a real download, IDR


def load(folder: Path, columns=None):
    diagnostics = Diagnostics()
    return load_client_data(folder, diagnostics, columns), diagnostics.warnings


def data_dir(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def test_real_export_loads_as_downloaded(tmp_path):
    data, warnings = load(data_dir(tmp_path, REAL_EXPORT))
    ads = data["ads"]
    assert len(ads) == 9 and warnings == []
    assert ads["spend"].sum() == 5_835_000  # the "Total of 9 results" row is not counted
    assert ads["impressions"].sum() == 494_100 and ads["clicks"].sum() == 1_900 and ads["conversions"].sum() == 39
    assert data.currencies == {"IDR"}
    [info] = data.files
    assert "totals row matches (spend, impressions, clicks, conversions)" in info.notes
    assert (ads["spend"] == 0).sum() == 3  # zero-activity rows are kept


def test_shared_real_export_loads_as_downloaded(tmp_path):
    export = next((shared_samples() / "real").glob("*.csv"))
    data, warnings = load(data_dir(tmp_path, export))
    ads = data["ads"]
    assert len(ads) == 5928 and warnings == []
    assert ads["spend"].sum() == 598143548  # the "Total of 5928 results" row, which is not counted
    assert ads["clicks"].sum() == 248038 and ads["conversions"].sum() == 8498
    assert "totals row matches (spend, impressions, clicks, conversions)" in data.files[0].notes


def _maps_every_metric(ads: pd.DataFrame) -> None:
    for column in ("reach", "video_views", "views_2s", "views_6s", "likes", "comments", "shares", "follows",
                   "profile_visits", "revenue"):
        assert ads[column].notna().all() and ads[column].sum() > 0, column
    assert ads["campaign"].str.contains("<b>Summer</b>", regex=False).any()


def test_full_column_export_maps_every_metric(tmp_path):
    data, warnings = load(data_dir(tmp_path, ADS_EXPORT))
    ads = data["ads"]
    assert warnings == [] and len(ads) == 8 and data.currencies == {"USD"}
    assert round(ads["spend"].sum(), 2) == 2000.00 and round(ads["revenue"].sum(), 2) == 4451.50
    assert ads["clicks"].sum() == 2_600 and ads["video_views"].sum() == 108_000 and ads["likes"].sum() == 3_200
    _maps_every_metric(ads)


def test_shared_full_column_export_maps_every_metric(tmp_path):
    data, warnings = load(data_dir(tmp_path, next((shared_samples() / "ads-manager-export").glob("*.csv"))))
    ads = data["ads"]
    assert warnings == [] and len(ads) == 251 and round(ads["spend"].sum(), 2) == 71912.88
    _maps_every_metric(ads)


def test_real_export_builds_a_report_in_its_currency(tmp_path):
    root = make_project(tmp_path, {}, {"2024-01.md": "January: {{ kpi('spend') }}"})
    shutil.copy(REAL_EXPORT, root / "content/acme/data" / REAL_EXPORT.name)
    build(root, BuildOptions(output=root / "output"))
    document = json.loads((root / "output/acme/2024-01/kpis.json").read_text())
    assert document["currency"] == "IDR"
    assert document["kpis"]["spend"]["value"] == 3_250_000  # the export's rows of January 2024


def test_german_resave_gives_the_same_numbers(tmp_path):
    english, _ = load(data_dir(tmp_path / "en", ADS_EXPORT))
    folder = tmp_path / "de" / "data"
    folder.mkdir(parents=True)
    german_resave(ADS_EXPORT, folder / "export.csv")
    german_data, warnings = load(folder)
    assert warnings == []
    pd.testing.assert_frame_equal(german_data["ads"], english["ads"])
    notes = german_data.files[0].notes
    assert "delimiter ';'" in notes and "decimal comma (1.234,56)" in notes and "dates as day.month.year" in notes


@pytest.mark.parametrize("headers", [
    ["DATE", "CAMPAIGN NAME", "COST"], ["By Day", "Campaign", "Spend"], ["date", "campaign names", "cost"],
    ["Date", "Campaign\u00a0name", "Cost"], ["Date", "Campaign name", "Cost", "Clicks（destination）"],
    ["Stat time day", "Campaign name", "Total cost", "Clicks (destination)"],
])
def test_header_spellings(tmp_path, headers):
    (tmp_path / "data").mkdir()
    rows = [headers, ["2026-10-01", "A", "1.50"] + ["7"] * (len(headers) - 3)]
    with (tmp_path / "data" / "x.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    data, warnings = load(tmp_path / "data")
    assert warnings == [] and data["ads"]["spend"].tolist() == [1.5]
    if len(headers) == 4:
        assert data["ads"]["clicks"].tolist() == [7]


def test_user_column_mapping_and_suggestions(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("Datum;Kampagne;Kostn (EUR)\n01.10.2026;A;12,50\n")
    with pytest.raises(SitegenError) as info:
        load(tmp_path / "data")
    message = str(info.value)
    assert "x.csv:1: missing required column 'spend' for ads data" in message
    assert "file columns: Datum, Kampagne, Kostn (EUR)" in message
    assert "'Kostn (EUR)' looks like spend (close to 'kosten'; its cells are amounts)" in message
    assert message.endswith('map it in client.toml [columns]: "Kostn (EUR)" = "spend"')
    data, _ = load(tmp_path / "data", {"Kostn (EUR)": "spend"})
    assert data["ads"]["spend"].tolist() == [12.5]


def test_mapping_in_client_toml_reaches_the_loader(tmp_path):
    root = make_project(tmp_path, {}, {"2026-10.md": "x"}, client_toml='[columns]\n"Ausgaben netto" = "spend"\n')
    (root / "content/acme/data/x.csv").write_text("Datum;Kampagne;Ausgaben netto\n01.10.2026;A;12,50\n")
    build(root, BuildOptions(output=root / "output"))
    assert json.loads((root / "output/acme/2026-10/kpis.json").read_text())["kpis"]["spend"]["value"] == 12.5


def test_tiktok_studio_exports(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "Content.csv").write_text(
        '"Time","Video title","Video link","Post time","Total likes","Total comments","Total shares","Total views"\n'
        '"2026-10-31","Unboxing <b>!</b>","https://www.tiktok.com/@brand/video/7458906761674860773",'
        '"2026-10-05 18:00:00","1,204","33","12","20,551"\n')
    (folder / "Overview.csv").write_text("Date,Video Views,Profile Views,Likes,Comments,Shares\n"
                                         "2026-10-01,1000,50,80,3,1\n")
    (folder / "FollowerHistory.csv").write_text("Date,Followers,Difference in followers from previous day\n"
                                                "2026-10-01,1500,12\n")
    data, warnings = load(folder)
    videos = data["videos"]
    assert videos["video_id"].tolist() == ["7458906761674860773"]
    assert videos[["likes", "views", "comments", "shares"]].iloc[0].tolist() == [1204, 20551, 33, 12]
    assert videos["title"].tolist() == ["Unboxing <b>!</b>"]
    account = data["account"]
    assert sorted(f.kind for f in data.files) == ["account", "account", "videos"]
    assert account["followers"].max() == 1500 and account["profile_views"].max() == 50


def test_long_ids_stay_text_and_scientific_ids_are_errors(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "v.csv").write_text("video_id,posted_at,views,likes\n7458906761674860773,2026-10-01,1,1\n"
                                             "7.45891E+18,2026-10-02,1,1\n")
    with pytest.raises(SitegenError, match=r"v.csv:3:video_id: found '7.45891E\+18', expected an ID with all"):
        load(tmp_path / "data")


def test_excel_number_ids_are_errors(tmp_path):
    (tmp_path / "data").mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Video report"])
    sheet.append(["video_id", "posted_at", "views", "likes"])
    sheet.append(["7458906761674860773", "2026-10-01", 5, 1])
    sheet.append([7458906761674860773.0, "2026-10-02", 5, 1])
    book.save(tmp_path / "data" / "videos.xlsx")
    with pytest.raises(SitegenError, match=r"videos.xlsx:4:video_id: found an ID stored as a number"):
        load(tmp_path / "data")


def test_null_and_mask_tokens_are_missing_not_zero(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text(
        "date,campaign,spend,clicks,conversions,revenue\n2026-10-01,A,1,-,--,N/A\n2026-10-02,A,1,—,undefined,<5\n"
        "2026-10-03,A,1,,7,3.5\n")
    data, _ = load(tmp_path / "data")
    ads = data["ads"]
    assert ads["clicks"].isna().all()
    assert ads["conversions"].isna().tolist() == [True, True, False] and ads["conversions"].iloc[2] == 7
    assert ads["revenue"].isna().tolist() == [True, True, False] and ads["revenue"].sum() == 3.5
    assert "2 cells in column 'conversions' read as missing ('-', 'N/A', ...)" in data.files[0].notes


def test_totals_mismatch_warns(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("Date,Campaign name,Cost\n2026-10-01,A,1.00\n2026-10-02,A,2.00\n"
                                             "Total of 2 results,-,4.00\n")
    data, warnings = load(tmp_path / "data")
    assert len(data["ads"]) == 2
    assert warnings == [f"{tmp_path / 'data' / 'a.csv'}: totals row does not match the rows "
                        "(spend: totals row 4.00, rows add up to 3.00)"]


def test_plausibility_warnings(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("date,campaign,spend,impressions,clicks\n2026-10-01,A,1,10,20\n"
                                             "2099-01-01,A,1,10,1\n")
    (tmp_path / "data" / "b.csv").write_text("date,campaign,spend,impressions,clicks\n2026-10-01,A,5,10,20\n")
    _, warnings = load(tmp_path / "data")
    assert any("a.csv:2: clicks above impressions in 2 ads rows" in w for w in warnings)
    assert any("a.csv:3: dates in the future in 1 ads row" in w for w in warnings)
    # the same day with other figures: b.csv's count, and which file is the later download is only a guess
    assert any(w.startswith(f"{tmp_path / 'data' / 'b.csv'}: 1 day of a.csv with other ads figures in this file: "
                            "this file's are used as the later download, but both were downloaded on ")
               for w in warnings)


def test_ambiguous_dates_are_reported(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("date,campaign,spend\n03/04/2026,A,1\n05/06/2026,A,1\n")
    data, warnings = load(tmp_path / "data")
    assert any("could be day/month or month/day; read as month/day" in w for w in warnings)
    assert str(data["ads"]["date"].min().date()) == "2026-03-04"


def test_xlsx_export_with_title_rows(tmp_path):
    (tmp_path / "data").mkdir()
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Total spend", 3])
    sheet = book.create_sheet("Data")
    for row in (["Campaign report Oct 2026"], [], ["Date", "Campaign name", "Cost", "Impression"],
                ["2026-10-01", "A", 1.25, 100], ["2026-10-02", "B", 1.75, 200]):
        sheet.append(row)
    book.save(tmp_path / "data" / "report.xlsx")
    data, warnings = load(tmp_path / "data")
    assert data["ads"]["spend"].tolist() == [1.25, 1.75] and warnings == []
    assert "sheet 'Data', header in row 3" in data.files[0].notes


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(values=st.lists(amounts, min_size=1, max_size=30), german_style=st.booleans())
def test_accepted_csv_round_trips_numbers_exactly(tmp_path, values, german_style):
    folder = tmp_path / ("de" if german_style else "en") / "data"
    folder.mkdir(parents=True, exist_ok=True)

    def written(v: Decimal) -> str:
        text = f"{v:,.2f}"
        return text.translate(str.maketrans(",.", ".,")) if german_style else text

    sep = ";" if german_style else ","
    lines = [sep.join(["date", "campaign", "spend"])]
    lines += [sep.join([f"2026-10-{i % 28 + 1:02d}", f"c{i}", f'"{written(v)}"']) for i, v in enumerate(values)]
    (folder / "ads.csv").write_text("\n".join(lines) + "\n")
    data, _ = load(folder)
    assert [Decimal(str(x)).quantize(Decimal("0.01")) for x in data["ads"]["spend"]] == values
    assert data["ads"]["spend"].tolist() == [float(v) for v in values]


def test_check_command(tmp_path):
    root = make_project(tmp_path, {}, {"2026-10.md": "x"})
    shutil.copy(ADS_EXPORT, root / "content/acme/data/export.csv")
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(root)], capture_output=True, text=True,
                         env={"CI": "1", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert "acme (acme): 1 files, 8 rows, 2026-09-07 to 2026-10-31" in run.stdout
    assert "totals row matches" in run.stdout
    as_json = subprocess.run([sys.executable, "-m", "sitegen", "check", str(root), "--json"], capture_output=True,
                             text=True)
    assert json.loads(as_json.stdout)["clients"][0]["files"][0]["rows"] == 8
    (root / "content/acme/data/bad.csv").write_text("date,campaign,spend\n2026-10-01,A,lots\n")
    run = subprocess.run([sys.executable, "-m", "sitegen", "check", str(root)], capture_output=True, text=True)
    assert run.returncode == 2 and "bad.csv:2:spend: found 'lots', expected an amount >= 0" in run.stderr
    assert "Traceback" not in run.stderr
