"""The KPI catalogue of the brief: ids, labels, units and which direction is better."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str
    unit: str  # count | money | percent | multiple | minutes | decimal
    higher_is_better: bool = True
    section: str = "summary"


_KPIS = [
    Kpi("spend", "Spend", "money", True, "paid"),
    Kpi("impressions", "Impressions", "count", True, "paid"),
    Kpi("reach", "Reach", "count", True, "paid"),
    Kpi("clicks", "Clicks", "count", True, "paid"),
    Kpi("video_views", "Paid video views", "count", True, "paid"),
    Kpi("conversions", "Conversions", "count", True, "paid"),
    Kpi("revenue", "Revenue", "money", True, "paid"),
    Kpi("likes", "Likes", "count", True, "engagement"),
    Kpi("organic_likes", "Organic likes", "count", True, "engagement"),
    Kpi("paid_likes", "Paid likes", "count", True, "engagement"),
    Kpi("comments", "Comments", "count", True, "engagement"),
    Kpi("shares", "Shares", "count", True, "engagement"),
    Kpi("saves", "Saves", "count", True, "engagement"),
    Kpi("engagements", "Engagements", "count", True, "engagement"),
    Kpi("views", "Views", "count", True, "engagement"),
    Kpi("engagement_rate", "Engagement rate", "percent", True, "engagement"),
    Kpi("like_rate", "Like rate", "percent", True, "engagement"),
    Kpi("share_rate", "Share rate", "percent", True, "engagement"),
    Kpi("comment_rate", "Comment rate", "percent", True, "engagement"),
    Kpi("save_rate", "Save rate", "percent", True, "engagement"),
    Kpi("cpm", "CPM", "money", False, "paid"),
    Kpi("ctr", "CTR", "percent", True, "paid"),
    Kpi("cpc", "CPC", "money", False, "paid"),
    Kpi("cost_per_like", "Cost per like", "money", False, "paid"),
    Kpi("conversion_rate", "Conversion rate", "percent", True, "paid"),
    Kpi("cpa", "CPA", "money", False, "paid"),
    Kpi("roas", "ROAS", "multiple", True, "paid"),
    Kpi("roi", "ROI", "percent", True, "paid"),
    Kpi("conversions_per_1k_likes", "Conversions per 1k likes", "decimal", True, "paid"),
    Kpi("follower_growth", "Follower growth", "count", True, "engagement"),
    Kpi("follower_growth_rate", "Follower growth rate", "percent", True, "engagement"),
    Kpi("reply_rate", "Reply rate", "percent", True, "community"),
    Kpi("median_response_minutes", "Median response time (min)", "minutes", False, "community"),
    Kpi("dm_leads", "Leads", "count", True, "community"),
    Kpi("outbound_interactions", "Outbound interactions", "count", True, "community"),
    Kpi("negative_ratio", "Negative comments per like", "percent", False, "community"),
    Kpi("code_orders", "Discount-code orders", "count", True, "attribution"),
    Kpi("code_revenue", "Discount-code revenue", "money", True, "attribution"),
    Kpi("code_roi", "Discount-code ROI", "percent", True, "attribution"),
    Kpi("hashtag_posts", "Hashtag posts", "count", True, "attribution"),
    Kpi("hashtag_views", "Hashtag views", "count", True, "attribution"),
    Kpi("mentions", "Mentions", "count", True, "attribution"),
    Kpi("trend_lift", "Trend lift", "multiple", True, "content"),
    Kpi("collab_lift", "Collaboration lift", "multiple", True, "content"),
]

KPIS: dict[str, Kpi] = {k.id: k for k in _KPIS}
KPI_IDS: tuple[str, ...] = tuple(KPIS)

SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "engagement": "Likes and engagement",
    "content": "Content",
    "paid": "Paid and ROI",
    "community": "Community",
    "attribution": "Attribution",
}

DEFAULT_SUMMARY_KPIS = ["likes", "views", "engagement_rate", "follower_growth", "spend",
                        "revenue", "roi", "cpa", "reply_rate"]
