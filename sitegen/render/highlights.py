"""The alerts as the report's highlights: one sentence each, in the client's language and number formats."""

from __future__ import annotations

from markupsafe import Markup, escape

from sitegen.i18n import N_, _
from sitegen.metrics.alerts import Alert
from sitegen.metrics.catalogue import KPIS
from sitegen.render.formatting import Formatter
from sitegen.render.partials import isolated

METRIC_NAMES = {"likes": N_("likes"), "new_followers": N_("new followers")}  # subjects of spike alerts
ALERT_TEXT = {
    "crisis": N_("Possible crisis: {value} negative comments ({subject}){detail}"),
    "spike": N_("Spike in {subject} on {day}: {value} vs. a usual {baseline}{detail}"),
    "suspicious_likes": N_("Suspicious likes on {day}: like rate {value} vs. a usual {baseline} "
                           "while views stayed normal"),
    "target_missed": N_("Target missed: {subject} {value} (target {baseline})"),
    "target_beaten": N_("Target beaten: {subject} {value} (target {baseline})"),
    "large_change": N_("Large change: {subject} {value} (previous period {baseline})"),
    "viral_not_converting": N_("Likes without sales: campaign {subject} converts {value} per 1k likes "
                            "(client norm {baseline})"),
}


def alert_view(alert: Alert, fmt: Formatter) -> dict:
    """The alert as the theme's partials/alerts.html shows it: its sentence as HTML, text from data isolated."""
    if alert.subject in KPIS:
        subject, value, baseline = (_(KPIS[alert.subject].label), fmt.kpi(alert.subject, alert.value),
                                    fmt.kpi(alert.subject, alert.baseline))
    elif alert.kind in ("suspicious_likes",):
        subject, value, baseline = _("like rate"), fmt.percent(alert.value, 1), fmt.percent(alert.baseline, 1)
    elif alert.kind == "viral_not_converting":
        subject, value, baseline = isolated(alert.subject), fmt.number(alert.value, 1), fmt.number(alert.baseline, 1)
    elif alert.kind == "crisis" and alert.day is None:
        text = Markup(escape(_("Possible crisis on video {subject}: {value} negative comments per like"))).format(
            subject=isolated(alert.subject), value=fmt.percent(alert.value, 1))
        return {"severity": alert.severity, "kind": alert.kind, "text": text}
    else:
        subject = _(METRIC_NAMES[alert.subject]) if alert.subject in METRIC_NAMES else alert.subject.replace("_", " ")
        value, baseline = fmt.number(alert.value), fmt.number(alert.baseline)
    if alert.kind == "crisis":
        subject = fmt.date(alert.day)
    detail = Markup(" — ") + Markup("; ").join(map(isolated, alert.detail)) if alert.detail else ""
    text = Markup(escape(_(ALERT_TEXT[alert.kind]))).format(subject=subject, value=value, baseline=baseline,
                                                           detail=detail, day=fmt.date(alert.day) if alert.day else "")
    return {"severity": alert.severity, "kind": alert.kind, "text": text}
