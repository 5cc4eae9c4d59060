"""Automatic highlights: crisis, spike, suspicious likes, targets, large changes, viral-not-converting.

Days are compared with their own past through robust baselines (`baselines`: median and MAD of the days
before), so one extreme day does not hide the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sitegen.metrics.baselines import Baseline, baseline
from sitegen.metrics.catalogue import KPIS
from sitegen.metrics.facts import ClientFacts
from sitegen.metrics.periods import DAY_NS, period_bounds
from sitegen.metrics.ratios import ratio
from sitegen.metrics.report import ReportKpis
from sitegen.metrics.thresholds import AlertThresholds

SEVERITY_ORDER = {"critical": 0, "warning": 1, "positive": 2, "info": 3}


@dataclass(frozen=True)
class Alert:
    kind: str  # crisis | spike | suspicious_likes | target_missed | target_beaten | large_change | viral_not_converting
    severity: str  # critical | warning | positive | info
    subject: str  # a KPI id, a metric name, a video title or a campaign name (data: escape when shown)
    day: date | None = None
    value: float | None = None
    baseline: float | None = None
    detail: tuple[str, ...] = ()  # more data-derived text (titles of the day's posts), escaped when shown


def _baseline(facts: ClientFacts, name: str, series: pd.Series, window: int, min_mad: float = 1.0) -> Baseline:
    """The client's baseline of one of its daily series (made once a client)."""
    key = (name, window, min_mad)
    if key not in facts.baselines:
        facts.baselines[key] = baseline(series, window, min_mad)
    return facts.baselines[key]


def _period_days(kpis: ReportKpis) -> np.ndarray:
    start, end = period_bounds(kpis.period)
    return np.arange(start, end, DAY_NS, dtype="int64")


def _posts_on(facts: ClientFacts, day: pd.Timestamp) -> tuple[str, ...]:
    days, times, titles = facts.posting_days
    today = day.as_unit("ns").value
    near = np.flatnonzero((days == today) | (days == today - DAY_NS))
    near = near[np.argsort(times[near], kind="quicksort")]  # (as sort_values did)
    found = [titles[i] for i in near.tolist() if titles[i]]
    return tuple(found[:3])


def spikes(facts: ClientFacts, kpis: ReportKpis, cfg: AlertThresholds) -> list[Alert]:
    found = []
    series = {"likes": facts.daily_likes}
    if "account" in facts.kinds:
        series["new_followers"] = facts.daily["account_new_followers"]
    for metric, values in series.items():
        days, value, z, median = _baseline(facts, metric, values, cfg.baseline_days).days(_period_days(kpis))
        hit = np.flatnonzero((z > cfg.spike_z) & (value > cfg.spike_min_ratio * median))
        for day, v, m in zip(days[hit].tolist(), value[hit].tolist(), median[hit].tolist()):
            day = pd.Timestamp(day)
            found.append(Alert("spike", "info", metric, day.date(), v, m, _posts_on(facts, day)))
    return found


def suspicious_likes(facts: ClientFacts, kpis: ReportKpis, cfg: AlertThresholds) -> list[Alert]:
    """Like rate far above its baseline on a day whose views are not: likes that may be bought."""
    period = _period_days(kpis)
    views_days, _, views_z, _ = _baseline(facts, "views", facts.daily_views, cfg.baseline_days).days(period)
    days, value, z, median = _baseline(facts, "like rate", facts.like_rate, cfg.baseline_days,
                                       1e-9).days(period)
    hit = (z > cfg.spike_z) & (value > cfg.spike_min_ratio * median)
    if hit.any() and len(views_days):  # the day's views z (0 when views have no baseline that day) below 2
        at = np.minimum(np.searchsorted(views_days, days), len(views_days) - 1)
        hit &= ~((views_days[at] == days) & ~(views_z[at] < 2))
    where = np.flatnonzero(hit)
    return [Alert("suspicious_likes", "warning", "like_rate", pd.Timestamp(day).date(), v, m)
            for day, v, m in zip(days[where].tolist(), value[where].tolist(), median[where].tolist())]


def crises(facts: ClientFacts, kpis: ReportKpis, cfg: AlertThresholds) -> list[Alert]:
    if "community" not in facts.kinds:
        return []
    d = facts.daily
    found = []
    shares = _baseline(facts, "negative share", facts.negative_share, cfg.baseline_days)
    days, values, _, usual = shares.days(_period_days(kpis))
    counts = d["negative_comments"].to_numpy()[np.searchsorted(d.index.as_unit("ns").asi8, days)]
    for day, value, median, count in zip(days.tolist(), values.tolist(), usual.tolist(), counts.tolist()):
        if count < cfg.crisis_min_comments:
            continue
        if value > cfg.crisis_ratio or (median > 0 and value > cfg.crisis_multiple * median) or (
                median == 0 and count >= 2 * cfg.crisis_min_comments):
            day = pd.Timestamp(day)
            found.append(Alert("crisis", "critical", "negative_comments", day.date(), float(count),
                               median, _crisis_videos(facts, day)))
    negative = kpis.array("videos", "negative_comments")
    for i in np.flatnonzero(negative >= cfg.crisis_min_comments).tolist():
        value = ratio(float(negative[i]), float(kpis.array("videos", "likes")[i]))
        if value is not None and value > cfg.crisis_ratio:
            title = kpis.array("videos", "title")[i]
            found.append(Alert("crisis", "critical", str(title or kpis.array("videos", "video_id")[i]), None, value,
                               None))
    return found


def _crisis_videos(facts: ClientFacts, day: pd.Timestamp) -> tuple[str, ...]:
    c = facts.data["community"]
    hit = c[(c["received_at"].dt.normalize() == day) & (c["sentiment"] == "negative") & c["video_id"].notna()]
    if hit.empty:
        return ()
    top = hit["video_id"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
    titles = facts.data["videos"].set_index("video_id")["title"]
    return (str(titles.get(top, top)) if top in titles.index else str(top),)


def target_alerts(kpis: ReportKpis) -> list[Alert]:
    found = []
    for kpi in sorted(kpis.targets):
        met = kpis.target_met(kpi)
        if met is not None:
            found.append(Alert("target_beaten" if met else "target_missed", "positive" if met else "warning",
                               kpi, None, kpis.values[kpi], kpis.targets[kpi]))
    return found


def change_alerts(kpis: ReportKpis, watched: list[str], cfg: AlertThresholds) -> list[Alert]:
    found = []
    for kpi in watched:
        change = kpis.change(kpi)
        if change is not None and abs(change) >= cfg.large_change:
            good = (change > 0) == KPIS[kpi].higher_is_better
            found.append(Alert("large_change", "positive" if good else "warning", kpi, None,
                               kpis.values[kpi], kpis.previous[kpi]))
    return found


def viral_not_converting(facts: ClientFacts, kpis: ReportKpis, cfg: AlertThresholds) -> list[Alert]:
    """Top campaigns by likes whose conversions per 1k likes are far below the client's norm."""
    norm = facts.conversions_per_1k_likes
    names, likes = kpis.array("campaigns", "campaign"), kpis.array("campaigns", "likes")
    if not norm or not len(names):
        return []
    per_1k = np.nan_to_num(kpis.array("campaigns", "conversions_per_1k_likes"))
    missing = np.isnan(likes)
    by_name = np.argsort(names.astype(str), kind="stable")
    top = by_name[np.lexsort((np.where(missing, 0.0, -likes)[by_name], missing[by_name]))][:3]  # likes, then name
    return [Alert("viral_not_converting", "warning", str(names[i]), None, float(per_1k[i]), norm)
            for i in top.tolist() if likes[i] > 0 and per_1k[i] < cfg.viral_fraction * norm]


def report_alerts(facts: ClientFacts, kpis: ReportKpis, cfg: AlertThresholds, watched: list[str]) -> list[Alert]:
    found = (crises(facts, kpis, cfg) + spikes(facts, kpis, cfg) + suspicious_likes(facts, kpis, cfg)
             + viral_not_converting(facts, kpis, cfg) + target_alerts(kpis) + change_alerts(kpis, watched, cfg))
    return sorted(found, key=lambda a: (SEVERITY_ORDER[a.severity], a.day or date.min, a.kind, a.subject))
