"""A report's targets. A target in client.toml or sitegen.toml is a month's; for a report of another length a sum
(a count or an amount: likes, spend, follower growth) is pro-rated by the calendar months the period covers, each
month counting its days in the period over its days: 4000 for October is 4000 × 7/31 for 1–7 October, and
4000 × (3/30 + 4/31) for 28 September – 4 October. A whole calendar month keeps the target as it is. Rates and
ratios (roi, cpa, reply_rate) are not pro-rated, and a target in a report's own front matter is its period's."""

from __future__ import annotations

import calendar
from datetime import timedelta

from sitegen.metrics.periods import Period

# the KPIs that add up over days (their target grows with the period); every other KPI is a rate or a ratio
SUM_KPIS = frozenset({
    "spend", "impressions", "reach", "clicks", "video_views", "conversions", "revenue", "likes", "organic_likes",
    "paid_likes", "comments", "shares", "saves", "engagements", "views", "follower_growth", "dm_leads",
    "outbound_interactions", "code_orders", "code_revenue", "shop_orders", "shop_revenue", "hashtag_posts",
    "hashtag_views", "mentions",
})


def months_covered(period: Period) -> float:
    """The calendar months the period covers: each month's days in the period over its days (1.0 for a whole
    calendar month, 7/31 for a week in October)."""
    total, start = 0.0, period.start
    while start <= period.end:
        days_in_month = calendar.monthrange(start.year, start.month)[1]
        month_end = start.replace(day=days_in_month)
        end = min(month_end, period.end)
        total += ((end - start).days + 1) / days_in_month
        start = month_end + timedelta(days=1)
    return total


def report_targets(monthly: dict[str, float], own: dict[str, float], period: Period
                   ) -> tuple[dict[str, float], dict[str, float]]:
    """(the report's targets, the month's target of each KPI whose target was pro-rated): `monthly` from the
    settings, scaled for the period where they are sums; `own` from the report's front matter, as they are."""
    share = months_covered(period)
    prorated = {k: v for k, v in monthly.items() if k in SUM_KPIS and k not in own and share != 1.0}
    return {**monthly, **{k: v * share for k, v in prorated.items()}, **own}, prorated
