"""The KPI catalogue's values for one period (`compute_kpis`): sums of the client's daily facts over the
period, and ratios of those sums. A zero or missing denominator gives None ("n/a"), never NaN or infinity; a
figure the data cannot support (no rows of the kind it comes from) is None, never 0."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sitegen.metrics.breakdowns import source_table
from sitegen.metrics.daily import ADS_SUMS
from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.figures import NO_SHOP_EXPORT, Figures
from sitegen.metrics.periods import EPOCH_ORDINAL, Period, period_bounds
from sitegen.metrics.ratios import Number, ratio


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
    return compute_figures(facts, period).values


def compute_figures(facts: ClientFacts, period: Period) -> Figures:
    """Every KPI of the catalogue for one period, with the data each came from and why an n/a is one."""
    if not has_data(facts, period):
        return Figures({}, facts.kinds, facts.known_sums).done()
    f = Figures(_daily_sums(facts, period), facts.kinds, facts.known_sums)
    for c in ADS_SUMS:
        f.total(c, c, "ads", c)
    f.total("paid_likes", "paid_likes", "ads", "likes")
    f.organic("organic_likes", ("organic_likes", "likes"), ("account_likes", "likes"))
    f.add("likes", "paid_likes", "organic_likes")
    for name in ("comments", "shares"):
        f.total(f"paid_{name}", f"paid_{name}", "ads", name)
        f.organic(f"organic_{name}", (f"organic_{name}", name), (f"account_{name}", name))
        f.add(name, f"paid_{name}", f"organic_{name}")
    f.total("saves", "saves", "videos", "saves")
    f.organic("organic_views", ("organic_views", "views"), ("account_views", "video_views"))
    f.add("views", "video_views", "organic_views")
    f.add("engagements", "likes", "comments", "shares", "saves")
    for rate, part in (("engagement_rate", "engagements"), ("like_rate", "likes"), ("share_rate", "shares"),
                       ("comment_rate", "comments"), ("save_rate", "saves")):
        f.ratio(rate, part, "views")
    _paid_ratios(f)
    _other_kpis(f, facts, period)
    return f.done()


def _paid_ratios(f: Figures) -> None:
    f.ratio("cpm", "spend", "impressions", 1000)
    f.ratio("ctr", "clicks", "impressions")
    f.ratio("cpc", "spend", "clicks")
    f.ratio("cost_per_like", "spend", "paid_likes")
    f.ratio("conversion_rate", "conversions", "clicks")
    f.ratio("cpa", "spend", "conversions")
    f.ratio("roas", "revenue", "spend")
    profit = None if f.values["revenue"] is None or f.values["spend"] is None \
        else f.values["revenue"] - f.values["spend"]
    f.put("roi", ratio(profit, f.values["spend"]), "revenue", "spend")
    f.ratio("conversions_per_1k_likes", "conversions", "likes", 1000)
    f.ratio("revenue_per_1k_likes", "revenue", "likes", 1000)
    f.ratio("likes_per_conversion", "likes", "conversions")


def _other_kpis(f: Figures, facts: ClientFacts, period: Period) -> None:
    has, t = facts.kinds, f.sums
    growth, rate, source = follower_growth(facts, period)
    f.put("follower_growth", growth, source=source)
    f.put("follower_growth_rate", rate, source=source)
    f.put("reply_rate", ratio(f.sum("answered_cd", "community"), f.sum("inbound_cd", "community")),
          source="community.responded_at")
    f.put("median_response_minutes", median_response_minutes(facts, period) if "community" in has else None,
          source="community.responded_at")
    f.total("dm_leads", "leads", "community", "lead")
    f.total("outbound_interactions", "outbound", "community", "direction")
    f.put("negative_ratio", negative_ratio(facts, period) if "community" in has else None,
          source="community.sentiment")
    f.total("mentions", "mentions", "community", "channel")
    f.total("code_orders", "code_orders", "orders", "orders")
    f.total("code_revenue", "code_revenue", "orders", "revenue")
    code = code_roi(source_table(facts, period)) if "orders" in has and f.values["code_revenue"] is not None \
        else None
    f.put("code_roi", code, "code_revenue", "spend")
    _shop_kpis(f, facts)
    f.total("hashtag_posts", "hashtag_posts", "hashtags", "posts")
    f.total("hashtag_views", "hashtag_views", "hashtags", "views")
    f.put("trend_lift", ratio(ratio(t["trend_eng"], t["trend_views"]), ratio(t["other_eng"], t["other_views"])),
          source="videos.trend")
    f.put("collab_lift", ratio(ratio(t["collab_eng"], t["collab_views"]), ratio(t["owned_eng"], t["owned_views"])),
          source="videos.creator")
    for lift in ("trend_lift", "collab_lift"):  # (engagements of posts: likes, comments, shares and saves)
        f.lacking(lift, "organic_comments", "organic_shares", "saves")


def _shop_kpis(f: Figures, facts: ClientFacts) -> None:
    """All of a shop's orders, and the share codes drove: known only when the orders data lists orders without
    a code too (a shop's order export), not from a list of code orders alone."""
    if facts.all_orders_listed:
        f.total("shop_orders", "shop_orders", "orders", "orders")
        f.total("shop_revenue", "shop_revenue", "orders", "revenue")
    else:
        f.missing("shop_orders", NO_SHOP_EXPORT)
        f.missing("shop_revenue", NO_SHOP_EXPORT)
    f.ratio("code_order_share", "code_orders", "shop_orders")
    f.ratio("code_revenue_share", "code_revenue", "shop_revenue")


def follower_growth(facts: ClientFacts, period: Period) -> tuple[Number, Number, str | None]:
    """(growth, growth rate, the data they came from): followers at the period's end minus followers at its start.

    The start is the last count before the period (so that consecutive periods add up),
    or the period's first count when the data begins inside it. Without follower counts,
    growth is the sum of the daily net change (net_followers; else new_followers) and the rate is n/a."""
    days, followers = facts.follower_counts
    start, end = period_bounds(period)
    lo, hi = int(np.searchsorted(days, start, "left")), int(np.searchsorted(days, end, "left"))
    if hi > lo:
        first = followers[lo - 1] if lo > 0 else followers[lo]
        growth = float(followers[hi - 1] - first)
        return growth, ratio(growth, float(first)), "account.followers"
    lo, hi = facts.span("account", period)
    for column in ("net_followers", "new_followers"):
        change = facts.floats("account", column)[lo:hi]
        if (~np.isnan(change)).any():
            return float(np.nansum(change)), None, f"account.{column}"
    return None, None, None


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
