"""The KPI catalogue: ids, labels, units, sections and which direction is better (docs/user-guide/kpis.md
defines each).

Labels and section titles are English message ids, translated where they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.i18n import N_


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str
    unit: str  # count | money | percent | multiple | minutes | decimal
    higher_is_better: bool = True
    section: str = "summary"


_KPIS = [
    Kpi("spend", N_("Spend"), "money", True, "paid"),
    Kpi("impressions", N_("Impressions"), "count", True, "paid"),
    Kpi("reach", N_("Reach"), "count", True, "paid"),
    Kpi("clicks", N_("Clicks"), "count", True, "paid"),
    Kpi("video_views", N_("Paid video views"), "count", True, "paid"),
    Kpi("conversions", N_("Conversions"), "count", True, "paid"),
    Kpi("revenue", N_("Revenue"), "money", True, "paid"),
    Kpi("likes", N_("Likes"), "count", True, "engagement"),
    Kpi("organic_likes", N_("Organic likes"), "count", True, "engagement"),
    Kpi("paid_likes", N_("Paid likes"), "count", True, "engagement"),
    Kpi("comments", N_("Comments"), "count", True, "engagement"),
    Kpi("shares", N_("Shares"), "count", True, "engagement"),
    Kpi("saves", N_("Saves"), "count", True, "engagement"),
    Kpi("engagements", N_("Engagements"), "count", True, "engagement"),
    Kpi("views", N_("Views"), "count", True, "engagement"),
    Kpi("engagement_rate", N_("Engagement rate"), "percent", True, "engagement"),
    Kpi("like_rate", N_("Like rate"), "percent", True, "engagement"),
    Kpi("share_rate", N_("Share rate"), "percent", True, "engagement"),
    Kpi("comment_rate", N_("Comment rate"), "percent", True, "engagement"),
    Kpi("save_rate", N_("Save rate"), "percent", True, "engagement"),
    Kpi("cpm", N_("CPM"), "money", False, "paid"),
    Kpi("ctr", N_("CTR"), "percent", True, "paid"),
    Kpi("cpc", N_("CPC"), "money", False, "paid"),
    Kpi("cost_per_like", N_("Cost per like"), "money", False, "paid"),
    Kpi("conversion_rate", N_("Conversion rate"), "percent", True, "paid"),
    Kpi("cpa", N_("CPA"), "money", False, "paid"),
    Kpi("roas", N_("ROAS"), "multiple", True, "paid"),
    Kpi("roi", N_("ROI"), "percent", True, "paid"),
    Kpi("conversions_per_1k_likes", N_("Conversions per 1k likes"), "decimal", True, "paid"),
    Kpi("revenue_per_1k_likes", N_("Revenue per 1k likes"), "money", True, "paid"),
    Kpi("likes_per_conversion", N_("Likes per conversion"), "decimal", False, "paid"),
    Kpi("follower_growth", N_("Follower growth"), "count", True, "engagement"),
    Kpi("follower_growth_rate", N_("Follower growth rate"), "percent", True, "engagement"),
    Kpi("reply_rate", N_("Reply rate"), "percent", True, "community"),
    Kpi("median_response_minutes", N_("Median response time (min)"), "minutes", False, "community"),
    Kpi("dm_leads", N_("Leads"), "count", True, "community"),
    Kpi("outbound_interactions", N_("Outbound interactions"), "count", True, "community"),
    Kpi("negative_ratio", N_("Negative comments per like"), "percent", False, "community"),
    Kpi("code_orders", N_("Discount-code orders"), "count", True, "attribution"),
    Kpi("code_revenue", N_("Discount-code revenue"), "money", True, "attribution"),
    Kpi("code_roi", N_("Discount-code ROI"), "percent", True, "attribution"),
    Kpi("shop_orders", N_("Shop orders"), "count", True, "attribution"),
    Kpi("shop_revenue", N_("Shop revenue"), "money", True, "attribution"),
    Kpi("code_order_share", N_("Orders with a code"), "percent", True, "attribution"),
    Kpi("code_revenue_share", N_("Revenue with a code"), "percent", True, "attribution"),
    Kpi("hashtag_posts", N_("Hashtag posts"), "count", True, "attribution"),
    Kpi("hashtag_views", N_("Hashtag views"), "count", True, "attribution"),
    Kpi("mentions", N_("Mentions"), "count", True, "attribution"),
    Kpi("trend_lift", N_("Trend lift"), "multiple", True, "content"),
    Kpi("collab_lift", N_("Collaboration lift"), "multiple", True, "content"),
]

KPIS: dict[str, Kpi] = {k.id: k for k in _KPIS}
KPI_IDS: tuple[str, ...] = tuple(KPIS)

SECTIONS: dict[str, str] = {
    "summary": N_("Summary"),
    "engagement": N_("Likes and engagement"),
    "content": N_("Content"),
    "paid": N_("Paid and ROI"),
    "community": N_("Community"),
    "attribution": N_("Attribution"),
    "creators": N_("Creators"),
    "trends": N_("Trends"),
}

DEFAULT_SUMMARY_KPIS = ["likes", "views", "engagement_rate", "follower_growth", "spend",
                        "revenue", "roi", "cpa", "reply_rate"]
