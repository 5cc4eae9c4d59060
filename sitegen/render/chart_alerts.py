"""The alerts a chart marks (charts.ALERT_CHARTS): each alert with a day as a row of the chart's `alerts`
dataset, with the same sentence the highlights show, as plain text for the tooltip."""

from __future__ import annotations

from sitegen.i18n import language, speaking
from sitegen.metrics.alerts import Alert
from sitegen.render.charts import ALERT_CHARTS
from sitegen.render.formatting import Formatter
from sitegen.render.highlights import alert_view


def chart_alerts(alerts: list[Alert], locale: str, currency: str) -> dict[str, list[dict]]:
    """Chart name -> [{"date", "severity", "text"}] of the alerts it marks, in the report's language."""
    marked: dict[str, list[dict]] = {}
    fmt = Formatter(locale, currency)
    with speaking(language(locale)):
        for alert in alerts:
            chart = ALERT_CHARTS.get((alert.kind, alert.subject))
            if chart is None or alert.day is None:
                continue
            marked.setdefault(chart, []).append({"date": alert.day.isoformat(), "severity": alert.severity,
                                                 "text": alert_view(alert, fmt)["text"].striptags()})
    return marked
