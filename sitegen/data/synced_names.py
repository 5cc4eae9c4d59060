"""Column names of the TikTok Marketing API's integrated-report rows as sync tools write them: Airbyte's
`source-tiktok-marketing` (its manifest's `metrics` and `dimensions` fields), dlt (the same, flattened as
`metrics__spend`), Fivetran's `tiktok_ads` tables (digits split off: `video_watched_2_s`); and the columns
those tools add to every row."""

from __future__ import annotations

import re

# Columns the sync tools add (record IDs, sync times, load IDs): read for de-duplicating, then dropped.
METADATA_PREFIXES = ("_airbyte_", "_dlt_", "_fivetran_")

# Report fields sitegen has no column for or recomputes (IDs, ratios, costs per result, app and shop events),
# read silently. The value fields `total_purchase_value`, `total_complete_payment_rate` and
# `total_onsite_shopping_value` are not among them: their meaning is not certain, so they stay unknown
# columns (a warning names them) for the user to map to revenue if they are that.
API_IGNORED = frozenset({
    "ad_id", "adgroup_id", "campaign_id", "advertiser_id", "tt_app_id", "tt_app_name", "mobile_app_id",
    "placement_type", "promotion_type", "dpa_target_audience_type", "ad_text",
    "cost_per_conversion", "conversion_rate", "real_time_conversion", "real_time_cost_per_conversion",
    "real_time_conversion_rate", "cost_per_result", "result_rate", "real_time_result",
    "real_time_cost_per_result", "real_time_result_rate", "secondary_goal_result",
    "cost_per_secondary_goal_result", "secondary_goal_result_rate", "cost_per_1000_reached",
    "average_video_play", "average_video_play_per_user", "video_views_p25", "video_views_p50",
    "video_views_p75", "video_views_p100", "video_views_p_25", "video_views_p_50", "video_views_p_75",
    "video_views_p_100", "video_view_p_100", "profile_visits_rate", "purchase", "purchase_rate", "registration",
    "registration_rate", "sales_lead", "sales_lead_rate", "cost_per_app_install", "cost_per_purchase",
    "cost_per_registration", "cost_per_sales_lead", "cost_per_total_sales_lead",
    "cost_per_total_app_event_add_to_cart", "total_app_event_add_to_cart", "onsite_shopping", "vta_purchase",
    "vta_conversion", "cta_purchase", "cta_conversion", "total_pageview", "complete_payment",
    "value_per_complete_payment", "clicks_on_music_disc", "real_time_app_install", "real_time_app_install_cost",
    "app_install", "cash_spend", "voucher_spend",
})

# `metrics.spend`, `metrics__spend`, `dimensions/stat_time_day`: a field of a nested object, flattened
_NESTED = re.compile(r"\s*(?:metrics|dimensions)(?:__|[._/])(?=\S)", re.IGNORECASE)


def nested_field(name: str) -> str | None:
    """The field a flattened `metrics`/`dimensions` column holds (`metrics__spend`: spend), or None."""
    match = _NESTED.match(str(name))
    return str(name)[match.end():] if match else None


def is_metadata(name: str) -> bool:
    """A column a sync tool adds to every row (`_airbyte_extracted_at`, `_dlt_load_id`, `_fivetran_synced`)."""
    return str(name).strip().casefold().startswith(METADATA_PREFIXES)
