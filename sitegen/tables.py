"""The report's tables: which rows, which columns, how each cell is formatted."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sitegen.formatting import NA, Formatter
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
    return (Column("title", "Video", "text"), Column("posted_at", "Posted", "date"),
            Column("views", "Views", "count"), Column("likes", "Likes", "count"),
            Column("engagement_rate", "Engagement rate", "percent"), Column("like_rate", "Like rate", "percent"))


TABLE_KINDS: dict[str, TableKind] = {t.name: t for t in [
    TableKind("top_videos", "Best videos", "content", _video_cols(), lambda k: k.tables["videos"], 10),
    TableKind("worst_videos", "Weakest videos", "content", _video_cols(), _worst, 5),
    TableKind("campaigns", "Campaigns", "paid", (
        Column("campaign", "Campaign", "text"), Column("spend", "Spend", "money"),
        Column("impressions", "Impressions", "count"), Column("clicks", "Clicks", "count"),
        Column("ctr", "CTR", "percent"), Column("cpc", "CPC", "money"), Column("cpm", "CPM", "money"),
        Column("conversions", "Conv.", "count"), Column("cpa", "CPA", "money"),
        Column("revenue", "Revenue", "money"), Column("roas", "ROAS", "multiple"), Column("roi", "ROI", "percent"),
        Column("cost_per_like", "Cost per like", "money")), lambda k: k.tables["campaigns"]),
    TableKind("codes", "Discount codes", "attribution", (
        Column("code", "Code", "text"), Column("source", "Source", "text"), Column("orders", "Orders", "count"),
        Column("revenue", "Revenue", "money")), lambda k: k.tables["codes"]),
    TableKind("sources", "Code revenue by source", "attribution", (
        Column("source", "Source", "text"), Column("orders", "Orders", "count"),
        Column("revenue", "Revenue", "money"), Column("spend", "Spend", "money"),
        Column("code_roi", "Code ROI", "percent")), lambda k: k.tables["sources"]),
    TableKind("hashtags", "Branded hashtags", "attribution", (
        Column("hashtag", "Hashtag", "text"), Column("posts", "Posts", "count"), Column("views", "Views", "count")),
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
    return RenderedTable(name, kind.title, tuple((c.label, c.unit) for c in kind.columns), rows, len(frame))
