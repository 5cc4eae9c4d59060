"""Rows that several files report count once: a later download restates an earlier one's days (ads, account,
orders, hashtags, follower activity), and a video's lifetime row is a snapshot, the latest download's. Which
file is later comes from its download day (name, client.toml, modification time), then its path. Hand-made
cases, then hypothesis properties: the loaded figures equal the de-duplicated truth of generated exports."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import DATA, make_project, run_cli, write, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.data import load as load_module
from sitegen.data.load import load_client_data
from sitegen.data.options import FileDates, LoadOptions
from sitegen.errors import Diagnostics, SitegenError, error_lines
from sitegen.metrics.facts import client_facts
from sitegen.metrics.kpis import compute_figures
from sitegen.metrics.periods import Period

OCT = Period(date(2026, 10, 1), date(2026, 10, 31))
V1, V2 = "7000000000000000001", "7000000000000000002"


def _load(folder: Path, **options):
    diagnostics = Diagnostics()
    data = load_client_data(folder, diagnostics, options=LoadOptions(**options) if options else None)
    return data, diagnostics.warnings


def _notes(data, name: str) -> list[str]:
    return next(f.notes for f in data.files if f.path.name == name)


def _ads(*rows: tuple, columns=("date", "campaign", "spend")) -> list[dict]:
    return [dict(zip(columns, map(str, row))) for row in rows]


# --- flows: the later download restates the days both files report ---------------------------------------------


def test_a_restated_day_counts_once_with_the_later_downloads_figure(tmp_path):
    # the later download first by name: the download days decide, not the names' order
    write_csv(tmp_path / "data" / "a oct 2026-11-01.csv", _ads(("2026-10-01", "A", 10), ("2026-10-03", "A", 50),
                                                               ("2026-10-20", "A", 100)))
    write_csv(tmp_path / "data" / "b first half 2026-10-16.csv", _ads(("2026-10-01", "A", 10),
                                                                      ("2026-10-03", "A", 100)))
    data, warnings = _load(tmp_path / "data")
    assert warnings == []  # platforms restate days routinely: a note, not a warning
    assert compute_figures(client_facts(data), OCT).values["spend"] == 160  # summed: 270
    assert _notes(data, "b first half 2026-10-16.csv") == [
        "2 ads rows also in a oct 2026-11-01.csv: counted once, with that file's figures where it has them "
        "(restated by a oct 2026-11-01.csv: 2026-10-03 spend 100.00 → 50.00)"]
    assert _notes(data, "a oct 2026-11-01.csv") == []


def test_a_later_download_that_adds_a_column_replaces_the_earlier_rows(tmp_path):
    columns = ("date", "campaign", "spend", "revenue")
    write_csv(tmp_path / "data" / "ads 2026-10-16.csv", _ads(("2026-10-01", "A", 10), ("2026-10-03", "A", 50)))
    write_csv(tmp_path / "data" / "ads 2026-11-01.csv", _ads(("2026-10-01", "A", 10, 30), ("2026-10-03", "A", 50, 70),
                                                             ("2026-10-20", "A", 100, 200), columns=columns))
    data, warnings = _load(tmp_path / "data")
    assert warnings == []  # no "different numbers", and no file's rows are left without revenue
    f = compute_figures(client_facts(data), OCT)
    assert (f.values["spend"], f.values["revenue"]) == (160, 300)  # summed: 220 spend
    assert _notes(data, "ads 2026-10-16.csv") == [
        "2 ads rows also in ads 2026-11-01.csv: counted once, with that file's figures where it has them"]


def test_a_column_only_the_earlier_download_has_is_kept(tmp_path):
    columns = ("date", "campaign", "spend", "revenue")
    write_csv(tmp_path / "data" / "ads 2026-10-16.csv", _ads(("2026-10-01", "A", 10, 30), ("2026-10-03", "A", 100, 70),
                                                             columns=columns))
    write_csv(tmp_path / "data" / "ads 2026-11-01.csv", _ads(("2026-10-01", "A", 10), ("2026-10-03", "A", 50),
                                                             ("2026-10-20", "A", 100)))
    data, warnings = _load(tmp_path / "data")
    f = compute_figures(client_facts(data), OCT)
    assert (f.values["spend"], f.values["revenue"]) == (160, 100)  # the earlier file's revenue, not lost
    # its row of 2026-10-20 really has no revenue: still said
    [warning] = warnings
    assert warning.endswith("ads 2026-11-01.csv: no 'revenue' column, which other ads files have: its rows add "
                            "nothing to that sum (a KPI of a period with only such rows is n/a)")


def test_files_split_by_campaign_add_up(tmp_path):
    """Two files of the same days but other campaigns report no row twice: nothing is superseded."""
    write_csv(tmp_path / "data" / "campaign A 2026-11-01.csv", _ads(("2026-10-01", "A", 10), ("2026-10-02", "A", 20)))
    write_csv(tmp_path / "data" / "campaign B 2026-10-16.csv", _ads(("2026-10-01", "B", 5), ("2026-10-02", "B", 7)))
    data, warnings = _load(tmp_path / "data")
    assert warnings == [] and all(f.notes == [] for f in data.files)
    assert compute_figures(client_facts(data), OCT).values["spend"] == 42


@pytest.mark.parametrize(("kind", "earlier", "later", "column", "total"), [
    ("orders", dict(date="2026-10-01", code="SAVE", orders="3", revenue="30", source="A"),
     dict(date="2026-10-01", code="SAVE", orders="2", revenue="20", source="A"), "orders", 2),
    ("hashtags", dict(date="2026-10-01", hashtag="#acme", posts="4"), dict(date="2026-10-01", hashtag="#acme",
                                                                            posts="6"), "posts", 6),
    ("follower_activity", dict(date="2026-10-01", hour="9", active_followers="40"),
     dict(date="2026-10-01", hour="9", active_followers="41"), "active_followers", 41),
])
def test_every_daily_kind_takes_the_later_downloads_row(tmp_path, kind, earlier, later, column, total):
    write_csv(tmp_path / "data" / f"{kind} 2026-10-20.csv", [later])
    write_csv(tmp_path / "data" / f"{kind} 2026-10-02.csv", [earlier])
    data, warnings = _load(tmp_path / "data")
    assert warnings == [] and data[kind][column].tolist() == [total]
    assert f"(restated by {kind} 2026-10-20.csv: 2026-10-01 {column}" in _notes(data, f"{kind} 2026-10-02.csv")[0]


def test_the_download_day_comes_from_client_toml(tmp_path):
    write_csv(tmp_path / "data" / "a.csv", _ads(("2026-10-03", "A", 50)))
    write_csv(tmp_path / "data" / "b.csv", _ads(("2026-10-03", "A", 100)))
    files = {"a.csv": FileDates(downloaded=date(2026, 11, 1)), "b.csv": FileDates(downloaded=date(2026, 10, 16))}
    data, warnings = _load(tmp_path / "data", files=files)
    assert warnings == [] and data["ads"]["spend"].tolist() == [50]


def test_an_order_from_modification_times_is_a_warning_when_the_figures_differ(tmp_path):
    newer = write_csv(tmp_path / "data" / "a.csv", _ads(("2026-10-03", "A", 50)))
    older = write_csv(tmp_path / "data" / "b.csv", _ads(("2026-10-03", "A", 100)))
    write_csv(tmp_path / "data" / "c.csv", _ads(("2026-10-05", "A", 1)))  # an exact repeat: no warning
    write_csv(tmp_path / "data" / "d.csv", _ads(("2026-10-05", "A", 1)))
    stamp = datetime(2026, 11, 1, 12).timestamp()
    os.utime(older, (stamp - 86_400 * 5, stamp - 86_400 * 5))
    os.utime(newer, (stamp, stamp))
    data, warnings = _load(tmp_path / "data")
    assert data["ads"]["spend"].tolist() == [50, 1]
    [warning] = warnings
    assert warning.startswith(f"{newer}: 1 day of b.csv with other ads figures in this file: this file's are "
                              "used as the later download, but the later one is by the files' modification times")
    assert "(e.g. 'a 2026-11-01.csv')" in warning
    assert _notes(data, "b.csv")[0].endswith(
        "(restated by a.csv: 2026-10-03 spend 100.00 → 50.00) (the later one is by the files' modification times, "
        "which a copy or a git checkout changes)")


def test_the_same_download_day_is_decided_by_path(tmp_path):
    write_csv(tmp_path / "data" / "ads 2026-11-01 (1).csv", _ads(("2026-10-03", "A", 50)))
    write_csv(tmp_path / "data" / "ads 2026-11-01.csv", _ads(("2026-10-03", "A", 100)))
    data, warnings = _load(tmp_path / "data")
    assert data["ads"]["spend"].tolist() == [100]
    assert len(warnings) == 1 and "both were downloaded on 2026-11-01 as far as sitegen can tell" in warnings[0]


def test_the_restated_days_listed_are_capped(tmp_path):
    days = [f"2026-10-{d:02d}" for d in range(1, 9)]
    write_csv(tmp_path / "data" / "ads 2026-10-10.csv", _ads(*[(d, "A", 10) for d in days]))
    write_csv(tmp_path / "data" / "ads 2026-11-01.csv", _ads(*[(d, "A", 12) for d in days]))
    data, _ = _load(tmp_path / "data")
    [note] = _notes(data, "ads 2026-10-10.csv")
    assert note.endswith("2026-10-05 spend 10.00 → 12.00, and 3 more days)")
    assert note.count("→") == 5


def test_account_files_of_one_download_merge_without_notes_of_restatement(tmp_path):
    write_csv(tmp_path / "data" / "Overview 2026-10-03.csv", [dict(date="2026-10-01", video_views="100")])
    write_csv(tmp_path / "data" / "FollowerHistory 2026-10-03.csv", [dict(date="2026-10-01", followers="7")])
    data, warnings = _load(tmp_path / "data")
    assert warnings == []
    assert data["account"][["video_views", "followers"]].values.tolist() == [[100, 7]]
    assert "restated" not in _notes(data, "FollowerHistory 2026-10-03.csv")[0]


def test_check_lists_the_restated_days(tmp_path):
    root = make_project(tmp_path / "p", {})
    data = root / "content" / "acme" / "data"
    write_csv(data / "ads 2026-10-16.csv", _ads(("2026-10-03", "A", 100)))
    write_csv(data / "ads 2026-11-01.csv", _ads(("2026-10-03", "A", 50)))
    run = run_cli("check", root)
    assert run.returncode == 0, run.stderr
    assert "content/acme/data/ads 2026-10-16.csv: 1 ads row also in ads 2026-11-01.csv: counted once" in run.stdout
    assert "restated by ads 2026-11-01.csv: 2026-10-03 spend 100.00 → 50.00" in run.stdout


# --- snapshots: a video's lifetime row, the latest download's ---------------------------------------------------


def _video(views, likes=10, video_id=V1, posted_at="2026-10-02 10:00", **more) -> dict:
    return dict(video_id=video_id, posted_at=posted_at, views=str(views), likes=str(likes), **more)


def test_a_videos_lifetime_figures_are_the_latest_downloads(tmp_path):
    write_csv(tmp_path / "data" / "videos 2026-11-01.csv", [_video(5000, 50), _video(70, 7, V2)])
    write_csv(tmp_path / "data" / "videos 2026-10-05.csv", [_video(1000, 10)])
    data, warnings = _load(tmp_path / "data")
    assert warnings == []
    f = compute_figures(client_facts(data), OCT)
    assert (f.values["views"], f.values["organic_likes"]) == (5070, 57)  # summed: 6070 and 67
    assert _notes(data, "videos 2026-10-05.csv") == [
        f"1 videos row also in videos 2026-11-01.csv: counted once, with that file's figures where it has them "
        f"(newer figures in videos 2026-11-01.csv: {V1} views 1,000 → 5,000 and likes 10 → 50)"]


def test_a_video_repeated_exactly_in_one_file_counts_once_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "data" / "videos.csv", [_video(1000), _video(70, 7, V2), _video(1000), _video(1000)])
    data, warnings = _load(tmp_path / "data")
    assert data["videos"]["views"].tolist() == [1000, 70]
    assert warnings == [f"{path}:4: 2 videos rows repeat an earlier row of this file exactly (row 4 repeats row 2, "
                        f"row 5 repeats row 2): each counted once"]


def test_a_video_twice_in_one_file_with_other_figures_is_an_error(tmp_path):
    path = write_csv(tmp_path / "data" / "videos.csv", [_video(1000), _video(70, 7, V2), _video(1200)])
    with pytest.raises(SitegenError) as info:
        _load(tmp_path / "data")
    assert error_lines(info.value) == [
        f"{path}:4:views: found video {V1} again, with 1200 where row 2 has 1000, expected each video once in a file "
        f"(a download holds one snapshot of it)"]


def test_the_cli_stops_on_a_video_twice_in_one_file(tmp_path):
    root = make_project(tmp_path / "p", {"videos": [_video(1000), _video(1200)]})
    run = run_cli("build", root, "--output", tmp_path / "out")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"videos.csv:3:views: found video {V1} again, with 1200 where row 2 has 1000" in run.stderr


def test_a_videos_days_are_rows_of_their_own(tmp_path):
    """Daily rows of a video (with `date`) are flows: one per video and day, restated by a later download."""
    days = [f"2026-10-0{d}" for d in range(2, 5)]
    write_csv(tmp_path / "data" / "daily 2026-10-05.csv", [_video(100, date=days[0]), _video(40, date=days[1])])
    write_csv(tmp_path / "data" / "daily 2026-10-09.csv", [_video(100, date=days[0]), _video(60, date=days[1]),
                                                          _video(9, 1, date=days[2])])
    data, warnings = _load(tmp_path / "data")
    assert warnings == [] and data["videos"]["views"].tolist() == [100, 60, 9]
    assert f"{V1} on 2026-10-03 views 40 → 60" in _notes(data, "daily 2026-10-05.csv")[0]


# --- properties: generated overlapping exports against their de-duplicated truth ------------------------------

START = date(2026, 9, 28)  # generated days run from here over two weeks, across the end of September


@st.composite
def ads_exports(draw):
    """Ads exports, each a range of days downloaded on its own day, with figures as they stood then (each download
    may restate any day), some without revenue or clicks; named so that name order is not download order."""
    count = draw(st.integers(2, 4))
    downloaded = sorted(draw(st.lists(st.integers(14, 40), min_size=count, max_size=count, unique=True)))
    names = draw(st.permutations("abcd"[:count]))
    exports = []
    for n, day in enumerate(downloaded):
        first = draw(st.integers(0, 12))
        last = draw(st.integers(first, 13))
        campaigns = draw(st.sampled_from([["A"], ["B"], ["A", "B"]]))
        columns = ["spend"] + [c for c in ("revenue", "clicks") if draw(st.booleans())]
        rows = [{"date": START + timedelta(d), "campaign": c,
                 **{col: draw(st.integers(0, 500)) for col in columns}}
                for d in range(first, last + 1) for c in campaigns]
        exports.append((f"{names[n]} {START + timedelta(day)}.csv", rows))
    return exports


def _ads_truth(exports) -> dict[tuple, dict]:
    """Each (day, campaign): each figure from the latest download that has it."""
    truth: dict[tuple, dict] = {}
    for _, rows in exports:  # in download order
        for row in rows:
            truth.setdefault((row["date"], row["campaign"]), {}).update(
                {k: v for k, v in row.items() if k not in ("date", "campaign")})
    return truth


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports=ads_exports())
def test_overlapping_ads_exports_count_as_their_latest_figures(exports):
    truth = _ads_truth(exports)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        for name, rows in exports:
            write_csv(folder / name, [{k: str(v) for k, v in row.items()} for row in rows])
        data, warnings = _load(folder)
        assert all("column, which other ads files have" in w for w in warnings), warnings
        ads = data["ads"]
        loaded = {(d.date(), c): {k: v for k, v in zip(("spend", "revenue", "clicks"), figures) if v == v}
                  for d, c, *figures in ads[["date", "campaign", "spend", "revenue", "clicks"]].itertuples(index=False)}
        assert loaded == truth
        f = compute_figures(client_facts(data), OCT)
        october = [v for (day, _), v in truth.items() if day.month == 10]
        assert f.values["spend"] == (sum(v["spend"] for v in october) if october else None)
        revenue = [v["revenue"] for v in october if "revenue" in v]
        assert f.values["revenue"] == (sum(revenue) if revenue else None)


@st.composite
def video_downloads(draw):
    """Downloads of a few videos' lifetime figures, which only grow from one download to the next; some rows
    repeated within their file."""
    count = draw(st.integers(2, 4))
    downloaded = sorted(draw(st.lists(st.integers(14, 40), min_size=count, max_size=count, unique=True)))
    names = draw(st.permutations("abcd"[:count]))
    videos = {f"70000000000000000{i:02d}": START + timedelta(draw(st.integers(0, 13))) for i in range(4)}
    views = dict.fromkeys(videos, 0)
    exports = []
    for n, day in enumerate(downloaded):
        rows = []
        for video in draw(st.lists(st.sampled_from(sorted(videos)), unique=True, min_size=1)):
            views[video] += draw(st.integers(0, 1000))
            row = {"video_id": video, "posted_at": f"{videos[video]} 10:00", "views": views[video],
                   "likes": views[video] // 10}
            rows += [row] * draw(st.integers(1, 2))
        exports.append((f"{names[n]} {START + timedelta(day)}.csv", rows))
    return videos, exports


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(downloads=video_downloads())
def test_video_snapshots_count_as_the_latest_download(downloads):
    posted, exports = downloads
    truth = {row["video_id"]: row for _, rows in exports for row in rows}  # the latest download's row
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        for name, rows in exports:
            write_csv(folder / name, [{k: str(v) for k, v in row.items()} for row in rows])
        data, warnings = _load(folder)
        repeated = sum(len(rows) - len({r["video_id"] for r in rows}) for _, rows in exports)
        assert sum(int(w.split(": ")[1].split()[0]) for w in warnings) == repeated
        loaded = dict(zip(data["videos"]["video_id"], data["videos"]["views"]))
        assert loaded == {v: row["views"] for v, row in truth.items()}
        f = compute_figures(client_facts(data), OCT)
        october = [row for v, row in truth.items() if posted[v].month == 10]
        assert f.values["views"] == (sum(r["views"] for r in october) if october else None)
        assert f.values["organic_likes"] == (sum(r["likes"] for r in october) if october else None)


@pytest.mark.parametrize("cached", [False, True])
def test_a_shops_orders_are_events_not_days(tmp_path, monkeypatch, cached):
    """A shop export's rows are single orders: two of one day and code are two orders, and a hand-written orders
    file's row of that day and code is another source, not the same row (also when read from the cache)."""
    shop = (DATA / "shop" / "shopify-orders.csv").read_bytes()  # two MIA15 orders on 2026-10-01 (UTC)
    write(tmp_path / "data" / "shop 2026-10-09.csv", shop)
    write(tmp_path / "data" / "shop 2026-10-12.csv", shop)  # the same orders, downloaded again
    write_csv(tmp_path / "data" / "orders 2026-10-20.csv", [dict(date="2026-10-01", code="MIA15", orders="2",
                                                                 revenue="40")])
    if cached:
        monkeypatch.setattr(load_module, "CACHE_MIN_BYTES", 1)
    for _ in range(2 if cached else 1):  # the shop files written to the cache, then read from it
        data = load_client_data(tmp_path / "data", Diagnostics(), cache_dir=tmp_path / "cache" if cached else None)
    orders = data["orders"]
    mia = orders[(orders["code"] == "MIA15") & (orders["date"] == "2026-10-01")]
    assert (mia["orders"].sum(), mia["revenue"].sum()) == (4, 108)
    assert _notes(data, "shop 2026-10-09.csv")[-1].startswith("6 orders rows also in shop 2026-10-12.csv")
