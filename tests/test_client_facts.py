"""metrics.facts.client_facts (tables sorted by time by a counting sort of whole days, metrics.time_order; daily
sums by day number, taken before sorting) against the plain implementation it replaced, kept here as the
reference: the same sorted tables, times, daily sums (to the bit), kinds and first and last day."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from fuzzing import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from sitegen.data.cells import typed_empty
from sitegen.data.kinds import KINDS
from sitegen.data.load import ClientData
from sitegen.metrics import daily, facts, time_order
from sitegen.metrics.periods import DAY_NS

# --- the reference: client_facts as it was (commit f0d02eb) --------------------------------------------------


def _flag(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype(str).str.strip() != "")


def _old_sum_by_day(days: pd.Series, columns: dict[str, pd.Series], counted=(), kind=None):
    sums = {name: daily._zeroed(s.to_numpy(dtype="float64")) for name, s in columns.items()}
    sums.update({daily.KNOWN + name: columns[name].notna().to_numpy(dtype="float64") for name in counted})
    if kind is not None:
        sums[daily.ROWS[kind]] = np.ones(len(days))
    return days.to_numpy(dtype="datetime64[ns]").view("int64"), sums


def old_daily_facts(data: ClientData) -> pd.DataFrame:
    ads, videos, account = data["ads"], data["videos"], data["account"]
    community, orders, hashtags = data["community"], data["orders"], data["hashtags"]
    vid_eng = daily._engagements(videos)
    trend, collab = _flag(videos["trend"]), _flag(videos["creator"])
    inbound = community["direction"] == "inbound"
    cd = inbound & community["channel"].isin(["comment", "dm"])
    negative = inbound & (community["channel"] == "comment") & (community["sentiment"] == "negative")
    day = daily._day
    ads_sums = {**{c: ads[c] for c in daily.ADS_SUMS}, "paid_likes": ads["likes"], "paid_comments": ads["comments"],
                "paid_shares": ads["shares"]}
    account_sums = {"account_new_followers": account["new_followers"],
                    "account_net_followers": account["net_followers"], "account_likes": account["likes"],
                    "account_views": account["video_views"], "account_comments": account["comments"],
                    "account_shares": account["shares"], "profile_views": account["profile_views"]}
    parts = [
        _old_sum_by_day(day(ads["date"]), ads_sums, tuple(ads_sums), "ads"),
        _old_sum_by_day(daily.video_days(videos), {
            "organic_views": videos["views"], "organic_likes": videos["likes"],
            "organic_comments": videos["comments"], "organic_shares": videos["shares"],
            "saves": videos["saves"], "posts": pd.Series(1.0, index=videos.index),
            "trend_eng": vid_eng.where(trend, 0), "trend_views": videos["views"].where(trend, 0),
            "other_eng": vid_eng.where(~trend, 0), "other_views": videos["views"].where(~trend, 0),
            "collab_eng": vid_eng.where(collab, 0), "collab_views": videos["views"].where(collab, 0),
            "owned_eng": vid_eng.where(~collab, 0), "owned_views": videos["views"].where(~collab, 0)},
            ("organic_comments", "organic_shares", "saves")),
        _old_sum_by_day(day(account["date"]), account_sums, tuple(account_sums), "account"),
        _old_sum_by_day(day(community["received_at"]), {
            "inbound_cd": cd.astype(float), "answered_cd": (cd & community["responded_at"].notna()).astype(float),
            "leads": (inbound & (community["lead"] == True)).astype(float),  # noqa: E712
            "outbound": ((community["direction"] == "outbound")
                         & community["channel"].isin(["comment", "like"])).astype(float),
            "mentions": (inbound & (community["channel"] == "mention")).astype(float),
            "negative_comments": negative.astype(float),
            "inbound": inbound.astype(float),
            **{f"sentiment_{s}": (inbound & (community["sentiment"] == s)).astype(float)
               for s in ("positive", "neutral", "negative")}}),
        _old_sum_by_day(day(orders["date"]), {
            "code_orders": orders["orders"].where(orders["code"].notna(), 0),
            "code_revenue": orders["revenue"].where(orders["code"].notna() | orders["revenue"].isna(), 0.0),
            "shop_orders": orders["orders"], "shop_revenue": orders["revenue"]}, ("code_revenue", "shop_revenue"),
            "orders"),
        _old_sum_by_day(day(hashtags["date"]), {"hashtag_posts": hashtags["posts"],
                                                "hashtag_views": hashtags["views"]}, ("hashtag_views",), "hashtags"),
    ]
    missing = np.iinfo("int64").min
    all_days = np.unique(np.concatenate([d[d != missing] for d, _ in parts]))
    columns = {}
    for days, values in parts:
        known = days != missing
        at = np.searchsorted(all_days, days[known])
        for name, column in values.items():
            columns[name] = np.zeros(len(all_days)) if column is None else \
                np.round(np.bincount(at, weights=column[known], minlength=len(all_days)), 6)
    return pd.DataFrame(columns, index=pd.DatetimeIndex(all_days.view("datetime64[ns]"), name="date"))


def old_client_facts(data: ClientData):
    tables, times = {}, {}
    for kind, table in data.tables.items():
        when = facts._row_times(kind, table).to_numpy(dtype="datetime64[ns]").view("int64")
        order = np.argsort(when, kind="stable")
        tables[kind] = table if np.array_equal(order, np.arange(len(order))) else \
            table.iloc[order].reset_index(drop=True)
        times[kind] = when[order]
    sorted_data = ClientData(tables, data.files)
    daily = old_daily_facts(sorted_data)
    kinds = frozenset(k for k, t in tables.items() if not t.empty)
    first = daily.index.min() if len(daily) else None
    last = daily.index.max() if len(daily) else None
    return facts.ClientFacts(sorted_data, daily, kinds, first, last, times)


# --- comparing ---------------------------------------------------------------------------------------------


def _same_column(a: pd.Series, b: pd.Series) -> bool:
    if a.dtype != b.dtype:
        return False
    if a.dtype == object or not isinstance(a.dtype, np.dtype):
        def cell(v):
            return "nan" if isinstance(v, float) and np.isnan(v) else (type(v).__name__, repr(v))
        return [cell(v) for v in a] == [cell(v) for v in b]
    return np.array_equal(a.to_numpy().view("int64"), b.to_numpy().view("int64"))


def assert_same_facts(data: ClientData) -> None:
    old, new = old_client_facts(data), facts.client_facts(data)
    assert new.kinds == old.kinds
    assert (new.first_day, new.last_day) == (old.first_day, old.last_day) or \
        (pd.isna(new.first_day) and pd.isna(old.first_day))
    assert list(new.daily.columns) == list(old.daily.columns)
    assert new.daily.index.equals(old.daily.index) and new.daily.index.name == old.daily.index.name
    assert np.array_equal(new.daily.to_numpy().view("int64"), old.daily.to_numpy().view("int64"))  # to the bit
    for kind, table in old.data.tables.items():
        mine = new.data.tables[kind]
        assert list(mine.columns) == list(table.columns) and mine.index.equals(table.index), kind
        for column in table.columns:
            assert _same_column(mine[column], table[column]), (kind, column)
        assert np.array_equal(new.times[kind], old.times[kind]), kind
        assert new.times[kind].dtype == old.times[kind].dtype


DAY = np.timedelta64(1, "D")


def _times(draw, n: int, ctype: str, spread: str) -> np.ndarray:
    if spread == "far":  # beyond 65,535 days: the general sort
        days = draw(st.lists(st.sampled_from([-100_000, -3, 0, 5, 100_000]), min_size=n, max_size=n))
    else:
        days = draw(st.lists(st.integers(20_000, 20_006) if spread == "near" else st.integers(-400, 400),
                             min_size=n, max_size=n))
    values = np.array(days, dtype="int64").astype("datetime64[D]").astype("datetime64[ns]")
    if ctype == "datetime" or spread == "hours":
        hours = draw(st.lists(st.sampled_from([0, 0, 1, 13, 23]), min_size=n, max_size=n))
        values = values + np.array(hours, dtype="int64").astype("timedelta64[h]")
    missing = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if draw(st.booleans()) else [False] * n
    values[np.array(missing, dtype=bool)] = np.datetime64("NaT")
    if draw(st.integers(0, 4)) == 0:
        values = np.sort(values.view("int64")).view("datetime64[ns]")  # in order already (NaT first, as int64)
    return values


def _column(draw, ctype: str, n: int, times: np.ndarray | None) -> pd.Series:
    if times is not None:
        return pd.Series(times, dtype="datetime64[ns]")
    if ctype in ("int", "net", "money", "float"):
        values = draw(st.lists(st.none() | st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False),
                               min_size=n, max_size=n))
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if ctype.startswith("enum:"):
        values = draw(st.lists(st.sampled_from([*ctype[5:].split("|"), np.nan]), min_size=n, max_size=n))
        return pd.Series(values, dtype=object)
    if ctype == "bool":
        return pd.Series(draw(st.lists(st.sampled_from([True, False, None]), min_size=n, max_size=n)), dtype=object)
    return pd.Series(draw(st.lists(st.sampled_from(["a", "b", " ", pd.NA]), min_size=n, max_size=n)), dtype=object)


@st.composite
def client_data(draw) -> ClientData:
    tables = {}
    for name, kind in KINDS.items():
        n = draw(st.integers(0, 12))
        if n == 0:
            tables[name] = typed_empty(kind)
            continue
        spread = draw(st.sampled_from(["near", "near", "wide", "far", "hours"]))
        columns = {}
        for column, ctype in kind.columns.items():
            times = _times(draw, n, ctype, spread) if ctype in ("date", "datetime") else None
            if column == "date" and name == "videos" and draw(st.booleans()):
                times = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")  # lifetime stats: posted_at
            columns[column] = _column(draw, ctype, n, times)
        tables[name] = pd.DataFrame(columns)
    return ClientData(tables)


@pytest.mark.slow  # random client tables: the fast lane leaves them out
@fuzz_settings(150)
@given(client_data())
def test_client_facts_match_the_old_implementation(data):
    assert_same_facts(data)


@pytest.mark.parametrize("scatter", [True, False], ids=["columns scattered", "iloc"])
def test_many_rows_sorted_in_blocks(scatter, monkeypatch):
    """More rows than one block of the counting sort, with NaT and unsorted days (and an Arrow text column,
    sorted by its own take), an account table that needs no sort, and times of day (the general sort); the
    tables reordered column by column as big ones are, and with iloc as small ones are."""
    monkeypatch.setattr(time_order, "SCATTER_FROM", 0 if scatter else 10**9)
    rng = np.random.default_rng(3)
    n = 3 * time_order._BLOCK + 17
    tables = {name: typed_empty(kind) for name, kind in KINDS.items()}
    days = (np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")).astype("datetime64[ns]")
    days[rng.random(n) < 0.01] = np.datetime64("NaT")
    ads = {"date": days, "campaign": pd.Series(np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, n)]),
           "ad": pd.Series(np.array(["x", None], dtype=object)[rng.integers(0, 2, n)], dtype=object),
           "spend": np.round(rng.random(n) * 100, 2), "impressions": rng.integers(0, 1000, n).astype(float)}
    tables["ads"] = typed_empty(KINDS["ads"]).reindex(range(n)).assign(**ads)
    account = {"date": np.sort(days.view("int64")).view("datetime64[ns]"),
               "followers": rng.integers(0, 9, n).astype(float)}
    tables["account"] = typed_empty(KINDS["account"]).reindex(range(n)).assign(**account)
    community = {"received_at": days + rng.integers(0, 86_400, n).astype("timedelta64[s]"),
                 "channel": np.array(["comment", "dm"], dtype=object)[rng.integers(0, 2, n)],
                 "direction": np.array(["inbound", "outbound"], dtype=object)[rng.integers(0, 2, n)]}
    tables["community"] = typed_empty(KINDS["community"]).reindex(range(n)).assign(**community)
    assert_same_facts(ClientData(tables))
    assert time_order.time_order(tables["account"]["date"].to_numpy().view("int64")) is None


def test_day_numbers_are_the_days_of_normalize():
    stamps = pd.Series(pd.to_datetime([datetime(1969, 12, 31, 13), datetime(1677, 9, 22, 1), None,
                                       datetime(2262, 4, 10, 23, 59), datetime(1970, 1, 1)])).astype("datetime64[ns]")
    expected = stamps.dt.normalize().to_numpy().view("int64")
    numbers = daily._day_numbers(stamps)
    known = ~stamps.isna().to_numpy()
    assert np.array_equal(numbers[known] * DAY_NS, expected[known])
    assert numbers[~known].tolist() == [np.iinfo(np.int64).min]
