"""The report's tables: which rows, which columns, how each cell is formatted."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sitegen.charts import CHART_KINDS
from sitegen.formatting import NA, Formatter
from sitegen.i18n import N_, _
from sitegen.kpis import ReportKpis


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    unit: str  # text | date | count | money | percent | multiple


@dataclass(frozen=True)
class TableKind:
    name: str
    title: str
    section: str
    columns: tuple[Column, ...]
    rows: Callable[[ReportKpis], pd.DataFrame]
    limit: int | None = None


@dataclass(frozen=True)
class RenderedTable:
    name: str
    title: str
    headers: tuple[tuple[str, str], ...]  # (label, unit)
    rows: tuple[tuple[tuple[str, str], ...], ...]  # ((text, unit), ...)
    total_rows: int


def _worst(k: ReportKpis) -> pd.DataFrame:
    videos = k.tables["videos"]
    seen = videos[videos["views"].fillna(0) > 0]
    return seen.sort_values(["engagement_rate", "video_id"], kind="stable")


def _video_cols() -> tuple[Column, ...]:
    return (Column("title", N_("Video"), "text"), Column("posted_at", N_("Posted"), "date"),
            Column("views", N_("Views"), "count"), Column("likes", N_("Likes"), "count"),
            Column("engagement_rate", N_("Engagement rate"), "percent"),
            Column("like_rate", N_("Like rate"), "percent"))


TABLE_KINDS: dict[str, TableKind] = {t.name: t for t in [
    TableKind("top_videos", N_("Best videos"), "content", _video_cols(), lambda k: k.tables["videos"], 10),
    TableKind("worst_videos", N_("Weakest videos"), "content", _video_cols(), _worst, 5),
    TableKind("campaigns", N_("Campaigns"), "paid", (
        Column("campaign", N_("Campaign"), "text"), Column("spend", N_("Spend"), "money"),
        Column("impressions", N_("Impressions"), "count"), Column("clicks", N_("Clicks"), "count"),
        Column("ctr", N_("CTR"), "percent"), Column("cpc", N_("CPC"), "money"), Column("cpm", N_("CPM"), "money"),
        Column("conversions", N_("Conv."), "count"), Column("cpa", N_("CPA"), "money"),
        Column("revenue", N_("Revenue"), "money"), Column("roas", N_("ROAS"), "multiple"),
        Column("roi", N_("ROI"), "percent"),
        Column("cost_per_like", N_("Cost per like"), "money")), lambda k: k.tables["campaigns"]),
    TableKind("codes", N_("Discount codes"), "attribution", (
        Column("code", N_("Code"), "text"), Column("source", N_("Source"), "text"),
        Column("orders", N_("Orders"), "count"),
        Column("revenue", N_("Revenue"), "money")), lambda k: k.tables["codes"]),
    TableKind("sources", N_("Code revenue by source"), "attribution", (
        Column("source", N_("Source"), "text"), Column("orders", N_("Orders"), "count"),
        Column("revenue", N_("Revenue"), "money"), Column("spend", N_("Spend"), "money"),
        Column("code_roi", N_("Code ROI"), "percent")), lambda k: k.tables["sources"]),
    TableKind("hashtags", N_("Branded hashtags"), "attribution", (
        Column("hashtag", N_("Hashtag"), "text"), Column("posts", N_("Posts"), "count"),
        Column("views", N_("Views"), "count")),
        lambda k: k.tables["hashtags"]),
]}


def cell(value, unit: str, fmt: Formatter) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NaT:
        return NA
    if unit == "text":
        return str(value)
    if unit == "date":
        return fmt.date(value.date() if hasattr(value, "date") else value)
    if unit == "money":
        return fmt.money(float(value))
    if unit == "percent":
        return fmt.percent(float(value))
    if unit == "multiple":
        return fmt.multiple(float(value))
    return fmt.number(float(value))


def render_table(name: str, kpis: ReportKpis, fmt: Formatter, limit: int | None = None) -> RenderedTable:
    kind = TABLE_KINDS[name]
    frame = kind.rows(kpis)
    limit = limit if limit is not None else kind.limit
    shown = frame.head(limit) if limit is not None else frame
    fields = [c.field for c in kind.columns]
    rows = tuple(tuple((cell(v, c.unit, fmt), c.unit) for v, c in zip(row, kind.columns))
                 for row in shown[fields].itertuples(index=False, name=None))
    return RenderedTable(name, _(kind.title), tuple((_(c.label), c.unit) for c in kind.columns), rows, len(frame))


_DATE = Column("date", N_("Date"), "date")
# the columns of each chart's rows (CHART_KINDS[name].rows), in the order its data table shows them
CHART_COLUMNS: dict[str, tuple[Column, ...]] = {
    "likes_daily": (_DATE, Column("organic_likes", N_("Organic"), "count"),
                    Column("paid_likes", N_("Paid"), "count")),
    "rates_daily": (_DATE, Column("engagement_rate", N_("Engagement rate"), "percent"),
                    Column("like_rate", N_("Like rate"), "percent")),
    "funnel": (Column("stage", N_("Stage"), "text"), Column("value", N_("Count"), "count")),
    "followers_daily": (_DATE, Column("followers", N_("Followers"), "count")),
    "top_videos": (Column("video", N_("Video"), "text"), Column("likes", N_("Likes"), "count"),
                   Column("views", N_("Views"), "count"), Column("engagement_rate", N_("Engagement rate"), "percent")),
    "spend_revenue_daily": (_DATE, Column("spend", N_("Spend"), "money"), Column("revenue", N_("Revenue"), "money")),
    "campaign_roas": (Column("campaign", N_("Campaign"), "text"), Column("roas", N_("ROAS"), "multiple"),
                      Column("spend", N_("Spend"), "money"), Column("revenue", N_("Revenue"), "money")),
    "sentiment_daily": (_DATE, Column("sentiment_positive", N_("positive"), "count"),
                        Column("sentiment_neutral", N_("neutral"), "count"),
                        Column("sentiment_negative", N_("negative"), "count")),
    "codes_revenue": (Column("code", N_("Code"), "text"), Column("revenue", N_("Revenue"), "money"),
                      Column("orders", N_("Orders"), "count")),
    "hashtags_daily": (_DATE, Column("hashtag", N_("Hashtag"), "text"), Column("posts", N_("Posts"), "count")),
}


def chart_table(name: str, kpis: ReportKpis, fmt: Formatter) -> RenderedTable | None:
    """The rows a chart draws, formatted as a table (the chart's text alternative); None when it has none."""
    frame = CHART_KINDS[name].rows(kpis)
    if frame.empty:
        return None
    columns = CHART_COLUMNS[name]
    rows = tuple(tuple((cell(v, c.unit, fmt), c.unit) for v, c in zip(row, columns))
                 for row in frame[[c.field for c in columns]].itertuples(index=False, name=None))
    return RenderedTable(f"chart-{name}", _(CHART_KINDS[name].title), tuple((_(c.label), c.unit) for c in columns),
                         rows, len(frame))
