"""A period's breakdowns: per campaign, video, code source, code, hashtag and day, as column arrays.

Each is a weighted count (`numpy.bincount`) over the period's slice of the client's sorted rows, by group
keys numbered once per client: what a sorted pandas groupby-sum gives, without one per report. Sums are
rounded to 6 decimals (exact for amounts in cents, whatever the order of the additions); rates are ratios of
the sums, NaN (shown as n/a) where the denominator is zero."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.periods import Period


def _group_sums(codes: np.ndarray, n: int, lo: int, hi: int, columns: list[np.ndarray],
                min_count: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """(present codes, sums per column) over rows lo:hi, like a sorted pandas groupby-sum.

    Missing values count as 0; with min_count=1 a group without any value sums to NaN. Sums are
    rounded to 6 decimals: exact for amounts in cents, whatever the order of the additions."""
    c = codes[lo:hi]
    keep = c >= 0
    c = c[keep]
    present = np.flatnonzero(np.bincount(c, minlength=n))
    sums = []
    for values in columns:
        v = values[lo:hi][keep]
        known = ~np.isnan(v)
        total = np.round(np.bincount(c, weights=np.where(known, v, 0.0), minlength=n)[present], 6)
        if min_count:
            total = np.where(np.bincount(c, weights=known, minlength=n)[present] >= min_count, total, np.nan)
        sums.append(total)
    return present, sums


def _ranked(first: np.ndarray, table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rows by `first` descending (missing last), ties in their current (name) order."""
    missing = np.isnan(first)
    order = np.lexsort((np.where(missing, 0.0, -first), missing))
    return {name: column[order] for name, column in table.items()}


def _rates(table: dict[str, np.ndarray], rates: dict[str, tuple[str, str, float]]) -> None:
    """Adds ratio columns; a zero or missing denominator gives NaN (shown as n/a), never inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num, den, scale) in rates.items():
            n, d = table[num], table[den]
            table[name] = np.where(d != 0, n / np.where(d != 0, d, 1.0) * scale, np.nan)


CAMPAIGN_RATES = {
    "ctr": ("clicks", "impressions", 1.0), "cpc": ("spend", "clicks", 1.0), "cpm": ("spend", "impressions", 1000.0),
    "cpa": ("spend", "conversions", 1.0), "roas": ("revenue", "spend", 1.0), "roi": ("profit", "spend", 1.0),
    "cost_per_like": ("spend", "likes", 1.0), "conversion_rate": ("conversions", "clicks", 1.0),
    "conversions_per_1k_likes": ("conversions", "likes", 1000.0),
    "revenue_per_1k_likes": ("revenue", "likes", 1000.0),
}
CAMPAIGN_SUMS = ["spend", "impressions", "clicks", "video_views", "likes", "conversions", "revenue"]


def campaign_table(facts: ClientFacts, period: Period) -> Columns:
    """Paid figures per campaign, sorted by spend (then name, for a stable order)."""
    codes, names = facts.keys("ads", "campaign")
    lo, hi = facts.span("ads", period)
    present, sums = _group_sums(codes, len(names), lo, hi, [facts.floats("ads", c) for c in CAMPAIGN_SUMS], 1)
    table = {"campaign": names[present], **dict(zip(CAMPAIGN_SUMS, sums))}
    table["profit"] = table["revenue"] - table["spend"]
    _rates(table, CAMPAIGN_RATES)
    return _ranked(table["spend"], table)


VIDEO_SUMS = ["views", "likes", "comments", "shares", "saves", "new_followers"]
VIDEO_META = ["title", "posted_at", "trend", "creator"]


def _first_known(codes: np.ndarray, values: np.ndarray, present: np.ndarray, n: int, empty,
                 has_value: np.ndarray | None = None) -> np.ndarray:
    """Each present group's first non-missing value (like groupby.first); `has_value`: ~pd.isna(values)."""
    known = np.flatnonzero((~pd.isna(values) if has_value is None else has_value) & (codes >= 0))
    groups, first = np.unique(codes[known], return_index=True)
    firsts = np.full(n, -1)
    firsts[groups] = known[first]
    picked = firsts[present]
    out = values[np.maximum(picked, 0)] if len(values) else np.full(len(picked), empty)
    if (picked < 0).any():
        out = out.copy()
        out[picked < 0] = empty
    return out


def video_table(facts: ClientFacts, period: Period) -> Columns:
    """Organic posts counted in the period with their engagement and negative comments."""
    codes, names = facts.keys("videos", "video_id")
    lo, hi = facts.span("videos", period)
    n = len(names)
    present, sums = _group_sums(codes, n, lo, hi, [facts.floats("videos", c) for c in VIDEO_SUMS], 1)
    table = {"video_id": names[present]}
    for column in VIDEO_META:
        values = facts.column("videos", column)
        has_value = facts.has_value("videos", column)[lo:hi]
        empty = np.datetime64("NaT") if column == "posted_at" else None
        table[column] = _first_known(codes[lo:hi], values[lo:hi], present, n, empty, has_value)
    table.update(zip(VIDEO_SUMS, sums))
    table["engagements"] = (np.nan_to_num(table["likes"]) + np.nan_to_num(table["comments"])
                            + np.nan_to_num(table["shares"]) + np.nan_to_num(table["saves"]))
    _rates(table, {"engagement_rate": ("engagements", "views", 1.0), "like_rate": ("likes", "views", 1.0)})
    table["negative_comments"] = _negative_comments(facts, period, present)
    if not len(present):
        table["posted_at"] = table["posted_at"].astype("datetime64[ns]")
    return _ranked(table["likes"], table)


def _negative_comments(facts: ClientFacts, period: Period, present: np.ndarray) -> np.ndarray:
    """Negative inbound comments in the period on each video (`present`: codes of facts.keys of videos)."""
    codes = facts.video_codes
    comment, negative = facts.comment_flags
    lo, hi = facts.span("community", period)
    hit = comment[lo:hi] & negative[lo:hi]
    counts = np.bincount(codes.community[lo:hi][hit], minlength=codes.count)
    return counts[codes.shared[present]].astype("float64")


def source_table(facts: ClientFacts, period: Period) -> Columns:
    """Discount-code orders and revenue per source, with the spend of the campaign of that name."""
    if period not in facts.sources:
        facts.sources[period] = _source_table(facts, period)
    return facts.sources[period]


def _source_table(facts: ClientFacts, period: Period) -> Columns:
    codes, names = facts.keys("orders", "source", fill="(no source)")
    lo, hi = facts.span("orders", period)
    present, (orders, revenue) = _group_sums(codes, len(names), lo, hi,
                                             [facts.floats("orders", "orders"), facts.floats("orders", "revenue")])
    campaigns, campaign_names = facts.keys("ads", "campaign")
    a_lo, a_hi = facts.span("ads", period)
    spent, (spend,) = _group_sums(campaigns, len(campaign_names), a_lo, a_hi, [facts.floats("ads", "spend")])
    by_name = dict(zip(campaign_names[spent].tolist(), spend.tolist()))
    table = {"source": names[present], "orders": orders, "revenue": revenue,
             "spend": np.array([by_name.get(s, np.nan) for s in names[present]], dtype="float64")}
    table["profit"] = table["revenue"] - table["spend"]
    _rates(table, {"code_roi": ("profit", "spend", 1.0)})
    del table["profit"]
    return _ranked(table["revenue"], table)


def code_table(facts: ClientFacts, period: Period) -> Columns:
    codes, code_names = facts.keys("orders", "code")
    sources, source_names = facts.keys("orders", "source", fill="")
    pairs = np.where((codes >= 0) & (sources >= 0), codes * max(len(source_names), 1) + sources, -1)
    n = len(code_names) * max(len(source_names), 1)
    lo, hi = facts.span("orders", period)
    present, sums = _group_sums(pairs, n, lo, hi, [facts.floats("orders", "orders"),
                                                   facts.floats("orders", "revenue")])
    width = max(len(source_names), 1)
    table = {"code": code_names[present // width], "source": source_names[present % width],
             "orders": sums[0], "revenue": sums[1]}
    return _ranked(table["revenue"], table)


def hashtag_table(facts: ClientFacts, period: Period) -> Columns:
    codes, names = facts.keys("hashtags", "hashtag")
    lo, hi = facts.span("hashtags", period)
    present, (posts, views) = _group_sums(codes, len(names), lo, hi, [facts.floats("hashtags", "posts"),
                                                                       facts.floats("hashtags", "views")], 1)
    return _ranked(posts, {"hashtag": names[present], "posts": posts, "views": views})


def hashtag_days(facts: ClientFacts, period: Period) -> Columns:
    """Posts per day and hashtag, in (day, hashtag) order."""
    codes, names = facts.keys("hashtags", "hashtag")
    lo, hi = facts.span("hashtags", period)
    dates = facts.column("hashtags", "date")[lo:hi]
    days, day_index = np.unique(dates, return_inverse=True)
    width = max(len(names), 1)
    pairs = np.where(codes[lo:hi] >= 0, day_index.reshape(-1) * width + codes[lo:hi], -1)
    present, (posts,) = _group_sums(pairs, len(days) * width, 0, hi - lo, [facts.floats("hashtags", "posts")[lo:hi]])
    return {"date": days[present // width], "hashtag": names[present % width], "posts": posts}


DAY_COLUMNS = ["spend", "revenue", "impressions", "clicks", "conversions", "inbound", "negative_comments",
               "sentiment_positive", "sentiment_neutral", "sentiment_negative", "hashtag_posts"]


def day_table(facts: ClientFacts, period: Period) -> Columns:
    """Every calendar day of the period (days without data are zero) with daily rates."""
    index = pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="D", name="date")
    stamps = index.as_unit("ns").asi8  # (pandas may give the index microseconds)
    days, values = facts.daily_matrix
    at = np.minimum(np.searchsorted(days, stamps), max(len(days) - 1, 0))
    known = (days[at] == stamps) if len(days) else np.zeros(len(stamps), dtype=bool)
    position = facts.daily_positions

    def day(name: str) -> np.ndarray:
        return np.where(known, values[at, position[name]], 0.0) if len(days) else np.zeros(len(stamps))

    table = {"date": index.values, "organic_likes": day("organic_likes"), "paid_likes": day("paid_likes")}
    table["likes"] = table["organic_likes"] + table["paid_likes"]
    table["views"] = day("organic_views") + day("video_views")
    table["engagements"] = (table["likes"] + day("organic_comments") + day("paid_comments")
                            + day("organic_shares") + day("paid_shares") + day("saves"))
    for c in DAY_COLUMNS:
        table[c] = day(c)
    table["new_followers"] = day("account_new_followers")
    _rates(table, {"engagement_rate": ("engagements", "views", 1.0), "like_rate": ("likes", "views", 1.0)})
    table["followers"] = _daily_followers(facts, period, stamps)
    table["has_data"] = known
    return table


def _daily_followers(facts: ClientFacts, period: Period, stamps: np.ndarray) -> np.ndarray:
    """The last follower count of each day (NaN when the day has none)."""
    lo, hi = facts.span("account", period)
    followers = facts.floats("account", "followers")[lo:hi]
    counted = ~np.isnan(followers)
    dates, followers = facts.stamps("account", "date")[lo:hi][counted], followers[counted]
    out = np.full(len(stamps), np.nan)
    if len(dates):
        last = np.r_[dates[1:] != dates[:-1], True]  # the last count of each day (rows are in date order)
        at = np.minimum(np.searchsorted(stamps, dates[last]), len(stamps) - 1)
        exact = stamps[at] == dates[last]  # a time of day other than midnight is no day of the index
        out[at[exact]] = followers[last][exact]
    return out
