"""Who and what earned a period's likes and sales: revenue attributed to videos, a table per creator and a
table per trend (docs/user-guide/kpis.md defines each figure; handles.py how names match).

The tables are small (a row per video of the period), so they are pandas groupbys over the period's video
table, not over the client's rows."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.handles import HANDLE, name_key
from sitegen.metrics.periods import Period


def name_keys(names) -> pd.Series:
    """Each name as a key (`name_key`)."""
    return pd.Series(names, dtype=object).map(name_key).astype(object)


def handle_keys(names, known: set[str]) -> pd.Series:
    """The creator each name names: the name's own key when it is a known creator, else its first handle."""
    keys = name_keys(names)
    handles = pd.Series(names, dtype=object).astype("string").str.extract(HANDLE, expand=False).str.casefold()
    own = keys.isin(known)
    return keys.where(own, handles.astype(object)).where(lambda k: k.notna(), None)


def _sum(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """Sums per key; a key whose values are all missing sums to NaN (n/a), not 0."""
    return frame.groupby(key, sort=True)[columns].sum(min_count=1)


def _rate(numerator, denominator, scale: float = 1.0) -> np.ndarray:
    n, d = np.asarray(numerator, dtype="float64"), np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(d != 0, n / np.where(d != 0, d, 1.0) * scale, np.nan)
    return np.where(np.isfinite(out), out, np.nan)


def _engagement_rate(videos: pd.DataFrame) -> float:
    return float(_rate(videos["engagements"].sum(), videos["views"].sum(min_count=1)))


# per video: the sales a code source, campaign or ad names it for

def video_sales(videos: Columns, sources: Columns, facts: ClientFacts, period: Period) -> Columns:
    """Code orders and revenue, ads revenue and their total per video of `videos` (NaN where nothing names
    the video), and revenue per 1k likes. A name names a video when its key is the video's id or title (a
    title two videos share names neither); an ads row counts by its campaign's name, else its ad's."""
    n = len(videos["video_id"])
    ids = name_keys([None if v is None else str(v) for v in videos["video_id"]])
    titles = name_keys(videos["title"])
    titles = titles.where(~titles.duplicated(keep=False) & ~titles.isin(set(ids.dropna())))
    lookup = pd.concat([pd.Series(np.arange(n), index=ids.to_numpy()),
                        pd.Series(np.arange(n), index=titles.to_numpy())])
    lookup = lookup[pd.notna(lookup.index)]

    def positions(names) -> np.ndarray:
        return lookup.reindex(name_keys(names).to_numpy()).fillna(-1).to_numpy(dtype="int64")

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
    v = pd.DataFrame({c: videos[c] for c in ("creator", "views", "likes", "engagements")})
    v["key"] = name_keys(v["creator"]).to_numpy()
    collab = v[v["key"].notna()]
    known = set(collab["key"])
    codes = pd.DataFrame({"key": handle_keys(sources["source"], known).to_numpy(),
                          "code_orders": sources["orders"], "code_revenue": sources["revenue"]})
    ads = pd.DataFrame({"key": handle_keys(campaigns["campaign"], known).to_numpy(),
                        "ad_spend": campaigns["spend"], "ad_revenue": campaigns["revenue"]})
    per = _sum(collab, "key", ["views", "likes", "engagements"])
    per["videos"] = collab.groupby("key", sort=True).size().astype("float64")
    per["label"] = collab.groupby("key", sort=True)["creator"].min().str.strip()
    per = per.join(_sum(codes.dropna(subset=["key"]), "key", ["code_orders", "code_revenue"]), how="outer")
    per = per.join(_sum(ads.dropna(subset=["key"]), "key", ["ad_spend", "ad_revenue"]), how="outer")
    per["videos"] = per["videos"].fillna(0.0)
    per["label"] = per["label"].where(per["label"].notna(), "@" + per.index.to_series())
    fee = pd.Series({k: float(f) for k, f in fees.items()}, dtype="float64")
    if len(fee):
        fee.index = name_keys(fee.index.to_numpy()).to_numpy()
    per["fee"] = fee.reindex(per.index).to_numpy() if len(fee) else np.nan
    per["engagement_rate"] = _rate(per["engagements"], per["views"])
    per["lift"] = _rate(per["engagement_rate"], _engagement_rate(v[v["key"].isna()]))
    revenue = per[["code_revenue", "ad_revenue"]].sum(axis=1, min_count=1)
    cost = per["fee"] + per["ad_spend"].fillna(0.0)
    per["cost_per_like"] = _rate(per["fee"], per["likes"])
    per["roi"] = _rate(revenue - cost, cost)
    per = per.reset_index(drop=True).rename(columns={"label": "creator"})
    per = per.sort_values(["likes", "creator"], ascending=[False, True], na_position="last", kind="stable")
    return _columns(per, CREATOR_COLUMNS)


def _columns(frame: pd.DataFrame, names: list[str]) -> Columns:
    return {c: frame[c].to_numpy(dtype="float64" if pd.api.types.is_numeric_dtype(frame[c]) else object)
            for c in names}


# per trend

TREND_COLUMNS = ["trend", "videos", "views", "likes", "engagement_rate", "lift", "first_seen", "last_seen", "fading"]
NEW, FADING, RISING, STEADY = "new", "fading", "rising", "steady"


def _trend_rows(videos: Columns) -> pd.DataFrame:
    """Videos, views, likes, engagement rate and lift per trend key of a period's video table."""
    v = pd.DataFrame({c: videos[c] for c in ("trend", "views", "likes", "engagements")})
    v["key"] = name_keys(v["trend"]).to_numpy()
    trend = v[v["key"].notna()]
    per = _sum(trend, "key", ["views", "likes", "engagements"])
    per["videos"] = trend.groupby("key", sort=True).size().astype("float64")
    per["label"] = trend.groupby("key", sort=True)["trend"].min().str.strip()
    per["engagement_rate"] = _rate(per["engagements"], per["views"])
    per["lift"] = _rate(per["engagement_rate"], _engagement_rate(v[v["key"].isna()]))
    return per


def trend_table(videos: Columns, previous: Columns | None, seen: pd.DataFrame,
                start: pd.Timestamp | None = None) -> Columns:
    """A row per trend of the period's videos, by likes (then name); `previous`: the comparison period's video
    table (None: no comparison, so whether a lift fades cannot be told); `seen`: `trend_seen`; `start`: the
    period's first day (a trend first seen on it or later is new; one seen before, but not in the comparison
    period, has no lift to compare with)."""
    per = _trend_rows(videos)
    seen = seen.reindex(per.index)
    per["first_seen"], per["last_seen"] = seen["first"].to_numpy(), seen["last"].to_numpy()
    if previous is None:
        per["fading"] = None
    else:
        earlier = _trend_rows(previous)
        before = earlier["lift"].reindex(per.index)
        had = per.index.isin(earlier.index)
        lift = per["lift"]
        fresh = ~had & ((per["first_seen"] >= start).to_numpy() if start is not None else True)
        status = np.select([fresh, ~had, lift < before, lift > before, lift == before],
                           [NEW, "", FADING, RISING, STEADY], "")
        per["fading"] = np.where(status != "", status.astype(object), None)
    per = per.reset_index(drop=True).rename(columns={"label": "trend"})
    per = per.sort_values(["likes", "trend"], ascending=[False, True], na_position="last", kind="stable")
    out = _columns(per, [c for c in TREND_COLUMNS if c not in ("first_seen", "last_seen", "fading")])
    for c in ("first_seen", "last_seen"):
        out[c] = per[c].to_numpy(dtype="datetime64[ns]")
    out["fading"] = np.array([s if isinstance(s, str) else None for s in per["fading"]], dtype=object)  # (not NaN)
    return {c: out[c] for c in TREND_COLUMNS}


def trend_seen(facts: ClientFacts) -> pd.DataFrame:
    """The first and last posting time of each trend key over all the client's videos (kept per client)."""
    key = ("videos", "trend", "seen")
    if key not in facts.memo:
        codes, names = facts.keys("videos", "trend")  # (each distinct name made a key once)
        keys = np.append(name_keys(names).to_numpy(), None)
        frame = pd.DataFrame({"key": keys[np.where(codes >= 0, codes, len(names))],
                              "posted_at": facts.data["videos"]["posted_at"].to_numpy(dtype="datetime64[ns]")})
        grouped = frame.dropna(subset=["key"]).groupby("key", sort=True)["posted_at"]
        facts.memo[key] = pd.DataFrame({"first": grouped.min(), "last": grouped.max()})
    return facts.memo[key]
