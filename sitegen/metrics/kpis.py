"""The KPI catalogue's values for one period (`compute_kpis`): sums of the client's daily facts over the
period, and ratios of those sums. A zero or missing denominator gives None ("n/a"), never NaN or infinity; a
figure the data cannot support (no rows of the kind it comes from) is None, never 0."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sitegen.metrics.breakdowns import source_table
from sitegen.metrics.catalogue import KPI_IDS
from sitegen.metrics.daily import ADS_SUMS
from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.periods import EPOCH_ORDINAL, Period, period_bounds
from sitegen.metrics.ratios import Number, clean, ratio


def has_data(facts: ClientFacts, period: Period) -> bool:
    return facts.first_day is not None and not (
        pd.Timestamp(period.end) < facts.first_day or pd.Timestamp(period.start) > facts.last_day)


def missing_days(facts: ClientFacts, period: Period) -> list[date]:
    """The days of the period inside the client's data span that have no row of any kind."""
    if facts.first_day is None:
        return []
    days = facts.day_numbers
    start = max(period.start.toordinal() - EPOCH_ORDINAL, int(days[0]))
    end = min(period.end.toordinal() - EPOCH_ORDINAL, int(days[-1]))
    lo, hi = np.searchsorted(days, [start, end + 1])
    if hi - lo >= end - start + 1:  # (days are distinct and sorted: every day is there)
        return []
    every = np.arange(start, end + 1)
    return [date.fromordinal(EPOCH_ORDINAL + d) for d in every[~np.isin(every, days[lo:hi])].tolist()]


def _daily_sums(facts: ClientFacts, period: Period) -> dict[str, float]:
    days, values = facts.daily_matrix
    start, end = period_bounds(period)
    lo, hi = np.searchsorted(days, start, "left"), np.searchsorted(days, end, "left")
    return dict(zip(facts.daily.columns, np.round(values[lo:hi].sum(axis=0), 6).tolist()))


def compute_kpis(facts: ClientFacts, period: Period) -> dict[str, Number]:
    """Every KPI id of the catalogue for one period (None = n/a)."""
    if not has_data(facts, period):
        return dict.fromkeys(KPI_IDS)
    t = _daily_sums(facts, period)
    has = facts.kinds
    k: dict[str, Number] = {}

    def total(name: str, kind: str) -> Number:
        return t[name] if kind in has else None

    def add(*values: Number) -> Number:
        present = [v for v in values if v is not None]
        return sum(present) if present else None

    for c in ADS_SUMS:
        k[c] = total(c, "ads")
    k["paid_likes"] = total("paid_likes", "ads")
    k["organic_likes"] = total("organic_likes", "videos")
    k["likes"] = add(k["paid_likes"], k["organic_likes"])
    k["comments"] = add(total("paid_comments", "ads"), total("organic_comments", "videos"))
    k["shares"] = add(total("paid_shares", "ads"), total("organic_shares", "videos"))
    k["saves"] = total("saves", "videos")
    k["views"] = add(total("video_views", "ads"), total("organic_views", "videos"))
    k["engagements"] = add(k["likes"], k["comments"], k["shares"], k["saves"])
    k["engagement_rate"] = ratio(k["engagements"], k["views"])
    k["like_rate"] = ratio(k["likes"], k["views"])
    k["share_rate"] = ratio(k["shares"], k["views"])
    k["comment_rate"] = ratio(k["comments"], k["views"])
    k["save_rate"] = ratio(k["saves"], k["views"])
    k["cpm"] = ratio(k["spend"], k["impressions"], 1000)
    k["ctr"] = ratio(k["clicks"], k["impressions"])
    k["cpc"] = ratio(k["spend"], k["clicks"])
    k["cost_per_like"] = ratio(k["spend"], k["paid_likes"])
    k["conversion_rate"] = ratio(k["conversions"], k["clicks"])
    k["cpa"] = ratio(k["spend"], k["conversions"])
    k["roas"] = ratio(k["revenue"], k["spend"])
    k["roi"] = ratio(None if k["revenue"] is None else k["revenue"] - k["spend"], k["spend"])
    k["conversions_per_1k_likes"] = ratio(k["conversions"], k["likes"], 1000)
    k["follower_growth"], k["follower_growth_rate"] = follower_growth(facts, period)
    k["reply_rate"] = ratio(total("answered_cd", "community"), total("inbound_cd", "community"))
    k["median_response_minutes"] = median_response_minutes(facts, period) if "community" in has else None
    k["dm_leads"] = total("leads", "community")
    k["outbound_interactions"] = total("outbound", "community")
    k["negative_ratio"] = negative_ratio(facts, period) if "community" in has else None
    k["mentions"] = total("mentions", "community")
    k["code_orders"] = total("code_orders", "orders")
    k["code_revenue"] = total("code_revenue", "orders")
    k["code_roi"] = code_roi(source_table(facts, period)) if "orders" in has else None
    k["hashtag_posts"] = total("hashtag_posts", "hashtags")
    k["hashtag_views"] = total("hashtag_views", "hashtags")
    k["trend_lift"] = ratio(ratio(t["trend_eng"], t["trend_views"]), ratio(t["other_eng"], t["other_views"]))
    k["collab_lift"] = ratio(ratio(t["collab_eng"], t["collab_views"]), ratio(t["owned_eng"], t["owned_views"]))
    return {kid: clean(k[kid]) for kid in KPI_IDS}


def follower_growth(facts: ClientFacts, period: Period) -> tuple[Number, Number]:
    """Followers at the period's end minus followers at its start.

    The start is the last count before the period (so that consecutive periods add up),
    or the period's first count when the data begins inside it. Without follower counts,
    growth is the sum of new_followers and the rate is n/a."""
    days, followers = facts.follower_counts
    start, end = period_bounds(period)
    lo, hi = int(np.searchsorted(days, start, "left")), int(np.searchsorted(days, end, "left"))
    if hi > lo:
        first = followers[lo - 1] if lo > 0 else followers[lo]
        growth = float(followers[hi - 1] - first)
        return growth, ratio(growth, float(first))
    lo, hi = facts.span("account", period)
    new = facts.floats("account", "new_followers")[lo:hi]
    if (~np.isnan(new)).any():
        return float(np.nansum(new)), None
    return None, None


def median_response_minutes(facts: ClientFacts, period: Period) -> Number:
    lo, hi = facts.span("community", period)
    minutes = facts.response_minutes[lo:hi]
    minutes = minutes[~np.isnan(minutes)]
    return float(np.median(minutes)) if len(minutes) else None


def _video_likes(facts: ClientFacts, period: Period) -> tuple[np.ndarray, np.ndarray]:
    """(likes per video code, whether the code has a row): lifetime rows, plus daily rows in the period."""
    codes, n = facts.video_codes.videos, facts.video_codes.count
    base, seen = facts.lifetime_likes
    lo, hi = facts.span("videos", period)
    daily = ~facts.lifetime_videos[lo:hi] & (codes[lo:hi] >= 0)
    c = codes[lo:hi][daily]
    total = base + np.bincount(c, weights=np.nan_to_num(facts.floats("videos", "likes")[lo:hi][daily]), minlength=n)
    return total, seen | (np.bincount(c, minlength=n) > 0)


def negative_ratio(facts: ClientFacts, period: Period) -> Number:
    """Negative inbound comments on the videos commented on in the period / likes of those videos.

    Likes of a video are its lifetime likes (lifetime rows) or its likes inside the period
    (daily rows)."""
    comment_codes = facts.video_codes.community
    comment, negative = facts.comment_flags
    lo, hi = facts.span("community", period)
    mine = comment[lo:hi]
    codes, bad = comment_codes[lo:hi][mine], negative[lo:hi][mine]
    likes, seen = _video_likes(facts, period)
    counted = seen[codes]
    if not counted.any():
        return None
    ids = np.unique(codes[counted])
    return ratio(float((bad & counted).sum()), float(likes[ids].sum()))


def code_roi(sources: Columns) -> Number:
    paid = sources["spend"] > 0  # (NaN is not)
    if not paid.any():
        return None
    spend = float(np.round(sources["spend"][paid].sum(), 6))
    return ratio(float(np.round(sources["revenue"][paid].sum(), 6)) - spend, spend)
