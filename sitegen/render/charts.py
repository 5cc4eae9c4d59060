"""A report's charts as Vega-Lite specs.

Each chart kind is built with Altair once per process, against a named dataset; a report's
chart is that template with the report's rows spliced in as JSON text, far cheaper than building
an Altair chart each time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np
import orjson
import pandas as pd

from sitegen.i18n import N_, _, speaking, spoken
from sitegen.metrics.facts import Columns
from sitegen.metrics.report import ReportKpis
from sitegen.render.d3_locale import short_date_format, short_number_expr
from sitegen.render.json_values import json_values
from sitegen.render.likes_revenue import likes_revenue, likes_revenue_rows
from sitegen.render.palette import DEFAULT_PALETTE
from sitegen.storage import code_fingerprint, keep, user_cache


class _Altair:
    """altair, imported on first use: only building a chart template needs it (slow to import),
    and worker processes get their templates from the parent."""

    def __getattr__(self, name: str):
        import altair

        return getattr(altair, name)


alt = _Altair()
DATA = "rows"
ALERTS = "alerts"  # the second dataset: the alerts marked on a chart (date, text)
_PLACEHOLDER = '"__SITEGEN_ROWS__"'
_ALERTS_PLACEHOLDER = '"__SITEGEN_ALERTS__"'
# The chart that marks an alert with a day, by (alert kind, subject): the one place that says which.
ALERT_CHARTS = {("crisis", "negative_comments"): "sentiment_daily", ("spike", "likes"): "likes_daily",
                ("spike", "new_followers"): "followers_daily", ("suspicious_likes", "like_rate"): "likes_daily"}
CATEGORY_TITLES = {"video": N_("Video"), "campaign": N_("Campaign"), "code": N_("Code")}
SENTIMENT_COLOURS = {"positive": "#16a34a", "neutral": "#94a3b8", "negative": "#dc2626"}


@dataclass(frozen=True)
class ChartKind:
    name: str
    title: str
    section: str
    build: Callable[[], alt.TopLevelMixin]
    columns: Callable[[ReportKpis], Columns | None]  # None: the period has no rows for this chart

    def rows(self, kpis: ReportKpis) -> Columns | None:
        """The chart's rows as column arrays (None when the period has none), made once a report."""
        if self.name not in kpis.chart_rows:
            kpis.chart_rows[self.name] = self.columns(kpis)
        return kpis.chart_rows[self.name]

    def frame(self, kpis: ReportKpis) -> pd.DataFrame:
        """The chart's rows as a table (empty when it has none)."""
        columns = self.rows(kpis)
        return pd.DataFrame(columns) if columns is not None else pd.DataFrame()


def _source() -> alt.Data:
    return alt.Data(name=DATA)


def _date_x() -> alt.X:
    return alt.X("date", type="temporal", title=None, axis=alt.Axis(format=short_date_format(spoken()), labelAngle=0))


def _axis(value_format: str) -> alt.Axis:
    """A value axis; counts in the language's short forms (12K, 1,2 Mio.)."""
    if value_format == ",.0f":
        return alt.Axis(format=value_format, labelExpr=short_number_expr(spoken()))
    return alt.Axis(format=value_format)


def _folded(fields: list[str], titles: dict[str, str], y_title: str, mark: str, y_format: str = ",.0f"):
    def build():
        base = alt.Chart(_source()).transform_fold(fields, as_=["series", "value"]).transform_calculate(
            series_label=_label_expr({k: _(v) for k, v in titles.items()}))
        encode = dict(
            x=_date_x(),
            y=alt.Y("value", type="quantitative", title=_(y_title), stack=mark == "bar" or None,
                    axis=_axis(y_format)),
            color=alt.Color("series_label", type="nominal", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("date", type="temporal", title=_("Date"), format="%x"),
                     alt.Tooltip("series_label", type="nominal", title=_("Series")),
                     alt.Tooltip("value", type="quantitative", title=_(y_title), format=y_format)])
        marked = base.mark_bar() if mark == "bar" else base.mark_line(point=True)
        return marked.encode(**encode)
    return build


def _label_expr(titles: dict[str, str]) -> str:
    expr = "datum.series"
    for key, title in reversed(list(titles.items())):
        expr = f"datum.series === {json.dumps(key)} ? {json.dumps(title)} : ({expr})"
    return expr


def _bars(category: str, value: str, title: str, value_format: str, tooltips: list[tuple[str, str, str]],
          sort_desc: bool = True, rule_at: float | None = None):
    def build():
        bars = alt.Chart(_source()).mark_bar().encode(
            y=alt.Y(category, type="nominal", title=None, sort="-x" if sort_desc else None,
                    axis=alt.Axis(labelLimit=220)),
            x=alt.X(value, type="quantitative", title=_(title), axis=_axis(value_format)),
            tooltip=[alt.Tooltip(category, type="nominal", title=_(CATEGORY_TITLES[category]))]
            + [alt.Tooltip(f, type="quantitative", title=_(t), format=fmt) for f, t, fmt in tooltips])
        if rule_at is None:
            return bars
        rule = alt.Chart(_source()).mark_rule(strokeDash=[4, 4], color="#64748b", aria=False).encode(
            x=alt.datum(rule_at))
        return alt.layer(bars, rule)
    return build


def _followers():
    return alt.Chart(_source()).mark_line(point=False).encode(
        x=_date_x(),
        y=alt.Y("followers", type="quantitative", title=_("Followers"), scale=alt.Scale(zero=False),
                axis=_axis(",.0f")),
        tooltip=[alt.Tooltip("date", type="temporal", format="%x", title=_("Date")),
                 alt.Tooltip("followers", type="quantitative", format=",.0f", title=_("Followers"))])


def _sentiment():
    return alt.Chart(_source()).transform_fold(
        ["sentiment_positive", "sentiment_neutral", "sentiment_negative"], as_=["series", "value"]
    ).transform_calculate(sentiment=_label_expr(_sentiment_labels())).mark_bar().encode(
        x=_date_x(),
        y=alt.Y("value", type="quantitative", title=_("Inbound interactions"), stack=True, axis=_axis(",.0f")),
        color=alt.Color("sentiment", type="nominal", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=list(_sentiment_labels().values()),
                                        range=list(SENTIMENT_COLOURS.values()))),
        tooltip=[alt.Tooltip("date", type="temporal", format="%x", title=_("Date")),
                 alt.Tooltip("sentiment", type="nominal", title=_("Sentiment")),
                 alt.Tooltip("value", type="quantitative", title=_("Interactions"))])


def _sentiment_labels() -> dict[str, str]:
    return {"sentiment_positive": _("positive"), "sentiment_neutral": _("neutral"), "sentiment_negative": _("negative")}


def _hashtags():
    return alt.Chart(_source()).mark_line(point=True).encode(
        x=_date_x(),
        y=alt.Y("posts", type="quantitative", title=_("Posts")),
        color=alt.Color("hashtag", type="nominal", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("date", type="temporal", format="%x", title=_("Date")),
                 alt.Tooltip("hashtag", type="nominal", title=_("Hashtag")),
                 alt.Tooltip("posts", type="quantitative", title=_("Posts"))])


def _funnel_rows(k: ReportKpis) -> Columns | None:
    stages = [("impressions", N_("Impressions")), ("views", N_("Views")), ("likes", N_("Likes")),
              ("clicks", N_("Clicks")), ("conversions", N_("Conversions"))]
    rows = [(i, _(label), k.values[kpi]) for i, (kpi, label) in enumerate(stages) if k.values[kpi] is not None]
    if not any(value for _, _, value in rows):
        return None
    order, stage, value = zip(*rows)
    return {"order": np.array(order), "stage": np.array(stage, dtype=object), "value": np.array(value, dtype=float)}


def _funnel():
    # each stage labelled with its count: a log axis of its own prints too many overlapping ticks
    return alt.Chart(_source()).transform_calculate(
        label="datum.stage + ': ' + " + short_number_expr(spoken(), "datum.value")).mark_bar().encode(
        y=alt.Y("label", type="nominal", sort=alt.EncodingSortField("order"), title=None,
                axis=alt.Axis(labelLimit=260)),
        x=alt.X("value", type="quantitative", title=_("Count (log scale)"), scale=alt.Scale(type="symlog"),
                axis=alt.Axis(labels=False, ticks=False, grid=False)),
        tooltip=[alt.Tooltip("stage", type="nominal", title=_("Stage")),
                 alt.Tooltip("value", type="quantitative", format=",.0f", title=_("Count"))])


def _days(columns: list[str]) -> Callable[[ReportKpis], Columns | None]:
    def rows(k: ReportKpis) -> Columns | None:
        present = k.array("days", "has_data")
        values = [k.array("days", c)[present] for c in columns]
        if not present.any() or not any(np.nan_to_num(v).any() for v in values):
            return None
        return {"date": k.array("days", "date"), **{c: k.array("days", c) for c in columns}}
    return rows


def _top_videos(k: ReportKpis) -> Columns | None:
    ids = k.array("videos", "video_id")[:10]
    if not len(ids):
        return None
    titles = k.array("videos", "title")[:10]
    label = [str(v if t is None or t != t else t) for t, v in zip(titles, ids)]  # (t != t: NaN)
    twice = {x for x in label if label.count(x) > 1}
    label = [f"{x} ({str(v)[-4:]})" if x in twice else x for x, v in zip(label, ids)]
    return {"video": np.array(label, dtype=object), **{c: k.array("videos", c)[:10]
                                                         for c in ("likes", "views", "engagement_rate")}}


def _non_empty(table: str, columns: list[str]) -> Callable[[ReportKpis], Columns | None]:
    def rows(k: ReportKpis) -> Columns | None:
        if not len(k.array(table, columns[0])):
            return None
        return {c: k.array(table, c) for c in columns}
    return rows


CHART_KINDS: dict[str, ChartKind] = {c.name: c for c in [
    ChartKind("likes_daily", N_("Daily likes, organic and paid"), "engagement",
              _folded(["organic_likes", "paid_likes"], {"organic_likes": N_("Organic"), "paid_likes": N_("Paid")},
                      N_("Likes"), "bar"), _days(["organic_likes", "paid_likes"])),
    ChartKind("rates_daily", N_("Daily engagement and like rate"), "engagement",
              _folded(["engagement_rate", "like_rate"], {"engagement_rate": N_("Engagement rate"),
                                                         "like_rate": N_("Like rate")}, N_("Rate"), "line", ".1%"),
              _days(["engagement_rate", "like_rate"])),
    ChartKind("funnel", N_("Funnel: impressions to conversions"), "engagement", _funnel, _funnel_rows),
    ChartKind("followers_daily", N_("Followers"), "engagement", _followers, _days(["followers"])),
    ChartKind("top_videos", N_("Top videos by likes"), "content",
              _bars("video", "likes", N_("Likes"), ",.0f",
                    [("likes", N_("Likes"), ",.0f"), ("views", N_("Views"), ",.0f"),
                     ("engagement_rate", N_("Engagement rate"), ".2%")]),
              _top_videos),
    ChartKind("spend_revenue_daily", N_("Daily spend and revenue"), "paid",
              _folded(["spend", "revenue"], {"spend": N_("Spend"), "revenue": N_("Revenue")}, N_("Amount"), "line",
                      "$,.0f"), _days(["spend", "revenue"])),
    ChartKind("campaign_roas", N_("ROAS by campaign"), "paid",
              _bars("campaign", "roas", N_("ROAS"), ".2f",
                    [("roas", N_("ROAS"), ".2f"), ("spend", N_("Spend"), "$,.2f"),
                     ("revenue", N_("Revenue"), "$,.2f")], rule_at=1.0),
              _non_empty("campaigns", ["campaign", "roas", "spend", "revenue"])),
    ChartKind("sentiment_daily", N_("Inbound interactions by sentiment"), "community", _sentiment,
              _days(["sentiment_positive", "sentiment_neutral", "sentiment_negative"])),
    ChartKind("codes_revenue", N_("Revenue by discount code"), "attribution",
              _bars("code", "revenue", N_("Revenue"), "$,.2f", [("revenue", N_("Revenue"), "$,.2f"),
                                                           ("orders", N_("Orders"), ",.0f")]),
              _non_empty("codes", ["code", "revenue", "orders"])),
    ChartKind("hashtags_daily", N_("Branded hashtag posts per day"), "attribution", _hashtags,
              _non_empty("hashtag_days", ["date", "hashtag", "posts"])),
    ChartKind("likes_revenue", N_("Likes against revenue: campaigns and videos"), "paid",
              lambda: likes_revenue(_source()), likes_revenue_rows),
]}


ChartTemplates = dict[tuple[str, tuple[str, ...], str], str]  # (chart, palette, language) -> spec with a placeholder
_TEMPLATES: ChartTemplates = {}


def templates(palette: tuple[str, ...], lang: str) -> ChartTemplates:
    """Every chart kind's template for this palette and language (for `preload` in another process)."""
    palette = tuple(palette)
    if any((name, palette, lang) not in _TEMPLATES for name in CHART_KINDS):
        _TEMPLATES.update(_stored_or_built(palette, lang))
    return {(name, palette, lang): _TEMPLATES[(name, palette, lang)] for name in CHART_KINDS}


def preload(made: ChartTemplates) -> None:
    _TEMPLATES.update(made)


def _template(name: str, palette: tuple[str, ...], lang: str) -> str:
    key = (name, palette, lang)
    if key not in _TEMPLATES:
        templates(palette, lang)
    return _TEMPLATES[key]


def _stored_or_built(palette: tuple[str, ...], lang: str) -> ChartTemplates:
    """The templates from the user's cache, where an earlier build with the same sitegen and Altair left
    them; else built (importing Altair and building ten charts) and stored there."""
    key = hashlib.sha256(json.dumps([code_fingerprint(), version("altair"), palette, lang]).encode()).hexdigest()
    path = user_cache() / "chart-templates" / f"{key[:32]}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(stored, dict) and set(stored) == set(CHART_KINDS) and \
                all(isinstance(t, str) and t.count(_PLACEHOLDER) == 1 for t in stored.values()):
            return {(name, palette, lang): text for name, text in stored.items()}
    except (OSError, ValueError):
        pass  # not there yet, or damaged: built again
    built = {name: _build_template(name, palette, lang) for name in CHART_KINDS}
    keep(path, json.dumps(built, sort_keys=True).encode("utf-8"))
    return {(name, palette, lang): text for name, text in built.items()}


def _alert_marks(colour: str):
    """A rule and a marker on each alert's day, the alert's sentence in the tooltip. Hidden from assistive
    technology (the highlights say the same; an empty mark container would be an image without a name)."""
    x = alt.X("date", type="temporal", title=None)
    tooltip = [alt.Tooltip("date", type="temporal", title=_("Date"), format="%x"),
               alt.Tooltip("text", type="nominal", title=_("Alert"))]
    alerts = alt.Chart(alt.Data(name=ALERTS))
    rule = alerts.mark_rule(color=colour, strokeWidth=2, strokeDash=[5, 3], aria=False)
    point = alerts.mark_point(shape="triangle-down", filled=True, size=110, color=colour, opacity=1, aria=False)
    return [rule.encode(x=x, tooltip=tooltip).properties(name="alert_rules"),
            point.encode(x=x, y=alt.value(0), tooltip=tooltip).properties(name="alert_points")]


def _build_template(name: str, palette: tuple[str, ...], lang: str) -> str:
    """The chart kind's Vega-Lite spec as JSON text, with placeholders where the rows (and alerts) go.
    Every mark without a colour of its own takes the palette's first, the client's brand colour."""
    kind = CHART_KINDS[name]
    marks_alerts = name in ALERT_CHARTS.values()
    with speaking(lang):
        chart = kind.build()
        if marks_alerts:
            chart = alt.layer(chart, *_alert_marks(palette[1] if len(palette) > 1 else palette[0]))
        chart = chart.properties(width="container", height=260, title=_(kind.title)).configure_range(
            category=list(palette)).configure_mark(color=palette[0]).configure_view(stroke=None)
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    spec["datasets"] = {DATA: "__SITEGEN_ROWS__", **({ALERTS: "__SITEGEN_ALERTS__"} if marks_alerts else {})}
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def columns_json(columns: Columns, known: dict[int, tuple[np.ndarray, list]] | None = None) -> str:
    """A chart's rows as compact JSON (orjson), made column by column; dates as ISO strings, NaN/inf as null.
    `known`: a report's memo of columns already read (charts of days share their dates), array -> values."""
    names = list(columns)
    values = []
    for array in columns.values():
        hit = known.get(id(array)) if known is not None else None
        if hit is None or hit[0] is not array:  # (the array is kept with its values: its id is not reused)
            hit = (array, json_values(array))
            if known is not None:
                known[id(array)] = hit
        values.append(hit[1])
    return orjson.dumps([dict(zip(names, row)) for row in zip(*values)]).decode("utf-8")


def chart_spec(name: str, kpis: ReportKpis, palette: tuple[str, ...] = DEFAULT_PALETTE, lang: str = "en",
               alerts: list[dict] | None = None) -> str | None:
    """The report's chart as Vega-Lite JSON text, or None when the period has no rows for it.
    `alerts`: the rows of the alerts it marks (render/chart_alerts.py), if it marks any."""
    kind = CHART_KINDS[name]
    with speaking(lang):
        columns = kind.rows(kpis)
    if columns is None:
        return None
    rows = columns_json(columns, kpis.json_columns)
    spec = _template(name, tuple(palette), lang).replace(_PLACEHOLDER, rows, 1)
    if name in ALERT_CHARTS.values():
        spec = spec.replace(_ALERTS_PLACEHOLDER, orjson.dumps(alerts or []).decode("utf-8"), 1)
    return spec


def report_charts(kpis: ReportKpis, palette: tuple[str, ...] = DEFAULT_PALETTE, lang: str = "en",
                  alerts: dict[str, list[dict]] | None = None) -> dict[str, str | None]:
    """Every chart of the report; `alerts`: chart name -> the alerts it marks (render/chart_alerts.py)."""
    alerts = alerts or {}
    return {name: chart_spec(name, kpis, palette, lang, alerts.get(name)) for name in CHART_KINDS}
