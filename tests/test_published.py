"""What changed since the last publish: the record of published figures (render.published), its comparison, and a
restated day as the client page, the report, kpis.json and `build --explain` show it."""

from __future__ import annotations

import json
import shutil

from helpers import build as run_build
from helpers import make_project, tree_digest, write_csv
from hypothesis import given
from hypothesis import strategies as st
from tiny_data import TABLES

from sitegen.build.site import BuildOptions, build
from sitegen.metrics.catalogue import KPI_IDS
from sitegen.render.published import (
    changed_files,
    latest,
    read_record,
    record_bytes,
    shown,
    updated_entry,
    updated_record,
)

NOV5, NOV8, NOV9 = "1793836800", "1794096000", "1794182400"  # SOURCE_DATE_EPOCH of 5, 8 and 9 Nov 2026


def numbers(**values) -> dict:
    """`report_figures` of a report whose KPIs are n/a but `values` (revenue from ads, likes from ads and videos)."""
    figures = {k: None for k in KPI_IDS} | values
    sources = {"revenue": ["ads"], "conversions": ["ads"], "likes": ["ads", "videos"]}
    return {"figures": figures, "sources": {k: v for k, v in sources.items() if figures.get(k) is not None}}


def entry(**values) -> dict:
    return updated_entry(None, numbers(**values), "k", {}, "2026-11-05", "EUR")[0]


def test_nothing_is_listed_without_a_previous_entry():
    made, found = updated_entry(None, numbers(revenue=400.0), "k", {"ads.csv": "ads"}, "2026-11-05", "EUR")
    assert found == [] and made["changes"] == [] and made["published"] == "2026-11-05"


def test_a_change_below_the_shown_rounding_is_none_and_keeps_the_recorded_value():
    made, found = updated_entry(entry(revenue=1234.001), numbers(revenue=1234.004), "k2", {}, "2026-11-08", "EUR")
    assert found == [] and made["figures"]["revenue"] == 1234.001  # the same bytes as before
    assert shown("revenue", 1234.001, "EUR") == shown("revenue", 1234.004, "EUR") == "€1,234.00"


def test_a_cent_is_a_change_with_old_new_file_and_date():
    changed = {"ads.csv": "ads", "videos.csv": "videos"}
    made, found = updated_entry(entry(revenue=1234.0), numbers(revenue=1234.01), "k2", changed, "2026-11-08", "EUR")
    assert found == [{"kpi": "revenue", "old": 1234.0, "new": 1234.01, "files": ["ads.csv"], "on": "2026-11-08"}]
    assert made["changes"] == found and made["published"] == "2026-11-05"


def test_a_yen_amount_changes_only_by_a_whole_yen():
    assert shown("revenue", 1000.4, "JPY") == shown("revenue", 999.6, "JPY")
    assert shown("revenue", 1000.4, "JPY") != shown("revenue", 1001.0, "JPY")


def test_a_rate_changes_by_its_shown_decimals():
    assert shown("roi", 1.0630, "EUR") == shown("roi", 1.0634, "EUR")  # 106.3% both
    _, found = updated_entry(entry(roi=1.0630), numbers(roi=1.0634), "k2", {}, "2026-11-08", "EUR")
    assert found == []
    _, found = updated_entry(entry(roi=1.0630), numbers(roi=1.0710), "k2", {}, "2026-11-08", "EUR")
    assert [c["kpi"] for c in found] == ["roi"]


def test_na_to_a_value_and_back_are_changes():
    _, found = updated_entry(entry(), numbers(revenue=0.0), "k2", {"ads.csv": "ads"}, "2026-11-08", "EUR")
    assert [(c["kpi"], c["old"], c["new"]) for c in found] == [("revenue", None, 0.0)]
    _, found = updated_entry(entry(revenue=5.0), numbers(), "k2", {"ads.csv": None}, "2026-11-08", "EUR")
    assert [(c["kpi"], c["old"], c["new"], c["files"]) for c in found] == [("revenue", 5.0, None, ["ads.csv"])]


def test_the_files_named_are_those_of_the_figures_kinds_else_all_changed():
    changed = {"ads.csv": "ads", "shop.csv": "orders", "videos.csv": "videos"}
    _, found = updated_entry(entry(likes=10.0, revenue=1.0), numbers(likes=12.0, revenue=2.0), "k2", changed,
                             "2026-11-08", "EUR")
    assert {c["kpi"]: c["files"] for c in found} == {"likes": ["ads.csv", "videos.csv"], "revenue": ["ads.csv"]}
    _, found = updated_entry(entry(revenue=1.0), numbers(revenue=2.0), "k2", {"x.csv": "orders"}, "2026-11-08", "EUR")
    assert found[0]["files"] == ["x.csv"]  # no file of its kind changed: every changed file is named


def test_changed_files_are_added_removed_or_rehashed():
    old = {"a.csv": {"hash": "1", "kind": "ads"}, "b.csv": {"hash": "2", "kind": "videos"},
           "gone.csv": {"hash": "3", "kind": "account"}}
    new = {"a.csv": {"hash": "1", "kind": "ads"}, "b.csv": {"hash": "9", "kind": "videos"},
           "new.csv": {"hash": "4", "kind": None}}
    assert changed_files(old, new) == {"b.csv": "videos", "gone.csv": "account", "new.csv": None}


def test_a_change_is_kept_until_the_figure_changes_again():
    first, _ = updated_entry(entry(revenue=1.0), numbers(revenue=2.0), "k2", {}, "2026-11-08", "EUR")
    again, found = updated_entry(first, numbers(revenue=2.0), "k2", {}, "2026-11-09", "EUR")
    assert found == [] and again == first
    later, found = updated_entry(first, numbers(revenue=3.0), "k3", {}, "2026-11-10", "EUR")
    assert [(c["old"], c["new"], c["on"]) for c in later["changes"]] == [(2.0, 3.0, "2026-11-10")]


def test_a_client_page_lists_the_changes_of_the_last_date():
    a = {"changes": [{"kpi": "revenue", "old": 1.0, "new": 2.0, "files": [], "on": "2026-11-08"}]}
    b = {"changes": [{"kpi": "likes", "old": 1.0, "new": 2.0, "files": [], "on": "2026-11-09"}]}
    assert latest({"2026-09": a, "2026-10": b}) == ("2026-11-09", [("2026-10", b["changes"][0])])
    assert latest({"2026-09": {"changes": []}}) == (None, [])


def test_a_record_reads_back_as_written_and_garbage_is_none():
    record, _ = updated_record(None, [("2026-10", "k", numbers(revenue=400.0))],
                               {"ads.csv": {"hash": "1", "kind": "ads"}}, "2026-11-05", "EUR")
    assert read_record(record_bytes(record)) == record
    assert read_record(b"{not json") is None and read_record(b'{"version": 2}') is None


_VALUES = st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False), st.integers(-10**6, 10**6).map(float))
_FIGURES = st.fixed_dictionaries({k: _VALUES for k in ("revenue", "likes", "roi", "roas", "cpa", "conversions")})


@given(_FIGURES, _FIGURES)
def test_a_record_compared_with_itself_lists_nothing_and_each_change_once(before, after):
    files = {"ads.csv": {"hash": "1", "kind": "ads"}}
    record, _ = updated_record(None, [("r", "k", numbers(**before))], files, "2026-11-05", "EUR")
    assert updated_record(record, [("r", "k", numbers(**before))], files, "2026-11-08", "EUR") == (record, [])
    # under another key (settings changed, say) the figures are compared, and none differs
    same, found = updated_record(record, [("r", "k1", numbers(**before))], files, "2026-11-08", "EUR")
    assert found == [] and {**same["reports"]["r"], "key": "k"} == record["reports"]["r"]
    _, found = updated_record(record, [("r", "k2", numbers(**after))], files, "2026-11-08", "EUR")
    differ = [k for k in KPI_IDS if k in before and shown(k, before[k], "EUR") != shown(k, after[k], "EUR")]
    assert [c["kpi"] for _, c in found] == differ  # each once, in the catalogue's order


def _restated() -> list[dict]:
    ads = [dict(r) for r in TABLES["ads"]]
    ads[0]["conversions"], ads[0]["revenue"] = "12", "467.5"  # late conversions of 1 October
    return ads


def test_a_restated_day_is_listed_on_the_pages_in_kpis_json_and_by_explain(tmp_path):
    root = make_project(tmp_path / "project")
    out = tmp_path / "out"
    assert run_build(root, out, env={"SOURCE_DATE_EPOCH": NOV5}).returncode == 0
    record = json.loads((out / "acme" / "published.json").read_text())
    assert record["reports"]["2026-10"]["published"] == "2026-11-05"
    assert "Changed since last publish" not in (out / "acme" / "index.html").read_text()

    write_csv(root / "content" / "acme" / "data" / "ads.csv", _restated())
    run = run_build(root, out, "--explain", env={"SOURCE_DATE_EPOCH": NOV8})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "acme/2026-10: revenue 400.00 -> 467.50 (ads.csv changed)" in lines
    assert "acme/2026-10: conversions 10 -> 12 (ads.csv changed)" in lines
    page = (out / "acme" / "2026-10" / "index.html").read_text()
    assert "Figures changed after this report was published on Nov 5, 2026:" in page
    assert "Revenue: $400.00 → $467.50 (changed on Nov 8, 2026; <bdi>ads.csv</bdi>)" in page
    changes = json.loads((out / "acme" / "2026-10" / "kpis.json").read_text())["changes"]
    assert {"kpi": "revenue", "old": 400, "new": 467.5, "files": ["ads.csv"], "on": "2026-11-08"} in changes
    client = (out / "acme" / "index.html").read_text()
    assert "Changed since last publish" in client and "$467.50" in client and "Nov 8, 2026" in client

    before = tree_digest(out)
    run = run_build(root, out, "--explain", env={"SOURCE_DATE_EPOCH": NOV9})
    assert tree_digest(out) == before  # nothing changed: the same bytes, the changes and their date kept
    assert "revenue" not in run.stdout


def test_the_same_previous_output_gives_the_same_site_with_or_without_the_cache(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project", client_toml='name = "Acme"\nlocale = "de_DE"\ncurrency = "EUR"\n')
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV5)
    build(root, BuildOptions(output=tmp_path / "first"))
    write_csv(root / "content" / "acme" / "data" / "ads.csv", _restated())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV8)
    for name, use_cache in (("a", True), ("b", False)):
        shutil.copytree(tmp_path / "first", tmp_path / name)
        build(root, BuildOptions(output=tmp_path / name, use_cache=use_cache))
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    page = (tmp_path / "a" / "acme" / "2026-10" / "index.html").read_text()
    assert "nach der Veröffentlichung am 05.11.2026" in page and "400,00\xa0€ → 467,50\xa0€" in page
    assert "Seit der letzten Veröffentlichung geändert" in (tmp_path / "a" / "acme" / "index.html").read_text()


def test_a_split_site_keeps_a_record_per_client_and_lists_its_changes(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV5)
    build(root, BuildOptions(output=tmp_path / "out", split=True))
    assert (tmp_path / "out" / "acme" / "published.json").is_file()
    write_csv(root / "content" / "acme" / "data" / "ads.csv", _restated())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV8)
    result = build(root, BuildOptions(output=tmp_path / "out", split=True))
    assert "acme/2026-10: revenue 400.00 -> 467.50 (ads.csv changed)" in result.changes
    assert "Changed since last publish" in (tmp_path / "out" / "acme" / "index.html").read_text()


def test_the_record_is_the_same_wherever_the_project_lies(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOV5)
    make_project(tmp_path / "here")
    shutil.copytree(tmp_path / "here", tmp_path / "there" / "too")
    for root in (tmp_path / "here", tmp_path / "there" / "too"):
        build(root, BuildOptions(output=root / "output"))
    assert tree_digest(tmp_path / "here" / "output") == tree_digest(tmp_path / "there" / "too" / "output")


def test_a_report_moved_to_another_period_starts_a_new_entry():
    """The same report file, its period edited from week 41 to week 42: its figures are of other days, not a
    restatement of the published ones."""
    week41 = {**numbers(revenue=6419.37), "period": ["2026-10-05", "2026-10-11"]}
    week42 = {**numbers(revenue=6342.14), "period": ["2026-10-12", "2026-10-18"]}
    first, _ = updated_entry(None, week41, "k", {}, "2026-11-05", "EUR")
    moved, found = updated_entry(first, week42, "k2", {}, "2026-11-08", "EUR")
    assert found == [] and moved["changes"] == []
    assert moved["published"] == "2026-11-08" and moved["period"] == ["2026-10-12", "2026-10-18"]
    restated, found = updated_entry(moved, {**numbers(revenue=6350.0), "period": ["2026-10-12", "2026-10-18"]},
                                    "k3", {}, "2026-11-09", "EUR")
    assert [(c["old"], c["new"]) for c in found] == [(6342.14, 6350.0)]
