import json

import pandas as pd
import pytest
from helpers import write_csv
from tiny_data import TABLES

from sitegen.data.kinds import KINDS
from sitegen.data.load import load_client_data
from sitegen.data.recognise import recognise
from sitegen.errors import Diagnostics, SitegenError, SitegenErrors


def _write(path, rows, fmt):
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        write_csv(path, rows)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_every_format_loads_to_the_same_table(tmp_path, fmt):
    reference = load_client_data(_csv_dir(tmp_path / "ref"), Diagnostics())
    data = tmp_path / fmt / "data"
    for kind, rows in TABLES.items():
        _write(data / f"{kind}.{fmt}", rows, fmt)
    loaded = load_client_data(data, Diagnostics())
    for kind in KINDS:
        pd.testing.assert_frame_equal(loaded[kind], reference[kind], check_dtype=False, obj=kind)


def _csv_dir(root):
    for kind, rows in TABLES.items():
        write_csv(root / "data" / f"{kind}.csv", rows)
    return root / "data"


def test_kind_recognised_by_columns_not_file_name(tmp_path):
    write_csv(tmp_path / "data" / "export (3).csv", TABLES["orders"])
    write_csv(tmp_path / "data" / "whatever.csv", TABLES["hashtags"])
    data = load_client_data(tmp_path / "data", Diagnostics())
    assert len(data["orders"]) == 2 and len(data["hashtags"]) == 2
    assert {f.kind for f in data.files} == {"orders", "hashtags"}


def test_recognise_prefers_the_kind_that_knows_most_columns():
    kind, _, _ = recognise(["date", "followers", "likes"], {})
    assert kind.name == "account"
    kind, mapping, _ = recognise(["Date", "Campaign name", "Cost", "Paid likes"], {})
    assert kind.name == "ads" and mapping["Cost"] == "spend" and mapping["Paid likes"] == "likes"
    kind, _, candidates = recognise(["date", "campaign", "impressions"], {})
    assert kind is None and candidates[0].name == "ads"
    kind, mapping, _ = recognise(["Tag", "Kampagne", "Ausgaben (EUR)"], {"Ausgaben (EUR)": "spend"})
    assert kind.name == "ads" and mapping == {"Tag": "date", "Kampagne": "campaign", "Ausgaben (EUR)": "spend"}


def test_monthly_drops_add_up_and_identical_duplicates_count_once(tmp_path):
    rows = TABLES["ads"]
    write_csv(tmp_path / "data" / "ads-2026-09.csv", [rows[2]])
    write_csv(tmp_path / "data" / "ads-2026-10.csv", rows[:2])
    write_csv(tmp_path / "data" / "ads-2026-10-copy.csv", rows[:2])
    diagnostics = Diagnostics()
    data = load_client_data(tmp_path / "data", diagnostics)
    assert len(data["ads"]) == 3
    assert data["ads"]["spend"].sum() == 1149
    assert diagnostics.warnings == []  # an overlapping download is no mistake
    # (both downloaded the same day, as far as the files tell: the later one by name)
    [note] = [n for f in data.files if f.path.name == "ads-2026-10-copy.csv" for n in f.notes if "also in" in n]
    assert note == "2 ads rows also in ads-2026-10.csv: counted once, with that file's figures where it has them"


def test_ids_stay_text(tmp_path):
    write_csv(tmp_path / "data" / "videos.csv", TABLES["videos"])
    videos = load_client_data(tmp_path / "data", Diagnostics())["videos"]
    assert videos["video_id"].tolist()[0] == "7000000000000000001"


def test_unknown_column_is_a_warning(tmp_path):
    write_csv(tmp_path / "data" / "ads.csv", [{**TABLES["ads"][0], "mood": "happy"}])
    diagnostics = Diagnostics()
    load_client_data(tmp_path / "data", diagnostics)
    assert any("unknown column 'mood'" in w and "ads.csv:1:mood" in w for w in diagnostics.warnings)


def _error_lines(tmp_path, rows, name="ads.csv"):
    write_csv(tmp_path / "data" / name, rows)
    with pytest.raises(SitegenError) as info:
        load_client_data(tmp_path / "data", Diagnostics())
    exc = info.value
    return [str(e) for e in exc.errors] if isinstance(exc, SitegenErrors) else [str(exc)]


def test_bad_cells_name_file_row_column_and_expectation(tmp_path):
    rows = [dict(TABLES["ads"][0]), dict(TABLES["ads"][1])]
    rows[1]["clicks"] = "many"
    rows[0]["date"] = "31/02/2026"
    lines = _error_lines(tmp_path, rows)
    assert lines[0].endswith("ads.csv:2:date: found '31/02/2026', expected a date like 2026-10-31")
    assert lines[1].endswith("ads.csv:3:clicks: found 'many', expected a whole number >= 0")


def test_negative_spend_and_empty_required_cells(tmp_path):
    rows = [dict(TABLES["ads"][0], spend="-5"), dict(TABLES["ads"][1], campaign="")]
    lines = _error_lines(tmp_path, rows)
    assert any("ads.csv:2:spend: found '-5', expected an amount >= 0" in line for line in lines)
    assert any("ads.csv:3:campaign: found an empty cell, expected text" in line for line in lines)


def test_enum_and_bool_cells(tmp_path):
    rows = [dict(TABLES["community"][0], channel="fax", lead="maybe")]
    lines = _error_lines(tmp_path, rows, "community.csv")
    assert any(":2:channel: found 'fax', expected one of comment, dm" in line for line in lines)
    assert any(":2:lead: found 'maybe', expected true or false" in line for line in lines)


def test_missing_required_column(tmp_path):
    rows = [{k: v for k, v in TABLES["ads"][0].items() if k != "spend"}]
    [line] = _error_lines(tmp_path, rows)
    assert "ads.csv:1: missing required column 'spend' for ads data" in line


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ads.csv").write_text("")
    with pytest.raises(SitegenError, match=r"ads.csv:1: empty file"):
        load_client_data(tmp_path / "data", Diagnostics())
    (tmp_path / "data" / "ads.csv").write_text("date,campaign,spend\n")
    with pytest.raises(SitegenError, match=r"ads.csv:2: no data rows"):
        load_client_data(tmp_path / "data", Diagnostics())


def test_missing_data_folder(tmp_path):
    with pytest.raises(SitegenError, match="data folder is missing"):
        load_client_data(tmp_path / "nope", Diagnostics())


def test_alike_rows_inside_one_file_are_kept(tmp_path):
    row = dict(received_at="2026-10-01 10:00", channel="comment", direction="inbound", sentiment="negative")
    write_csv(tmp_path / "data" / "community.csv", [row, row, row])
    write_csv(tmp_path / "data" / "community-again.csv", [row, row])
    diagnostics = Diagnostics()
    data = load_client_data(tmp_path / "data", diagnostics)
    assert len(data["community"]) == 3  # the second file's two copies repeat two of the first file's three
    [note] = next(f for f in data.files if f.path.name == "community-again.csv").notes
    assert note.startswith("2 community rows also in community.csv: counted once")


def test_many_bad_cells_list_twenty_then_a_count(tmp_path):
    rows = [dict(TABLES["ads"][0], clicks="x", date=f"2026-10-{i % 28 + 1:02d}", campaign=f"c{i}") for i in range(500)]
    write_csv(tmp_path / "data" / "ads.csv", rows)
    with pytest.raises(SitegenErrors) as info:
        load_client_data(tmp_path / "data", Diagnostics())
    lines = info.value.lines()
    assert len(lines) == 21
    assert lines[0].endswith("ads.csv:2:clicks: found 'x', expected a whole number >= 0")
    assert lines[19].endswith("ads.csv:21:clicks: found 'x', expected a whole number >= 0")
    assert lines[20] == "... and 480 more bad cells in ads.csv not listed; 500 bad cells in ads.csv in all"
    assert str(info.value.errors[-1]).endswith(
        "ads.csv:clicks: 479 more cells in this column that are not a whole number >= 0 (not listed one by one)")
