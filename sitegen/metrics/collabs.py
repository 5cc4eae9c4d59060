"""Who and what earned a period's likes and sales: revenue attributed to videos, a table per creator and a
table per trend (docs/user-guide/kpis.md defines each figure; handles.py how names match).

Each is grouped from the period's breakdowns (a row per video, code source or campaign: few rows), with
numpy's unique and bincount as breakdowns.py groups the client's rows; pandas costs more than these rows."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.handles import handle_key, name_key
from sitegen.metrics.periods import Period


def name_keys(names) -> np.ndarray:
    """Each name as a key (`name_key`; the tables are a row per video, creator or trend: few)."""
    return np.array([name_key(v) for v in names], dtype=object)


def _group(keys: np.ndarray, columns: list) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """(sorted distinct keys, each keyed row's group, sums per key of each column, rows per key) over the rows
    with a key, like a sorted groupby-sum; a key whose values are all missing sums to NaN (n/a), not 0."""
    has = np.array([k is not None for k in keys], dtype=bool)
    names, at = np.unique(keys[has].astype(str), return_inverse=True)
    at, n = at.reshape(-1), len(names)
    sums = []
    for values in columns:
        v = np.asarray(values, dtype="float64")[has]
        known = ~np.isnan(v)
        total = np.round(np.bincount(at[known], weights=v[known], minlength=n), 6)
        sums.append(np.where(np.bincount(at[known], minlength=n) > 0, total, np.nan))
    return names, at, sums, np.bincount(at, minlength=n).astype("float64")


def _labels(at: np.ndarray, names: np.ndarray, n: int) -> np.ndarray:
    """Each group's first name in sorted order, trimmed (how a key is shown)."""
    text = np.array([str(v).strip() for v in names], dtype=str)
    order = np.lexsort((text, at))
    first = order[np.r_[True, at[order][1:] != at[order][:-1]]] if len(order) else order
    out = np.empty(n, dtype=object)
    out[at[first]] = text[first]
    return out


def _spread(names: np.ndarray, into: np.ndarray, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """`values` of `names` placed at their places among the sorted `into` (which holds every name)."""
    out = np.full(len(into), fill)
    out[np.searchsorted(into, names)] = values
    return out


def _rate(numerator, denominator, scale: float = 1.0) -> np.ndarray:
    n, d = np.asarray(numerator, dtype="float64"), np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(d != 0, n / np.where(d != 0, d, 1.0) * scale, np.nan)
    return np.where(np.isfinite(out), out, np.nan)


def _engagement_rate(videos: Columns, rows: np.ndarray) -> float:
    views = np.asarray(videos["views"], dtype="float64")[rows]
    engagements = np.asarray(videos["engagements"], dtype="float64")[rows]
    total = np.nansum(views) if (~np.isnan(views)).any() else np.nan
    return float(_rate(np.nansum(engagements), total))


# per video: the sales a code source, campaign or ad names it for

def video_sales(videos: Columns, sources: Columns, facts: ClientFacts, period: Period) -> Columns:
    """Code orders and revenue, ads revenue and their total per video of `videos` (NaN where nothing names
    the video), and revenue per 1k likes. A name names a video when its key is the video's id or title (a
    title two videos share names neither); an ads row counts by its campaign's name, else its ad's."""
    n = len(videos["video_id"])
    ids = name_keys([None if v is None else str(v) for v in videos["video_id"]])
    titles = name_keys(videos["title"])
    lookup: dict[str, int] = {}
    repeated = {t for t, count in zip(*np.unique(titles[titles != None].astype(str), return_counts=True))  # noqa: E711
                if count > 1}
    for i, title in enumerate(titles.tolist()):
        if title is not None and title not in repeated:
            lookup[title] = i
    lookup.update((k, i) for i, k in enumerate(ids.tolist()) if k is not None)  # an id wins over a title

    def positions(names) -> np.ndarray:
        return np.array([lookup.get(k, -1) for k in name_keys(names).tolist()], dtype="int64")

    code_at = positions(sources["source"])
    orders = _bincount(code_at, sources["orders"], n)
    revenue = _bincount(code_at, sources["revenue"], n)
    lo, hi = facts.span("ads", period)
    campaigns, campaign_names = facts.keys("ads", "campaign")
    ads, ad_names = facts.keys("ads", "ad")
    by_campaign = positions(campaign_names)[campaigns[lo:hi]] if len(campaign_names) else np.full(hi - lo, -1)
    by_ad = positions(ad_names)[np.maximum(ads[lo:hi], 0)] if len(ad_names) else np.full(hi - lo, -1)
    by_ad = np.where(ads[lo:hi] >= 0, by_ad, -1)
    ads_revenue = _bincount(np.where(by_campaign >= 0, by_campaign, by_ad), facts.floats("ads", "revenue")[lo:hi], n)
    total = np.where(np.isnan(revenue) & np.isnan(ads_revenue), np.nan,
                     np.nan_to_num(revenue) + np.nan_to_num(ads_revenue))
    return {"code_orders": orders, "code_revenue": revenue, "ads_revenue": ads_revenue, "revenue": total,
            "revenue_per_1k_likes": _rate(total, videos["likes"], 1000.0)}


def _bincount(at: np.ndarray, values, n: int) -> np.ndarray:
    """Sums of `values` per position (-1: none); NaN where no row with a value lands."""
    values = np.asarray(values, dtype="float64")
    keep = (at >= 0) & ~np.isnan(values)
    sums = np.round(np.bincount(at[keep], weights=values[keep], minlength=n), 6)
    return np.where(np.bincount(at[keep], minlength=n) > 0, sums, np.nan)


# per creator

CREATOR_COLUMNS = ["creator", "videos", "views", "likes", "engagement_rate", "lift", "code_orders", "code_revenue",
                   "ad_spend", "ad_revenue", "fee", "cost_per_like", "roi"]


def creator_table(videos: Columns, sources: Columns, campaigns: Columns, fees: Mapping[str, float]) -> Columns:
    """A row per creator a video, code source or campaign of the period names, by likes (then name)."""
    keys = name_keys(videos["creator"])
    names, at, (views, likes, engagements), count = _group(
        keys, [videos["views"], videos["likes"], videos["engagements"]])
    labels = _labels(at, np.asarray(videos["creator"], dtype=object)[keys != None], len(names))  # noqa: E711
    known = frozenset(names.tolist())
    code_names, _at, (orders, code_revenue), _n = _group(
        np.array([handle_key(s, known) for s in sources["source"]], dtype=object), [sources["orders"],
                                                                                    sources["revenue"]])
    ad_names, _at, (spend, ad_revenue), _n = _group(
        np.array([handle_key(c, known) for c in campaigns["campaign"]], dtype=object), [campaigns["spend"],
                                                                                        campaigns["revenue"]])
    every = np.union1d(np.union1d(names, code_names), ad_names).astype(str)
    shown = _spread(names, every, np.arange(len(names)), -1).astype("int64")
    table = {"creator": np.array([labels[i] if i >= 0 else f"@{k}" for i, k in zip(shown, every)], dtype=object),
             "videos": _spread(names, every, count, 0.0), "views": _spread(names, every, views),
             "likes": _spread(names, every, likes), "engagements": _spread(names, every, engagements),
             "code_orders": _spread(code_names, every, orders),
             "code_revenue": _spread(code_names, every, code_revenue),
             "ad_spend": _spread(ad_names, every, spend), "ad_revenue": _spread(ad_names, every, ad_revenue)}
    by_key = {name_key(h): float(f) for h, f in fees.items()}
    table["fee"] = np.array([by_key.get(k, np.nan) for k in every.tolist()], dtype="float64")
    table["engagement_rate"] = _rate(table["engagements"], table["views"])
    table["lift"] = _rate(table["engagement_rate"], _engagement_rate(videos, keys == None))  # noqa: E711
    revenue = np.where(np.isnan(table["code_revenue"]) & np.isnan(table["ad_revenue"]), np.nan,
                       np.nan_to_num(table["code_revenue"]) + np.nan_to_num(table["ad_revenue"]))
    cost = table["fee"] + np.nan_to_num(table["ad_spend"])
    table["cost_per_like"] = _rate(table["fee"], table["likes"])
    table["roi"] = _rate(revenue - cost, cost)
    return _by_likes(table, "creator", CREATOR_COLUMNS)


def _by_likes(table: dict[str, np.ndarray], name: str, columns: list[str]) -> Columns:
    """The table's rows by likes, most first (n/a last), then by name."""
    likes = table["likes"]
    order = np.lexsort((table[name].astype(str), np.where(np.isnan(likes), 0.0, -likes), np.isnan(likes)))
    return {c: table[c][order] for c in columns}


# per trend

TREND_COLUMNS = ["trend", "videos", "views", "likes", "engagement_rate", "lift", "first_seen", "last_seen", "fading"]
NEW, FADING, RISING, STEADY = "new", "fading", "rising", "steady"


def _trend_rows(videos: Columns) -> dict[str, np.ndarray]:
    """Name, videos, views, likes, engagement rate and lift per trend key (sorted) of a period's video table."""
    keys = name_keys(videos["trend"])
    names, at, (views, likes, engagements), count = _group(
        keys, [videos["views"], videos["likes"], videos["engagements"]])
    rate = _rate(engagements, views)
    return {"key": names, "trend": _labels(at, np.asarray(videos["trend"], dtype=object)[keys != None],  # noqa: E711
                                           len(names)),
            "videos": count, "views": views, "likes": likes, "engagement_rate": rate,
            "lift": _rate(rate, _engagement_rate(videos, keys == None))}  # noqa: E711


def trend_table(videos: Columns, previous: Columns | None, seen: Columns,
                start: pd.Timestamp | None = None) -> Columns:
    """A row per trend of the period's videos, by likes (then name); `previous`: the comparison period's video
    table (None: no comparison, so whether a lift fades cannot be told); `seen`: `trend_seen`; `start`: the
    period's first day (a trend first seen on it or later is new; one seen before, but not in the comparison
    period, has no lift to compare with)."""
    table = _trend_rows(videos)
    at = np.minimum(np.searchsorted(seen["key"], table["key"]), max(len(seen["key"]) - 1, 0))
    found = (seen["key"][at] == table["key"]) if len(seen["key"]) else np.zeros(len(table["key"]), dtype=bool)
    for column, name in (("first_seen", "first"), ("last_seen", "last")):
        table[column] = np.where(found, seen[name][at] if len(seen["key"]) else np.datetime64("NaT", "ns"),
                                 np.datetime64("NaT", "ns")).astype("datetime64[ns]")
    table["fading"] = np.full(len(table["key"]), None, dtype=object)
    if previous is not None:
        earlier = _trend_rows(previous)
        had = np.isin(table["key"], earlier["key"])
        before = np.full(len(had), np.nan)
        before[had] = earlier["lift"][np.searchsorted(earlier["key"], table["key"][had])]
        # compared as the tables show them (a multiple to 2 decimals): a change too small to see is steady
        lift, before = np.round(table["lift"].astype(float), 2), np.round(before, 2)
        fresh = ~had & (table["first_seen"] >= np.datetime64(start, "ns")) if start is not None else ~had
        status = np.select([fresh, ~had, lift < before, lift > before, lift == before],
                           [NEW, "", FADING, RISING, STEADY], "")
        table["fading"] = np.where(status != "", status.astype(object), None)
    return _by_likes(table, "trend", TREND_COLUMNS)


def trend_seen(facts: ClientFacts) -> Columns:
    """The first and last posting time of each trend key (sorted) over all the client's videos, kept per
    client: {"key", "first", "last"}."""
    key = ("videos", "trend", "seen")
    if key not in facts.memo:
        codes, names = facts.keys("videos", "trend")  # (each distinct name made a key once)
        keys = np.append(name_keys(names), None)[np.where(codes >= 0, codes, len(names))]
        posted = facts.data["videos"]["posted_at"].to_numpy(dtype="datetime64[ns]").view("int64")
        has = np.array([k is not None for k in keys], dtype=bool) & (posted != np.iinfo("int64").min)
        unique, at = np.unique(keys[has].astype(str), return_inverse=True)
        first = np.full(len(unique), np.iinfo("int64").max)
        last = np.full(len(unique), np.iinfo("int64").min)
        np.minimum.at(first, at.reshape(-1), posted[has])
        np.maximum.at(last, at.reshape(-1), posted[has])
        facts.memo[key] = {"key": unique, "first": first.view("datetime64[ns]"), "last": last.view("datetime64[ns]")}
    return facts.memo[key]
