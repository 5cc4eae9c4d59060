"""The report's tables: which rows, which columns, how each cell is formatted.

A report shows about a thousand cells, so they are read a column at a time: each column of a KPI
table is turned into a list once per page (`ReportColumns`), a chart's rows are read back from the
chart's own JSON, and each column is formatted by one function for its unit. What the cells say is
what `cell` says; tests/test_tables.py holds the earlier pandas row-by-row version to compare with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from sitegen.charts import CHART_KINDS
from sitegen.formatting import NA, Formatter, currency_format, decimal_format, format_day, percent_format
from sitegen.i18n import N_, _
from sitegen.kpis import ReportKpis, Tables


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
    table: str | None = None  # rows are this KPI table as it is (read without pandas)


class RenderedTable:
    """A table as the theme's partials/table.html sees it: name, title, headers ((label, unit), ...),
    rows (((text, unit), ...), ...) and total_rows. Kept by column; `rows` is made when asked for."""

    def __init__(self, name: str, title: str, headers: tuple[tuple[str, str], ...], columns: list[list[str]],
                 total_rows: int):
        self.name, self.title, self.headers, self.columns, self.total_rows = name, title, headers, columns, total_rows
        self.shown = len(columns[0]) if columns else 0

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
            Column("like_rate", N_("Like rate"), "percent"))


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
        Column("cost_per_like", N_("Cost per like"), "money")), lambda k: k.tables["campaigns"], table="campaigns"),
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


def column_cells(unit: str, fmt: Formatter) -> Callable[[list], list[str]]:
    """A function from a column's values to its cells' texts: [cell(v, unit, fmt) for v in values]."""
    if unit == "money":
        return _number_cells(currency_format(fmt.locale, fmt.currency))
    if unit == "percent":
        return _number_cells(percent_format(fmt.locale, 1))
    if unit == "multiple":
        return _number_cells(decimal_format(fmt.locale, 2), "×")
    if unit == "date":
        locale = fmt.locale

        def days(values: list) -> list[str]:  # cell(v, "date", fmt); a plain date has no .date()
            return [format_day(v, locale) if type(v) is date else cell(v, unit, fmt) for v in values]
        return days
    if unit == "text":
        return lambda values: [cell(v, unit, fmt) for v in values]
    return _number_cells(decimal_format(fmt.locale, 0))


def column_values(series: pd.Series) -> list:
    """The values DataFrame.itertuples gives for this column: Python scalars for NumPy columns, the
    array's own items (Timestamp, NaT, str, NaN...) for the others."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind not in "mM":
        return series.to_numpy().tolist()
    return list(series)


def _boxed_as_itertuples(dtype) -> bool:
    """Does frame.to_numpy(dtype=object) hold this column's values as itertuples gives them?"""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "fiubOM"
    return isinstance(dtype, pd.StringDtype | pd.DatetimeTZDtype)


class FrameColumns:
    """A page's column lists (what itertuples gives, a column at a time), each frame read once: all of
    it in one go where its columns allow, else a column at a time. Frames are kept so their ids stay theirs."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[pd.DataFrame, dict[str, list]]] = {}

    def __call__(self, frame: pd.DataFrame, name: str) -> list:
        hit = self.known.get(id(frame))
        if hit is None:
            hit = self.known[id(frame)] = (frame, self._read(frame))
        columns = hit[1]
        if name not in columns:
            columns[name] = column_values(frame[name])
        return columns[name]

    @staticmethod
    def _read(frame: pd.DataFrame) -> dict[str, list]:
        names = list(frame.columns)
        if not names or len(set(names)) != len(names) or not all(_boxed_as_itertuples(d) for d in frame.dtypes):
            return {}
        if len(frame) == 0:
            return {n: [] for n in names}
        return dict(zip(names, frame.to_numpy(dtype=object).T.tolist()))


def itertuples_values(array) -> list | None:
    """The values DataFrame.itertuples gives for a column pd.DataFrame makes of this array, as far as a page
    and kpis.json can tell: for text, a missing value may be None where pandas has NaN (both are "–" and
    null). None when the array is of another kind (then read the DataFrame)."""
    if not isinstance(array, np.ndarray) or array.ndim != 1:
        return None
    kind = array.dtype.kind
    if kind in "fiub":
        return array.tolist()
    if kind == "M":
        return pd.DatetimeIndex(array).tolist()  # Timestamps and NaT
    if kind == "O":
        values = array.tolist()
        kinds = set(map(type, values))
        if kinds <= {str, type(None)} or (kinds <= {str, type(None), float} and
                                           all(v != v for v in values if type(v) is float)):
            return values  # a "str" column of pandas (or object, without string inference)
    return None


class ReportColumns:
    """The report's KPI tables (kpis.tables) as column lists, for a page and its kpis.json: what itertuples
    gives for each table's DataFrame, read from the column arrays (`Tables`) without making the DataFrame
    where `itertuples_values` can, else from the DataFrame. Each column is read once."""

    def __init__(self, kpis: ReportKpis):
        self.tables = kpis.tables
        self.arrays = kpis.tables if isinstance(kpis.tables, Tables) else None
        self.frames = FrameColumns()
        self.known: dict[tuple[str, str], list] = {}
        self.aligned: dict[str, bool] = {}

    def names(self, table: str) -> list:
        if self.arrays is not None and self._aligned(table):
            return list(self.arrays.columns(table))
        return list(self.tables[table].columns)

    def length(self, table: str) -> int:
        if self.arrays is not None and self._aligned(table):
            return next((len(a) for a in self.arrays.columns(table).values()), 0)
        return len(self.tables[table])

    def _aligned(self, table: str) -> bool:
        """Columns of one length (else pd.DataFrame refuses them, and the DataFrame path says so)."""
        aligned = self.aligned.get(table)
        if aligned is None:
            aligned = self.aligned[table] = len({len(a) for a in self.arrays.columns(table).values()}) <= 1
        return aligned

    def __call__(self, table: str, name: str) -> list:
        values = self.known.get((table, name))
        if values is None:
            if self.arrays is not None and self._aligned(table) and name in self.arrays.columns(table):
                values = itertuples_values(self.arrays.columns(table)[name])
            if values is None:
                values = self.frames(self.tables[table], name)
            self.known[(table, name)] = values
        return values

    def floats(self, table: str, name: str) -> np.ndarray | None:
        """The column's float64 array, when it is one of `Tables` (its values are the Python floats
        itertuples gives), else None."""
        if self.arrays is not None and self._aligned(table):
            array = self.arrays.columns(table).get(name)
            if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype == np.float64:
                return array
        return None

    def datetimes(self, table: str, name: str) -> np.ndarray | None:
        """The column's datetime64 array, when it is one of `Tables` (else None: read the values)."""
        if self.arrays is not None and self._aligned(table):
            array = self.arrays.columns(table).get(name)
            if isinstance(array, np.ndarray) and array.ndim == 1 and array.dtype.kind == "M":
                return array
        return None

    def days(self, table: str, name: str) -> list:
        """For a date column: the day of each value (what `cell` formats: Timestamp.date()), None for NaT;
        from a datetime64 array without making Timestamps. Else the values themselves."""
        array = self.datetimes(table, name)
        if array is None:
            return self(table, name)
        key = (table, name, "days")
        days = self.known.get(key)
        if days is None:
            days = self.known[key] = array.astype("datetime64[D]").tolist()  # date objects, None for NaT
        return days


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
    cells = []
    for c in kind.columns:
        values = read(c)
        values = values[:shown] if order is None else [values[i] for i in order[:shown]]
        cells.append(column_cells(c.unit, fmt)(values))
    return RenderedTable(name, _(kind.title), tuple((_(c.label), c.unit) for c in kind.columns), cells, total)


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
def _chart_arrays(name: str, kpis: ReportKpis, columns: tuple[Column, ...]) -> list[list] | None:
    """The columns of the chart's rows as `cell` would see them in its frame, read from the arrays the chart
    was made of (the charts stage's, in this process): dates as days. None when they are not plain arrays."""
    arrays = kpis.memo(("chart", name), lambda: CHART_KINDS[name].columns(kpis))
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
        frame = CHART_KINDS[name].rows(kpis)
        if frame.empty:
            return None
        read = FrameColumns()
        values = [read(frame, c.field) for c in columns]
    cells = [column_cells(c.unit, fmt)(v) for c, v in zip(columns, values)]
    return RenderedTable(f"chart-{name}", _(CHART_KINDS[name].title), tuple((_(c.label), c.unit) for c in columns),
                         cells, len(values[0]))


# partials/table.html of the default theme, written directly (pages.py uses it while the theme's
# partial is that file); tests/test_tables.py renders both and compares
_SPECIAL = re.compile(r"[&<>\"']")


def html_text(text) -> str:
    """markupsafe.escape(text) as a plain str, without making a Markup when nothing needs escaping."""
    if type(text) is str and _SPECIAL.search(text) is None:
        return text
    return str(escape(text))


_PLAIN_FORMAT = re.compile(r"(?:[^%]|%%|%\([A-Za-z_][A-Za-z0-9_]*\)s)*")


@lru_cache(maxsize=1024)
def _plain_format(text: str) -> bool:
    """Only %(name)s and %%: then `text % escaped values` is what Markup(text) % values gives."""
    return _PLAIN_FORMAT.fullmatch(text) is not None


def gettext_html(message: str, **values) -> str:
    """{{ _(message, **values) }} in a theme template: Jinja's newstyle gettext with autoescaping, which
    trusts the translation and escapes the values (str(Markup(_(message)) % values))."""
    text = _(message)
    if _plain_format(text):
        return text % {k: html_text(v) for k, v in values.items()}
    return str(Markup(text) % values)


def _escaped(texts: list[str]) -> list[str]:
    if set(map(type, texts)) <= {str} and _SPECIAL.search("".join(texts)) is None:
        return texts
    return [str(escape(t)) for t in texts]


def table_html(table: RenderedTable) -> str:
    title = html_text(table.title)
    out = [f'<div class="table-wrap" role="group" aria-label="{title}" tabindex="0">\n'
           f'<table class="data-table table-{html_text(table.name)}">\n  <caption>{title}']
    if table.total_rows > table.shown:
        out.append(' <span class="muted">(' + gettext_html("top %(shown)s of %(total)s", shown=table.shown,
                                                           total=table.total_rows) + ")</span>")
    out.append("</caption>\n  <thead><tr>")
    out.extend(f'<th scope="col" class="{html_text(unit)}">{html_text(label)}</th>' for label, unit in table.headers)
    out.append("</tr></thead>\n  <tbody>\n")
    if table.shown:
        cells = []
        for (_label, unit), texts in zip(table.headers, table.columns):
            start = f'<td class="{html_text(unit)}">'
            cells.append([start + text + "</td>" for text in _escaped(texts)])
        out.extend("    <tr>" + "".join(row) + "</tr>\n" for row in zip(*cells))
    else:
        out.append(f'    <tr><td colspan="{len(table.headers)}" class="muted">'
                   f'{gettext_html("No data in this period.")}</td></tr>\n')
    out.append("  </tbody>\n</table>\n</div>\n")
    return "".join(out)
