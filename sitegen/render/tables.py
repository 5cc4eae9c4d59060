"""The report's tables: which rows, which columns, how each cell is formatted.

A report shows about a thousand cells, so they are read a column at a time: each column of a KPI table is
turned into a list once per page (`report_columns.ReportColumns`), a chart's data table is read from the
arrays the chart was made of, and each column is formatted by one function for its unit. What the cells say
is what `cell` says; tests/test_tables.py holds the pandas row-by-row version to compare with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sitegen.i18n import N_, _
from sitegen.metrics.report import ReportKpis
from sitegen.render.charts import CHART_KINDS
from sitegen.render.formatting import NA, Formatter, currency_format, decimal_format, format_day, percent_format
from sitegen.render.report_columns import FrameColumns, ReportColumns, itertuples_values


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    unit: str  # text | date | count | decimal | money | percent | multiple


@dataclass(frozen=True)
class TableKind:
    name: str
    title: str
    section: str
    columns: tuple[Column, ...]
    rows: Callable[[ReportKpis], pd.DataFrame]
    limit: int | None = None
    table: str | None = None  # rows are this KPI table as it is (read without pandas)


class RenderedTable:
    """A table as the theme's partials/table.html sees it: name, title, headers ((label, unit), ...),
    rows (((text, unit), ...), ...) and total_rows. Kept by column; `rows` is made when asked for."""

    def __init__(self, name: str, title: str, headers: tuple[tuple[str, str], ...], columns: list[list[str]],
                 total_rows: int, keys: list[list[str] | None] | None = None):
        self.name, self.title, self.headers, self.columns, self.total_rows = name, title, headers, columns, total_rows
        self.shown = len(columns[0]) if columns else 0
        self.keys = keys  # per column, each cell's sort key (`sort_keys`), or None for a column sorted by text

    def key(self, row: int, column: int) -> str | None:
        """The cell's sort key (its data-value), None when its column sorts by its text."""
        keys = self.keys[column] if self.keys else None
        return None if keys is None else keys[row]

    @property
    def rows(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        units = [unit for _label, unit in self.headers]
        return tuple(tuple(zip(texts, units)) for texts in zip(*self.columns)) if self.columns else ()

    def __eq__(self, other) -> bool:
        return isinstance(other, RenderedTable) and (self.name, self.title, self.headers, self.rows,
                                                     self.total_rows) == (other.name, other.title, other.headers,
                                                                          other.rows, other.total_rows)

    def __repr__(self) -> str:
        return f"RenderedTable({self.name!r}, {self.title!r}, {self.headers!r}, {self.rows!r}, {self.total_rows!r})"


def _worst(k: ReportKpis) -> pd.DataFrame:
    videos = k.tables["videos"]
    seen = videos[videos["views"].fillna(0) > 0]
    return seen.sort_values(["engagement_rate", "video_id"], kind="stable")


def _video_cols() -> tuple[Column, ...]:
    return (Column("title", N_("Video"), "text"), Column("posted_at", N_("Posted"), "date"),
            Column("views", N_("Views"), "count"), Column("likes", N_("Likes"), "count"),
            Column("engagement_rate", N_("Engagement rate"), "percent"),
            Column("like_rate", N_("Like rate"), "percent"), Column("revenue", N_("Attributed revenue"), "money"),
            Column("revenue_per_1k_likes", N_("Revenue per 1k likes"), "money"))


def _trends(k: ReportKpis) -> pd.DataFrame:
    """The trends table with its period-over-period status in the page's language."""
    trends = k.tables["trends"].copy()
    trends["fading"] = [_(TREND_STATUS[s]) if isinstance(s, str) else None for s in trends["fading"]]
    return trends


TREND_STATUS = {"new": N_("new"), "fading": N_("fading"), "rising": N_("rising"), "steady": N_("steady")}


TABLE_KINDS: dict[str, TableKind] = {t.name: t for t in [
    TableKind("top_videos", N_("Best videos"), "content", _video_cols(), lambda k: k.tables["videos"], 10,
              table="videos"),
    TableKind("worst_videos", N_("Weakest videos"), "content", _video_cols(), _worst, 5),
    TableKind("campaigns", N_("Campaigns"), "paid", (
        Column("campaign", N_("Campaign"), "text"), Column("spend", N_("Spend"), "money"),
        Column("impressions", N_("Impressions"), "count"), Column("clicks", N_("Clicks"), "count"),
        Column("ctr", N_("CTR"), "percent"), Column("cpc", N_("CPC"), "money"), Column("cpm", N_("CPM"), "money"),
        Column("conversions", N_("Conv."), "count"), Column("cpa", N_("CPA"), "money"),
        Column("revenue", N_("Revenue"), "money"), Column("roas", N_("ROAS"), "multiple"),
        Column("roi", N_("ROI"), "percent"),
        Column("cost_per_like", N_("Cost per like"), "money"), Column("likes", N_("Likes"), "count"),
        Column("conversions_per_1k_likes", N_("Conv. per 1k likes"), "decimal"),
        Column("revenue_per_1k_likes", N_("Revenue per 1k likes"), "money")),
        lambda k: k.tables["campaigns"], table="campaigns"),
    TableKind("codes", N_("Discount codes"), "attribution", (
        Column("code", N_("Code"), "text"), Column("source", N_("Source"), "text"),
        Column("orders", N_("Orders"), "count"),
        Column("revenue", N_("Revenue"), "money")), lambda k: k.tables["codes"], table="codes"),
    TableKind("sources", N_("Code revenue by source"), "attribution", (
        Column("source", N_("Source"), "text"), Column("orders", N_("Orders"), "count"),
        Column("revenue", N_("Revenue"), "money"), Column("spend", N_("Spend"), "money"),
        Column("code_roi", N_("Code ROI"), "percent")), lambda k: k.tables["sources"], table="sources"),
    TableKind("hashtags", N_("Branded hashtags"), "attribution", (
        Column("hashtag", N_("Hashtag"), "text"), Column("posts", N_("Posts"), "count"),
        Column("views", N_("Views"), "count")),
        lambda k: k.tables["hashtags"], table="hashtags"),
    TableKind("creators", N_("Creators"), "creators", (
        Column("creator", N_("Creator"), "text"), Column("videos", N_("Videos"), "count"),
        Column("views", N_("Views"), "count"), Column("likes", N_("Likes"), "count"),
        Column("engagement_rate", N_("Engagement rate"), "percent"),
        Column("lift", N_("Lift on own videos"), "multiple"), Column("code_orders", N_("Code orders"), "count"),
        Column("code_revenue", N_("Code revenue"), "money"), Column("ad_spend", N_("Ad spend"), "money"),
        Column("ad_revenue", N_("Ad revenue"), "money"), Column("fee", N_("Fee"), "money"),
        Column("cost_per_like", N_("Cost per like"), "money"), Column("roi", N_("ROI"), "percent")),
        lambda k: k.tables["creators"], table="creators"),
    TableKind("trends", N_("Trends and sounds"), "trends", (
        Column("trend", N_("Trend"), "text"), Column("videos", N_("Videos"), "count"),
        Column("likes", N_("Likes"), "count"), Column("engagement_rate", N_("Engagement rate"), "percent"),
        Column("lift", N_("Lift on baseline"), "multiple"), Column("first_seen", N_("First seen"), "date"),
        Column("last_seen", N_("Last seen"), "date"), Column("fading", N_("Lift since last period"), "text")),
        _trends),
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
    if unit == "decimal":
        return fmt.number(float(value), 1)
    return fmt.number(float(value))


def _number_cells(write: Callable[[float], str], suffix: str = "") -> Callable[[list], list[str]]:
    """`cell` for a column of a numeric unit: floats straight to `write`, anything else through `cell`'s steps."""
    def column(values: list) -> list[str]:
        out = []
        for v in values:
            if type(v) is float:
                out.append(write(v) + suffix if v - v == 0 else NA)  # v - v is nan for nan and ±inf
            elif v is None or v is pd.NaT or (isinstance(v, float) and not math.isfinite(v)):
                out.append(NA)
            else:
                out.append(write(float(v)) + suffix)
        return out
    return column


def sort_keys(values: list, unit: str) -> list[str] | None:
    """Each cell's raw value, for sorting the table in the page: a number or an ISO day, "" for n/a
    (sorted last); None for a text column, sorted by what it says."""
    if unit == "text":
        return None
    out = []
    for v in values:
        if type(v) is float:
            out.append(f"{v:.12g}" if v - v == 0 else "")  # v - v is nan for nan and ±inf
        elif v is None or v is pd.NaT or (isinstance(v, float) and not math.isfinite(v)):
            out.append("")
        elif unit == "date":
            out.append((v.date() if hasattr(v, "date") else v).isoformat() if hasattr(v, "isoformat") else str(v))
        else:
            out.append(f"{float(v):.12g}")  # (12 digits: as exact as a sort needs, shorter pages)
    return out


def column_cells(unit: str, fmt: Formatter) -> Callable[[list], list[str]]:
    """A function from a column's values to its cells' texts: [cell(v, unit, fmt) for v in values]."""
    if unit == "money":
        return _number_cells(currency_format(fmt.locale, fmt.currency))
    if unit == "percent":
        return _number_cells(percent_format(fmt.locale, 1))
    if unit == "multiple":
        return _number_cells(decimal_format(fmt.locale, 2), "×")
    if unit == "decimal":
        return _number_cells(decimal_format(fmt.locale, 1))
    if unit == "date":
        locale = fmt.locale

        def days(values: list) -> list[str]:  # cell(v, "date", fmt); a plain date has no .date()
            return [format_day(v, locale) if type(v) is date else cell(v, unit, fmt) for v in values]
        return days
    if unit == "text":
        return lambda values: [cell(v, unit, fmt) for v in values]
    return _number_cells(decimal_format(fmt.locale, 0))


def _worst_order(columns: ReportColumns) -> list[int] | None:
    """Row positions of `_worst` (views above 0, by engagement rate then video id, missing rates last,
    otherwise as they came), or None when the columns hold anything but what this was checked for."""
    views, rates, ids = (columns("videos", c) for c in ("views", "engagement_rate", "video_id"))
    if not (all(type(v) is float for v in views) and all(type(r) is float for r in rates)
            and all(type(i) is str for i in ids)):
        return None
    if any(r == 0 and math.copysign(1, r) < 0 for r in rates):  # -0.0: leave it to pandas
        return None
    seen = [i for i, v in enumerate(views) if v > 0]  # fillna(0) > 0: nan is not above 0
    return sorted(seen, key=lambda i: (rates[i] != rates[i], 0.0 if rates[i] != rates[i] else rates[i], ids[i]))


def render_table(name: str, kpis: ReportKpis, fmt: Formatter, limit: int | None = None,
                 columns: ReportColumns | None = None) -> RenderedTable:
    kind = TABLE_KINDS[name]
    columns = columns or ReportColumns(kpis)
    limit = limit if limit is not None else kind.limit
    order, frame = None, None
    if kind.table is not None:
        table, total = kind.table, columns.length(kind.table)
    elif name == "worst_videos" and (order := _worst_order(columns)) is not None:
        table, total = "videos", len(order)
    else:
        table, frame = None, kind.rows(kpis)
        total = len(frame)

    def read(column: Column) -> list:
        if table is None:
            return columns.frames(frame, column.field)
        return columns.days(table, column.field) if column.unit == "date" else columns(table, column.field)

    shown = total if limit is None else min(max(limit, 0), total) if limit >= 0 else max(total + limit, 0)
    cells, keys = [], []
    for c in kind.columns:
        values = read(c)
        values = values[:shown] if order is None else [values[i] for i in order[:shown]]
        cells.append(column_cells(c.unit, fmt)(values))
        keys.append(sort_keys(values, c.unit))
    return RenderedTable(name, _(kind.title), tuple((_(c.label), c.unit) for c in kind.columns), cells, total, keys)


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
    "likes_revenue": (Column("name", N_("Name"), "text"), Column("kind", N_("Kind"), "text"),
                      Column("likes", N_("Likes"), "count"), Column("revenue", N_("Revenue"), "money"),
                      Column("roas", N_("ROAS"), "multiple"), Column("quadrant", N_("Quadrant"), "text")),
}


def _chart_arrays(name: str, kpis: ReportKpis, columns: tuple[Column, ...]) -> list[list] | None:
    """The columns of the chart's rows as `cell` would see them in its frame, read from the arrays the chart
    was made of (the charts stage's, in this process): dates as days. None when they are not plain arrays."""
    arrays = CHART_KINDS[name].rows(kpis)
    if arrays is None or not all(isinstance(arrays.get(c.field), np.ndarray) for c in columns):
        return None
    if len({len(a) for a in arrays.values()}) != 1 or not len(arrays[columns[0].field]):
        return None  # (pd.DataFrame refuses uneven columns, and an empty frame has no table: the long way)
    out = []
    for c in columns:
        array = arrays[c.field]
        if c.unit == "date" and array.dtype.kind == "M":
            values = array.astype("datetime64[D]").tolist()  # date objects, None for NaT (Timestamp.date())
        else:
            values = itertuples_values(array)
        if values is None:
            return None
        out.append(values)
    return out


def chart_table(name: str, kpis: ReportKpis, fmt: Formatter, spec: str | None = None) -> RenderedTable | None:
    """The rows a chart draws, formatted as a table (the chart's text alternative); None when it has none.
    With the chart's spec (made: it has rows), they are read from the arrays it was made of, not from a frame."""
    columns = CHART_COLUMNS[name]
    values = _chart_arrays(name, kpis, columns) if spec else None
    if values is None:
        frame = CHART_KINDS[name].frame(kpis)
        if frame.empty:
            return None
        read = FrameColumns()
        values = [read(frame, c.field) for c in columns]
    cells = [column_cells(c.unit, fmt)(v) for c, v in zip(columns, values)]
    return RenderedTable(f"chart-{name}", _(CHART_KINDS[name].title), tuple((_(c.label), c.unit) for c in columns),
                         cells, len(values[0]), [sort_keys(list(v), c.unit) for c, v in zip(columns, values)])
