"""Stage 2: the KPI catalogue for a period, its comparison period, per campaign, video and day.

Every client's rows are aggregated once into a table of additive daily facts; a period's
totals are a slice of that table, and every ratio is a ratio of those sums (never a mean of
ratios). A zero or missing denominator gives None ("n/a"), never NaN or infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sitegen.catalogue import KPI_IDS, KPIS
from sitegen.load import ClientData
from sitegen.periods import Period

ADS_SUMS = ["spend", "impressions", "reach", "clicks", "video_views", "conversions", "revenue"]
Number = float | None


def ratio(numerator: Number, denominator: Number, scale: float = 1.0) -> Number:
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = numerator / denominator * scale
    return value if math.isfinite(value) else None


def clean(value) -> Number:
    """A plain float; None for NaN, infinity or missing."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _day(series: pd.Series) -> pd.Series:
    return series.dt.normalize()


def video_days(videos: pd.DataFrame) -> pd.Series:
    """Daily stats count on their `date`; lifetime stats in the day the video was posted."""
    return _day(videos["date"].fillna(videos["posted_at"]))


def _sum_by_day(frame: pd.DataFrame, days: pd.Series, columns: dict[str, pd.Series]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=list(columns), dtype="float64")
    return pd.DataFrame({name: s.fillna(0).astype("float64") for name, s in columns.items()}).groupby(
        days.to_numpy()).sum()


def _engagements(frame: pd.DataFrame, saves: bool = True) -> pd.Series:
    total = frame["likes"].fillna(0) + frame["comments"].fillna(0) + frame["shares"].fillna(0)
    return total + frame["saves"].fillna(0) if saves else total


def _flag(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype(str).str.strip() != "")


def daily_facts(data: ClientData) -> pd.DataFrame:
    """One row per day with every additive quantity the KPIs need."""
    ads, videos, account = data["ads"], data["videos"], data["account"]
    community, orders, hashtags = data["community"], data["orders"], data["hashtags"]
    vid_eng = _engagements(videos)
    trend, collab = _flag(videos["trend"]), _flag(videos["creator"])
    inbound = community["direction"] == "inbound"
    cd = inbound & community["channel"].isin(["comment", "dm"])
    negative = inbound & (community["channel"] == "comment") & (community["sentiment"] == "negative")
    parts = [
        _sum_by_day(ads, _day(ads["date"]), {
            **{c: ads[c] for c in ADS_SUMS}, "paid_likes": ads["likes"], "paid_comments": ads["comments"],
            "paid_shares": ads["shares"]}),
        _sum_by_day(videos, video_days(videos), {
            "organic_views": videos["views"], "organic_likes": videos["likes"],
            "organic_comments": videos["comments"], "organic_shares": videos["shares"],
            "saves": videos["saves"], "posts": pd.Series(1.0, index=videos.index),
            "trend_eng": vid_eng.where(trend, 0), "trend_views": videos["views"].where(trend, 0),
            "other_eng": vid_eng.where(~trend, 0), "other_views": videos["views"].where(~trend, 0),
            "collab_eng": vid_eng.where(collab, 0), "collab_views": videos["views"].where(collab, 0),
            "owned_eng": vid_eng.where(~collab, 0), "owned_views": videos["views"].where(~collab, 0)}),
        _sum_by_day(account, _day(account["date"]), {
            "account_new_followers": account["new_followers"], "account_likes": account["likes"],
            "account_views": account["video_views"], "profile_views": account["profile_views"]}),
        _sum_by_day(community, _day(community["received_at"]), {
            "inbound_cd": cd.astype(float), "answered_cd": (cd & community["responded_at"].notna()).astype(float),
            "leads": (inbound & (community["lead"] == True)).astype(float),  # noqa: E712 (object column)
            # the brief: outbound comments and likes on other accounts' content (not DMs or mentions)
            "outbound": ((community["direction"] == "outbound")
                         & community["channel"].isin(["comment", "like"])).astype(float),
            "mentions": (inbound & (community["channel"] == "mention")).astype(float),
            "negative_comments": negative.astype(float),
            "inbound": inbound.astype(float),
            **{f"sentiment_{s}": (inbound & (community["sentiment"] == s)).astype(float)
               for s in ("positive", "neutral", "negative")}}),
        _sum_by_day(orders, _day(orders["date"]), {"code_orders": orders["orders"],
                                                   "code_revenue": orders["revenue"]}),
        _sum_by_day(hashtags, _day(hashtags["date"]), {"hashtag_posts": hashtags["posts"],
                                                       "hashtag_views": hashtags["views"]}),
    ]
    daily = pd.concat(parts, axis=1, sort=True).fillna(0.0)
    daily.index = pd.DatetimeIndex(daily.index, name="date")
    return daily


@dataclass
class ClientFacts:
    """What the KPI stage knows about one client, computed once and sliced per period.

    Every table is sorted by the time that places its rows in a period, so a period's rows are
    one contiguous slice found by binary search."""

    data: ClientData
    daily: pd.DataFrame
    kinds: frozenset[str]  # kinds with at least one row
    first_day: pd.Timestamp | None
    last_day: pd.Timestamp | None
    times: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # kind -> sorted int64 ns
    _rows: dict = field(default_factory=dict, repr=False)  # (kind, period) -> rows, sliced once


def _row_times(kind: str, table: pd.DataFrame) -> pd.Series:
    if kind == "videos":
        return video_days(table)
    return table["received_at" if kind == "community" else "date"]


def client_facts(data: ClientData) -> ClientFacts:
    tables, times = {}, {}
    for kind, table in data.tables.items():
        when = _row_times(kind, table)
        order = np.argsort(when.to_numpy(dtype="datetime64[ns]").view("int64"), kind="stable")
        tables[kind] = table.iloc[order].reset_index(drop=True)
        times[kind] = when.to_numpy(dtype="datetime64[ns]").view("int64")[order]
    sorted_data = ClientData(tables, data.files)
    daily = daily_facts(sorted_data)
    kinds = frozenset(k for k, t in tables.items() if not t.empty)
    first = daily.index.min() if len(daily) else None
    last = daily.index.max() if len(daily) else None
    return ClientFacts(sorted_data, daily, kinds, first, last, times)


def _bounds(period: Period) -> tuple[int, int]:
    """[start, end) of the period in int64 nanoseconds."""
    return pd.Timestamp(period.start).value, (pd.Timestamp(period.end) + pd.Timedelta(days=1)).value


def _slice(frame: pd.DataFrame, column: str, period: Period) -> pd.DataFrame:
    start, end = _bounds(period)
    times = frame[column].to_numpy(dtype="datetime64[ns]").view("int64")
    return frame[(times >= start) & (times < end)]


def period_rows(facts: ClientFacts, kind: str, period: Period) -> pd.DataFrame:
    key = (kind, period)
    if key not in facts._rows:
        start, end = _bounds(period)
        times = facts.times[kind]
        lo, hi = np.searchsorted(times, start, "left"), np.searchsorted(times, end, "left")
        facts._rows[key] = facts.data[kind].iloc[lo:hi]
    return facts._rows[key]


def has_data(facts: ClientFacts, period: Period) -> bool:
    return facts.first_day is not None and not (
        pd.Timestamp(period.end) < facts.first_day or pd.Timestamp(period.start) > facts.last_day)


def compute_kpis(facts: ClientFacts, period: Period) -> dict[str, Number]:
    """Every KPI id of the catalogue for one period (None = n/a)."""
    if not has_data(facts, period):
        return dict.fromkeys(KPI_IDS)
    days = facts.daily.loc[pd.Timestamp(period.start):pd.Timestamp(period.end)].to_numpy()
    t = dict(zip(facts.daily.columns, np.round(days.sum(axis=0), 6).tolist()))
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
    k["median_response_minutes"] = median_response_minutes(period_rows(facts, "community", period))
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
    account = facts.data["account"]
    counted = account[account["followers"].notna()].sort_values("date")
    inside = _slice(counted, "date", period)
    if not inside.empty:
        before = counted[counted["date"] < pd.Timestamp(period.start)]
        start = before["followers"].iloc[-1] if not before.empty else inside["followers"].iloc[0]
        growth = float(inside["followers"].iloc[-1] - start)
        return growth, ratio(growth, float(start))
    rows = _slice(account, "date", period)
    if rows["new_followers"].notna().any():
        return float(rows["new_followers"].sum()), None
    return None, None


def _answered_inbound(community: pd.DataFrame) -> pd.DataFrame:
    cd = (community["direction"] == "inbound") & community["channel"].isin(["comment", "dm"])
    return community[cd & community["responded_at"].notna()]


def median_response_minutes(community: pd.DataFrame) -> Number:
    answered = _answered_inbound(community)
    if answered.empty:
        return None
    minutes = (answered["responded_at"] - answered["received_at"]).dt.total_seconds() / 60
    return float(minutes.median())


def negative_ratio(facts: ClientFacts, period: Period) -> Number:
    """Negative inbound comments on the videos commented on in the period / likes of those videos.

    Likes of a video are its lifetime likes (lifetime rows) or its likes inside the period
    (daily rows)."""
    comments = period_rows(facts, "community", period)
    comments = comments[(comments["direction"] == "inbound") & (comments["channel"] == "comment")
                        & comments["video_id"].notna()]
    likes = video_likes(facts, period)
    ids = [v for v in comments["video_id"].unique() if v in likes.index]
    if not ids:
        return None
    negative = int((comments["video_id"].isin(ids) & (comments["sentiment"] == "negative")).sum())
    return ratio(float(negative), float(likes.loc[ids].sum()))


def video_likes(facts: ClientFacts, period: Period) -> pd.Series:
    videos = facts.data["videos"]
    lifetime = videos[videos["date"].isna()]
    daily = _slice(videos[videos["date"].notna()], "date", period)
    return pd.concat([lifetime, daily]).groupby("video_id")["likes"].sum()


def code_roi(sources: pd.DataFrame) -> Number:
    paid = sources[sources["spend"].notna() & (sources["spend"] > 0)]
    if paid.empty:
        return None
    spend = float(paid["spend"].sum())
    return ratio(float(paid["revenue"].sum()) - spend, spend)


# --- breakdowns ----------------------------------------------------------------------------------

def _with_rates(frame: pd.DataFrame, rates: dict[str, tuple[str, str, float]]) -> pd.DataFrame:
    """Adds ratio columns; a zero or missing denominator gives NaN (shown as n/a), never inf."""
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (num, den, scale) in rates.items():
            n = frame[num].to_numpy(dtype="float64")
            d = frame[den].to_numpy(dtype="float64")
            frame[name] = np.where(d != 0, n / np.where(d != 0, d, 1.0) * scale, np.nan)
    return frame


CAMPAIGN_RATES = {
    "ctr": ("clicks", "impressions", 1.0), "cpc": ("spend", "clicks", 1.0), "cpm": ("spend", "impressions", 1000.0),
    "cpa": ("spend", "conversions", 1.0), "roas": ("revenue", "spend", 1.0), "roi": ("profit", "spend", 1.0),
    "cost_per_like": ("spend", "likes", 1.0), "conversion_rate": ("conversions", "clicks", 1.0),
    "conversions_per_1k_likes": ("conversions", "likes", 1000.0),
}


def campaign_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Paid figures per campaign, sorted by spend (then name, for a stable order)."""
    cols = ["spend", "impressions", "clicks", "video_views", "likes", "conversions", "revenue"]
    if rows.empty:
        return pd.DataFrame(columns=["campaign", *cols, "profit", *CAMPAIGN_RATES])
    table = rows.groupby("campaign", sort=True)[cols].sum(min_count=1).reset_index()
    table["profit"] = table["revenue"] - table["spend"]
    table = _with_rates(table, CAMPAIGN_RATES)
    return table.sort_values(["spend", "campaign"], ascending=[False, True], kind="stable").reset_index(drop=True)


def video_table(facts: ClientFacts, period: Period) -> pd.DataFrame:
    """Organic posts counted in the period with their engagement and negative comments."""
    rows = period_rows(facts, "videos", period)
    cols = ["views", "likes", "comments", "shares", "saves", "new_followers"]
    if rows.empty:
        return pd.DataFrame(columns=["video_id", "title", "posted_at", "trend", "creator", *cols,
                                     "engagements", "engagement_rate", "like_rate", "negative_comments"])
    meta = rows.groupby("video_id", sort=True)[["title", "posted_at", "trend", "creator"]].first()
    table = meta.join(rows.groupby("video_id", sort=True)[cols].sum(min_count=1)).reset_index()
    table["engagements"] = _engagements(table)
    table = _with_rates(table, {"engagement_rate": ("engagements", "views", 1.0),
                                "like_rate": ("likes", "views", 1.0)})
    community = period_rows(facts, "community", period)
    negative = community[(community["direction"] == "inbound") & (community["channel"] == "comment")
                         & (community["sentiment"] == "negative")]
    counts = negative.groupby("video_id").size()
    table["negative_comments"] = table["video_id"].map(counts).fillna(0).astype("float64")
    return table.sort_values(["likes", "video_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def source_table(facts: ClientFacts, period: Period) -> pd.DataFrame:
    """Discount-code orders and revenue per source, with the spend of the campaign of that name."""
    key = ("sources", period)
    if key not in facts._rows:
        facts._rows[key] = _source_table(facts, period)
    return facts._rows[key]


def _source_table(facts: ClientFacts, period: Period) -> pd.DataFrame:
    orders = period_rows(facts, "orders", period)
    if orders.empty:
        return pd.DataFrame(columns=["source", "orders", "revenue", "spend", "code_roi"])
    named = orders.assign(source=orders["source"].fillna("(no source)"))
    table = named.groupby("source", sort=True)[["orders", "revenue"]].sum().reset_index()
    ads = period_rows(facts, "ads", period)
    spend = ads.groupby("campaign")["spend"].sum()
    table["spend"] = table["source"].map(spend).astype("float64")
    table["profit"] = table["revenue"] - table["spend"]
    table = _with_rates(table, {"code_roi": ("profit", "spend", 1.0)}).drop(columns="profit")
    return table.sort_values(["revenue", "source"], ascending=[False, True], kind="stable").reset_index(drop=True)


def code_table(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["code", "source", "orders", "revenue"])
    named = rows.assign(source=rows["source"].fillna(""))
    table = named.groupby(["code", "source"], sort=True)[["orders", "revenue"]].sum().reset_index()
    return table.sort_values(["revenue", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def hashtag_table(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["hashtag", "posts", "views"])
    table = rows.groupby("hashtag", sort=True)[["posts", "views"]].sum(min_count=1).reset_index()
    return table.sort_values(["posts", "hashtag"], ascending=[False, True], kind="stable").reset_index(drop=True)


def day_table(facts: ClientFacts, period: Period) -> pd.DataFrame:
    """Every calendar day of the period (days without data are zero) with daily rates."""
    index = pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="D", name="date")
    days = facts.daily.reindex(index, fill_value=0.0)
    table = pd.DataFrame(index=index)
    table["organic_likes"] = days["organic_likes"]
    table["paid_likes"] = days["paid_likes"]
    table["likes"] = table["organic_likes"] + table["paid_likes"]
    table["views"] = days["organic_views"] + days["video_views"]
    table["engagements"] = (table["likes"] + days["organic_comments"] + days["paid_comments"]
                            + days["organic_shares"] + days["paid_shares"] + days["saves"])
    for c in ["spend", "revenue", "impressions", "clicks", "conversions", "inbound", "negative_comments",
              "sentiment_positive", "sentiment_neutral", "sentiment_negative", "hashtag_posts"]:
        table[c] = days[c]
    table["new_followers"] = days["account_new_followers"]
    table = _with_rates(table, {"engagement_rate": ("engagements", "views", 1.0),
                                "like_rate": ("likes", "views", 1.0)})
    account = _slice(facts.data["account"], "date", period).set_index("date")["followers"]
    table["followers"] = account.groupby(level=0).last().reindex(index)
    table["has_data"] = facts.daily.reindex(index).notna().any(axis=1)
    return table.reset_index()


@dataclass
class ReportKpis:
    period: Period
    comparison: Period | None
    values: dict[str, Number]
    previous: dict[str, Number]
    targets: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def change(self, kpi: str) -> Number:
        value, previous = self.values.get(kpi), self.previous.get(kpi)
        if value is None or previous is None:
            return None
        return clean(ratio(value - previous, abs(previous)))

    def attainment(self, kpi: str) -> Number:
        """Share of the target reached (>= 1 means met); inverted for lower-is-better KPIs."""
        value, target = self.values.get(kpi), self.targets.get(kpi)
        if value is None or target is None:
            return None
        if KPIS[kpi].higher_is_better:
            return clean(ratio(value, target))
        return clean(ratio(target, value)) if value else None

    def target_met(self, kpi: str) -> bool | None:
        value, target = self.values.get(kpi), self.targets.get(kpi)
        if value is None or target is None:
            return None
        return value >= target if KPIS[kpi].higher_is_better else value <= target


def report_kpis(facts: ClientFacts, period: Period, comparison: Period | None,
                targets: dict[str, float]) -> ReportKpis:
    values = compute_kpis(facts, period)
    previous = compute_kpis(facts, comparison) if comparison else dict.fromkeys(KPI_IDS)
    ads, orders = period_rows(facts, "ads", period), period_rows(facts, "orders", period)
    tables = {
        "campaigns": campaign_table(ads),
        "videos": video_table(facts, period),
        "sources": source_table(facts, period),
        "codes": code_table(orders),
        "hashtags": hashtag_table(period_rows(facts, "hashtags", period)),
        "days": day_table(facts, period),
        "hashtag_days": _hashtag_days(period_rows(facts, "hashtags", period)),
    }
    return ReportKpis(period, comparison, values, previous, dict(targets), tables)


def _hashtag_days(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["date", "hashtag", "posts"])
    return rows.groupby(["date", "hashtag"], sort=True)["posts"].sum().reset_index()
