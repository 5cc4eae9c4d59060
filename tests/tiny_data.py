"""A hand-made dataset whose every KPI was computed by hand (see test_kpis.py)."""

ADS = [
    dict(date="2026-10-01", campaign="A", spend="100", impressions="10000", reach="8000", clicks="200",
         video_views="4000", likes="300", comments="20", shares="10", conversions="10", revenue="400"),
    dict(date="2026-10-02", campaign="B", spend="50", impressions="5000", reach="4000", clicks="50",
         video_views="1000", likes="100", comments="5", shares="5", conversions="0", revenue="0"),
    dict(date="2026-09-30", campaign="A", spend="999", impressions="1", reach="1", clicks="1",
         video_views="1", likes="1", comments="1", shares="1", conversions="1", revenue="1"),
]
VIDEOS = [
    dict(video_id="7000000000000000001", posted_at="2026-10-01 10:00", views="10000", likes="1000",
         comments="50", shares="20", saves="30", trend="dance", creator="", title="One"),
    dict(video_id="7000000000000000002", posted_at="2026-10-02 12:00", views="5000", likes="200",
         comments="10", shares="5", saves="5", trend="", creator="@c", title="Two"),
    dict(video_id="7000000000000000003", posted_at="2026-09-15 12:00", views="1", likes="1",
         comments="1", shares="1", saves="1", trend="", creator="", title="Old"),
]
ACCOUNT = [
    dict(date="2026-09-30", followers="1000", new_followers="5"),
    dict(date="2026-10-01", followers="1010", new_followers="10"),
    dict(date="2026-10-02", followers="1030", new_followers="20"),
]
V1, V2 = "7000000000000000001", "7000000000000000002"
COMMUNITY = [
    dict(received_at="2026-10-01 09:00", channel="comment", direction="inbound", video_id=V1,
         responded_at="2026-10-01 09:30", sentiment="positive", lead="false"),
    dict(received_at="2026-10-01 10:00", channel="comment", direction="inbound", video_id=V1,
         responded_at="", sentiment="negative", lead="false"),
    dict(received_at="2026-10-01 11:00", channel="dm", direction="inbound", video_id="",
         responded_at="2026-10-01 13:00", sentiment="neutral", lead="true"),
    dict(received_at="2026-10-02 08:00", channel="mention", direction="inbound", video_id="",
         responded_at="", sentiment="neutral", lead="false"),
    dict(received_at="2026-10-02 09:00", channel="comment", direction="outbound", video_id="",
         responded_at="", sentiment="", lead="false"),
    dict(received_at="2026-10-02 10:00", channel="comment", direction="inbound", video_id=V2,
         responded_at="2026-10-02 10:10", sentiment="negative", lead="false"),
    dict(received_at="2026-09-30 10:00", channel="comment", direction="inbound", video_id=V1,
         responded_at="", sentiment="negative", lead="false"),
]
ORDERS = [
    dict(date="2026-10-01", code="A10", orders="5", revenue="150", source="A"),
    dict(date="2026-10-02", code="C5", orders="2", revenue="40", source="@c"),
]
HASHTAGS = [
    dict(date="2026-10-01", hashtag="#brand", posts="3", views="300"),
    dict(date="2026-10-02", hashtag="#brand", posts="4", views="500"),
]
TABLES = {"ads": ADS, "videos": VIDEOS, "account": ACCOUNT, "community": COMMUNITY, "orders": ORDERS,
          "hashtags": HASHTAGS}

# Period 2026-10-01..2026-10-02, computed by hand from the rows above.
EXPECTED = {
    "spend": 150, "impressions": 15000, "reach": 12000, "clicks": 250, "video_views": 5000,
    "conversions": 10, "revenue": 400,
    "paid_likes": 400, "organic_likes": 1200, "likes": 1600,
    "comments": 85, "shares": 40, "saves": 35, "engagements": 1760, "views": 20000,
    "engagement_rate": 1760 / 20000, "like_rate": 0.08, "share_rate": 0.002, "comment_rate": 0.00425,
    "save_rate": 0.00175,
    "cpm": 10.0, "ctr": 250 / 15000, "cpc": 0.6, "cost_per_like": 0.375, "conversion_rate": 0.04, "cpa": 15.0,
    "roas": 400 / 150, "roi": 250 / 150, "conversions_per_1k_likes": 6.25,
    "revenue_per_1k_likes": 250.0, "likes_per_conversion": 160.0,
    "follower_growth": 30, "follower_growth_rate": 0.03,
    "reply_rate": 0.75, "median_response_minutes": 30.0, "dm_leads": 1, "outbound_interactions": 1,
    "negative_ratio": 2 / 1200, "mentions": 1,
    "code_orders": 7, "code_revenue": 190, "code_roi": 0.5,
    "shop_orders": None, "shop_revenue": None, "code_order_share": None, "code_revenue_share": None,  # no shop export
    "hashtag_posts": 7, "hashtag_views": 800,
    "trend_lift": 2.5, "collab_lift": 0.4,
}
