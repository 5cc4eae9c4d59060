"""TikTok Marketing API report rows as Airbyte's `source-tiktok-marketing` writes them (tests/data/airbyte, every
key a name of its manifest), and as dlt and Fivetran flatten them: read as ads data, a row re-sent by a later
sync replacing its older version. The fixture's 4 rows sum by hand to spend 29.75, impressions 5900, clicks 82,
likes 108, conversions 4; it has no revenue field sitegen trusts, so revenue is n/a."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import DATA, build, error_for, write
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data.headers import header_key
from sitegen.data.load import load_client_data
from sitegen.data.readers import READERS, read_table
from sitegen.data.readers.as_text import cell_text, cells_text
from sitegen.data.recognise import recognise
from sitegen.data.records import flatten_records
from sitegen.errors import Diagnostics, SitegenError
from sitegen.render.formatting import NA

AIRBYTE = DATA / "airbyte"
ADS_LAYOUTS = ["_airbyte_raw_ads_reports_daily.jsonl", "ads_reports_daily.v2.jsonl",
               "ads_reports_daily.records.jsonl", "ads_reports_daily.dlt.csv", "ads_reports_daily.dotted.csv"]
SUMS = {"spend": 29.75, "impressions": 5900, "clicks": 82, "likes": 108, "conversions": 4, "video_views": 4300,
        "views_2s": 1980, "views_6s": 870, "comments": 6, "shares": 9, "follows": 3, "profile_visits": 14}


def _records() -> list[dict]:
    return [json.loads(line) for line in (AIRBYTE / "ads_reports_daily.records.jsonl").read_text().splitlines()]


def _folder(tmp_path: Path, *names: str) -> Path:
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(AIRBYTE / name, data / name)
    return data


def _lines(path: Path, rows: list[dict]) -> Path:
    return write(path, "".join(json.dumps(r) + "\n" for r in rows))


@pytest.mark.parametrize("name", ADS_LAYOUTS)
def test_every_layout_reads_as_the_same_ads_rows(tmp_path, name):
    diagnostics = Diagnostics()
    data = load_client_data(_folder(tmp_path, name), diagnostics)
    ads = data["ads"]
    assert [f.kind for f in data.files] == ["ads"] and len(ads) == 4
    assert {k: round(float(ads[k].sum()), 2) for k in SUMS} == SUMS
    assert list(ads["date"].dt.date) == [date(2024, 3, 1), date(2024, 3, 2)] * 2
    assert list(ads["ad"]) == ["Spring hook A"] * 2 + ["Spring hook B"] * 2
    assert set(ads["campaign"]) == {"Spring Launch"} and set(ads["ad_group"]) == {"Spring Launch - 18-34"}
    assert ads["revenue"].isna().all()  # total_complete_payment_rate is not taken for revenue
    # the one warning: the value field whose meaning is not certain, for the user to map if it is revenue
    [warning] = diagnostics.warnings
    assert "total_complete_payment_rate' for ads data (ignored; map it in [columns]" in warning


def test_campaign_rows_read_as_ads_data_without_conversions(tmp_path):
    data = load_client_data(_folder(tmp_path, "campaigns_reports_daily.records.jsonl"), Diagnostics())
    ads = data["ads"]
    assert list(ads["spend"]) == [19.75, 10.0] and ads["likes"].sum() == 108
    assert ads["conversions"].isna().all() and ads["ad"].isna().all()  # the stream has no conversion: n/a, not 0


def test_the_notes_say_what_was_read(tmp_path):
    data = load_client_data(_folder(tmp_path, "_airbyte_raw_ads_reports_daily.jsonl"), Diagnostics())
    assert data.files[0].notes == [
        "synced records: the fields of _airbyte_data and dimensions and metrics read as columns",
        "sync columns left out: _airbyte_ab_id, _airbyte_emitted_at"]


@pytest.mark.parametrize("later", [1709650000000, "1709650000000", "2024-03-05T15:06:40Z",
                                   "2024-03-05 15:06:40.000000+00:00"])
def test_a_row_re_sent_by_a_later_sync_replaces_its_older_version(tmp_path, later):
    """Airbyte's attribution window re-reads the last days: ad A's 1 March comes again with spend 13.00."""
    lines = [json.loads(line) for line in (AIRBYTE / "ads_reports_daily.v2.jsonl").read_text().splitlines()]
    again = json.loads(json.dumps(lines[0]))
    again["_airbyte_extracted_at"] = later
    again["_airbyte_data"]["metrics"]["spend"] = "13.00"
    _lines(tmp_path / "data" / "ads.jsonl", [again, *lines])  # the newer version first: the sync time decides
    data = load_client_data(tmp_path / "data", Diagnostics())
    assert data["ads"]["spend"].sum() == pytest.approx(30.25)  # 29.75 - 12.50 + 13.00, not 42.75
    assert len(data["ads"]) == 4
    assert ("1 row re-sent by a later sync replaced by the latest version (one row per ad_id, stat_time_day, the "
            "latest by _airbyte_extracted_at)") in data.files[0].notes


def test_local_json_appended_twice_counts_each_row_once(tmp_path):
    """The Local JSON destination in append mode: a second sync appends every row again, later."""
    path = AIRBYTE / "_airbyte_raw_ads_reports_daily.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    again = [{**r, "_airbyte_emitted_at": r["_airbyte_emitted_at"] + 86_400_000} for r in lines]
    _lines(tmp_path / "data" / path.name, lines + again)
    data = load_client_data(tmp_path / "data", Diagnostics())
    assert data["ads"]["spend"].sum() == pytest.approx(29.75) and len(data["ads"]) == 4
    assert any(n.startswith("4 rows re-sent by a later sync") for n in data.files[0].notes)


def test_a_row_sent_twice_by_one_sync_with_the_same_values_counts_once(tmp_path):
    records = _records()
    _lines(tmp_path / "data" / "ads.jsonl", [*records, records[2]])
    data = load_client_data(tmp_path / "data", Diagnostics())
    assert data["ads"]["spend"].sum() == pytest.approx(29.75)
    assert data.files[0].notes[-1] == ("1 row sent twice with the same values counted once (one row per ad_id, "
                                       "stat_time_day)")


def test_two_versions_of_a_row_from_one_sync_are_an_error_naming_both_lines(tmp_path):
    records = _records()
    other = json.loads(json.dumps(records[0]))
    other["metrics"]["spend"] = "99.00"
    path = _lines(tmp_path / "data" / "ads.jsonl", [*records, other])
    with pytest.raises(SitegenError) as caught:
        load_client_data(tmp_path / "data", Diagnostics())
    assert str(caught.value) == (
        f"{path}:5:spend: found two versions of the row with ad_id 1790000000000101, stat_time_day 2024-03-01 "
        "00:00:00 (rows 1 and 5) with no sync time to tell the latest: spend is '12.50' and '99.00'; expected one "
        "version per sync")


@pytest.mark.parametrize("value", ["1800", 1800, 1800.0, "1800.0"])
def test_a_metric_reads_the_same_as_a_string_an_int_or_a_float(tmp_path, value):
    records = _records()
    records[0]["metrics"]["video_play_actions"] = value
    _lines(tmp_path / "data" / "ads.jsonl", records)
    ads = load_client_data(tmp_path / "data", Diagnostics())["ads"]
    assert ads["video_views"].iloc[0] == 1800 and ads["video_views"].sum() == 4300


def test_a_19_digit_advertiser_id_keeps_every_digit(tmp_path):
    records = [{**r, "advertiser_id": 7002238017842757633} for r in _records()]
    records[1]["advertiser_id"] = None  # (a column of ints and nulls is where a float would come in)
    frame = read_table(_lines(tmp_path / "ads.jsonl", records)).frame
    assert list(frame["advertiser_id"]) == ["7002238017842757633", "", "7002238017842757633", "7002238017842757633"]
    assert list(frame["ad_id"]) == ["1790000000000101", "1790000000000101", "1790000000000102", "1790000000000102"]


def test_flatten_records_takes_a_databases_cells():
    """As a database driver returns a table: JSONB as dicts, JSON as text, timestamps typed, 19-digit IDs."""
    records = _records()
    frame = pd.DataFrame({
        "_airbyte_raw_id": ["a", "b", "c"],
        "_airbyte_extracted_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-04 10:00", "2024-03-05 09:00"],
                                                utc=True),
        "advertiser_id": pd.array([7002238017842757633] * 3, dtype="Int64"),
        "stat_time_day": [records[0]["stat_time_day"]] * 3,
        "ad_id": [records[0]["ad_id"]] * 3,
        "metrics": [records[0]["metrics"], json.dumps(records[0]["metrics"]),
                    json.dumps({**records[0]["metrics"], "spend": "13.00"})],
        "dimensions": [records[0]["dimensions"], json.dumps(records[0]["dimensions"]), records[0]["dimensions"]],
    }, index=[1, 2, 3])
    flat, notes = flatten_records(frame)
    assert list(flat.index) == [3] and flat.at[3, "spend"] == "13.00" and flat.at[3, "likes"] == 55.0
    assert flat.at[3, "advertiser_id"] == 7002238017842757633
    assert not [c for c in flat.columns if c.startswith("_airbyte_")]
    assert notes[1].startswith("2 rows re-sent by a later sync")  # rows 1 and 2: one version, sent twice


def test_a_dimension_that_disagrees_with_its_top_level_copy_is_an_error(tmp_path):
    records = _records()
    records[2]["stat_time_day"] = "2024-03-09 00:00:00"
    path = _lines(tmp_path / "ads.jsonl", records)
    with pytest.raises(SitegenError) as caught:
        read_table(path)
    assert str(caught.value) == (f"{path}:3:stat_time_day: found '2024-03-09 00:00:00' in stat_time_day but "
                                 "'2024-03-01 00:00:00' in dimensions.stat_time_day, expected the same value")


def test_a_sync_time_that_is_not_one_is_an_error(tmp_path):
    lines = [json.loads(line) for line in (AIRBYTE / "ads_reports_daily.v2.jsonl").read_text().splitlines()]
    lines.append({**lines[0], "_airbyte_extracted_at": "yesterday"})
    path = _lines(tmp_path / "ads.jsonl", lines)
    with pytest.raises(SitegenError, match=r"ads.jsonl:5:_airbyte_extracted_at: found 'yesterday', expected a sync"):
        read_table(path)


def test_json_lines_are_registered_and_plain_rows_read_as_they_are(tmp_path):
    assert {".jsonl", ".ndjson"} <= set(READERS)
    path = write(tmp_path / "ads.ndjson", '{"date": "2026-10-01", "campaign": "A", "spend": 10, "x": {"a": 1}}\n\n'
                                          '{"date": "2026-10-02", "campaign": "B", "spend": 2.5}\n')
    table = read_table(path)
    assert table.frame.to_dict("list") == {"date": ["2026-10-01", "2026-10-02"], "campaign": ["A", "B"],
                                           "spend": ["10", "2.5"], "x": ['{"a": 1}', ""]}
    assert list(table.row_numbers) == [1, 3] and table.notes == []  # line numbers: the blank line counts


@pytest.mark.parametrize(("text", "where", "message"), [
    ('{"a": 1}\n{"a": 2\n', ":2:8:", "invalid JSON: Expecting ',' delimiter"),
    ('{"a": 1}\n[1, 2]\n', ":2:", "found an array, expected one JSON object per line"),
    (b'{"a": "\xff"}\n', ":1:8:", "found byte 0xFF, which is not UTF-8 text"),
    ("\n\n", ":", "no data rows, expected one JSON object per line"),
])
def test_a_bad_line_is_one_error_naming_its_line(tmp_path, text, where, message):
    path = write(tmp_path / "ads.jsonl", text)
    with pytest.raises(SitegenError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{path}{where} {message}")


def test_flattened_and_fivetran_headers_map_onto_the_ads_columns():
    assert header_key("metrics.spend") == header_key("metrics__spend") == header_key("spend")
    assert header_key("dimensions/stat_time_day") == "stat_time_day"
    kind, mapping, _ = recognise(["stat_time_day", "campaign_name", "spend", "video_watched_2_s",
                                  "video_watched_6_s", "video_play_actions", "conversion", "_fivetran_synced"], {})
    assert kind.name == "ads" and mapping == {
        "stat_time_day": "date", "campaign_name": "campaign", "spend": "spend", "video_watched_2_s": "views_2s",
        "video_watched_6_s": "views_6s", "video_play_actions": "video_views", "conversion": "conversions"}
    for value_field in ("total_complete_payment_rate", "total_purchase_value", "metrics__total_purchase_value"):
        assert not recognise(["stat_time_day", "campaign_name", "spend", value_field], {})[1].get(value_field)


def test_an_advertiser_report_is_not_taken_for_account_data(tmp_path):
    """advertisers_reports_daily has paid likes, shares, ... but no campaign: not TikTok Studio's account days."""
    _lines(tmp_path / "data" / "advertisers.jsonl", [
        {"metrics": {"spend": "5.00", "cash_spend": "5.00", "voucher_spend": "0", "impressions": "900",
                     "likes": 3.0, "comments": 0.0, "shares": 1.0, "video_play_actions": 400.0},
         "dimensions": {"advertiser_id": 7002238017842757633, "stat_time_day": "2024-03-01 00:00:00"},
         "stat_time_day": "2024-03-01 00:00:00", "advertiser_id": 7002238017842757633}])
    with pytest.raises(SitegenError, match="missing required column 'campaign' for ads data"):
        load_client_data(tmp_path / "data", Diagnostics())


_SYNC = st.integers(1_709_000_000_000, 1_709_999_999_999)


@st.composite
def _versions(draw):
    """Report rows of 2 ads × 3 days, each sent by 1-3 syncs (distinct times), some lines sent twice."""
    lines = []
    for ad in (1790000000000101, 1790000000000102):
        for day in ("2024-03-01 00:00:00", "2024-03-02 00:00:00", "2024-03-03 00:00:00"):
            times = draw(st.lists(_SYNC, min_size=1, max_size=3, unique=True))
            for time in times:
                cents = draw(st.integers(0, 100_000))
                spend = draw(st.sampled_from([f"{cents / 100:.2f}", cents / 100, str(cents / 100)]))
                likes = draw(st.integers(0, 500))
                line = {"_airbyte_emitted_at": draw(st.sampled_from([time, str(time)])),
                        "_airbyte_data": {"metrics": {"spend": spend, "likes": draw(st.sampled_from(
                            [likes, float(likes), str(likes)]))}, "dimensions": {"ad_id": ad, "stat_time_day": day},
                            "stat_time_day": day, "ad_id": ad}}
                lines += [line] * draw(st.integers(1, 2))
    return draw(st.permutations(lines))


@settings(max_examples=60, deadline=None)
@given(_versions())
def test_totals_are_the_sums_over_the_latest_version_of_each_row(lines):
    frame = pd.DataFrame({c: [line[c] for line in lines] for c in ("_airbyte_emitted_at", "_airbyte_data")},
                         index=np.arange(1, len(lines) + 1), dtype=object)
    flat, _ = flatten_records(frame)
    latest: dict[tuple, dict] = {}
    for line in lines:
        data, time = line["_airbyte_data"], int(line["_airbyte_emitted_at"])
        key = (data["ad_id"], data["stat_time_day"])
        if key not in latest or time > latest[key][0]:
            latest[key] = (time, data["metrics"])
    assert len(flat) == len(latest) == 6
    assert round(sum(float(v) for v in flat["spend"]) * 100) == round(
        sum(float(m["spend"]) for _, m in latest.values()) * 100)
    assert sum(float(v) for v in flat["likes"]) == sum(float(m["likes"]) for _, m in latest.values())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=8),
                          st.sampled_from(['="007"', " =\"x\" ", "1800.0", " 12.50 ", 2.0**53, -(2.0**60)]))))
def test_json_cells_read_as_cell_text_reads_them(values):
    assert cells_text(values) == [cell_text(v) for v in values]


def test_a_tiny_project_of_airbyte_records_builds_with_revenue_na(tmp_path):
    project = tmp_path / "project"
    _folder(project / "content" / "acme", "ads_reports_daily.v2.jsonl")
    write(project / "content" / "acme" / "client.toml", 'name = "Acme"\ncurrency = "USD"\n')
    write(project / "content" / "acme" / "2024-03.md", '---\ntitle: "March 2024"\nperiod: "2024-03"\n---\n'
                                                       'ROI was {{ kpi("roi") }}.\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    kpis = json.loads((tmp_path / "out" / "acme" / "2024-03" / "kpis.json").read_text())["kpis"]
    assert {k: kpis[k]["value"] for k in ("spend", "impressions", "clicks", "likes", "conversions")} == {
        "spend": 29.75, "impressions": 5900, "clicks": 82, "likes": 108, "conversions": 4}
    assert kpis["revenue"]["value"] is None and kpis["roi"]["value"] is None
    assert kpis["revenue"]["missing"] == "not in your data"
    assert f"ROI was {NA}." in (tmp_path / "out" / "acme" / "2024-03" / "index.html").read_text()  # not 0


def test_a_malformed_line_stops_the_build_with_one_error_line(tmp_path):
    project = tmp_path / "project"
    data = _folder(project / "content" / "acme", "ads_reports_daily.v2.jsonl")
    path = data / "ads_reports_daily.v2.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-1]  # a line cut short, as a sync killed half-way leaves it
    path.write_text("\n".join(lines) + "\n")
    write(project / "content" / "acme" / "2024-03.md", '---\ntitle: "March 2024"\nperiod: "2024-03"\n---\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 2 and len(run.error_lines) == 1, run.stderr
    error = error_for(run, path, project)
    assert error.row == 3 and error.message.startswith("invalid JSON: Expecting ',' delimiter")
    assert "Traceback" not in run.stderr


MESSAGES = "campaigns_reports_daily.messages.jsonl"  # the shape of a connector's expected_records.jsonl


def test_airbyte_record_messages_read_as_their_streams_rows(tmp_path):
    data = load_client_data(_folder(tmp_path, MESSAGES), Diagnostics())
    ads = data["ads"]
    assert list(ads["spend"]) == [19.75, 10.0] and ads["likes"].sum() == 108 and ads["impressions"].sum() == 5900
    assert list(ads["date"].dt.date) == [date(2024, 3, 1), date(2024, 3, 2)]
    assert data.files[0].notes[0] == "Airbyte record messages of the stream campaigns_reports_daily"


def test_a_record_message_re_sent_later_replaces_the_older(tmp_path):
    lines = [json.loads(line) for line in (AIRBYTE / MESSAGES).read_text().splitlines()]
    again = json.loads(json.dumps(lines[0]))
    again["emitted_at"] += 86_400_000
    again["data"]["metrics"]["spend"] = "21.00"
    _lines(tmp_path / "data" / "campaigns.jsonl", [*lines, again])
    data = load_client_data(tmp_path / "data", Diagnostics())
    ads = data["ads"]
    assert dict(zip(ads["date"].dt.day, ads["spend"])) == {1: 21.0, 2: 10.0} and len(ads) == 2  # not 19.75 + 21


def test_record_messages_of_several_streams_are_one_error(tmp_path):
    lines = [json.loads(line) for line in (AIRBYTE / MESSAGES).read_text().splitlines()]
    advertiser = {"stream": "advertisers_reports_daily", "emitted_at": 1709550000009,
                  "data": {"metrics": {"spend": "20.000"}, "dimensions": {"advertiser_id": 7002238017842757633,
                                                                         "stat_time_day": "2024-03-01 00:00:00"}}}
    _lines(tmp_path / "data" / "all-streams.jsonl", [*lines, advertiser])
    with pytest.raises(SitegenError) as raised:
        load_client_data(tmp_path / "data", Diagnostics())
    error = getattr(raised.value, "errors", [raised.value])[0]
    assert (error.row, error.column) == (3, "stream")
    assert "found records of 2 streams (campaigns_reports_daily, advertisers_reports_daily)" in error.message


def test_a_message_without_its_stream_is_named_so(tmp_path):
    lines = [json.loads(line) for line in (AIRBYTE / MESSAGES).read_text().splitlines()]
    _lines(tmp_path / "data" / "campaigns.jsonl", [lines[0], {**lines[1], "stream": None}])
    with pytest.raises(SitegenError) as raised:
        load_client_data(tmp_path / "data", Diagnostics())
    error = getattr(raised.value, "errors", [raised.value])[0]
    assert "2 streams (campaigns_reports_daily, (no stream))" in error.message and error.row == 2
