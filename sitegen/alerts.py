"""Automatic highlights: crisis, spike, suspicious likes, targets, large changes, viral-not-converting.

Baselines use robust statistics (median and MAD of the days before), so one extreme day
does not hide the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sitegen.catalogue import KPIS
from sitegen.config import Alerts
from sitegen.kpis import ClientFacts, ReportKpis, period_bounds, ratio

SEVERITY_ORDER = {"critical": 0, "warning": 1, "positive": 2, "info": 3}
DAY_NS = 86_400_000_000_000
MAD_SCALE = 1.4826  # makes the MAD comparable to a standard deviation for normal data


@dataclass(frozen=True)
class Alert:
    kind: str  # crisis | spike | suspicious_likes | target_missed | target_beaten | large_change | viral_not_converting
    severity: str  # critical | warning | positive | info
    subject: str  # a KPI id, a metric name, a video title or a campaign name (data: escape when shown)
    day: date | None = None
    value: float | None = None
    baseline: float | None = None
    detail: str = ""  # more data-derived text (titles of the day's posts), escaped when shown


def _median(values: list[float]) -> float:
    """np.median's value for a short list, without its per-call cost (a few hundred calls a report)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def robust_z(value: float, history: np.ndarray, min_mad: float = 1.0) -> tuple[float, float]:
    """(z, median) of value against history, with a floor on the MAD so flat history is not infinite.

    The floor is 5 % of the median, and at least `min_mad` (one unit for counts; tiny for rates)."""
    values = history.tolist()
    median = _median(values)
    mad = _median([abs(v - median) for v in values])
    floor = max(0.05 * abs(median), min_mad)
    return (value - median) / (MAD_SCALE * max(mad, floor)), median


@dataclass(frozen=True)
class Baseline:
    """A daily series against its own past, for every day at once: z and median of the `window` days
    before it (robust_z), where there are at least seven of them (`ok`)."""

    stamps: np.ndarray  # int64 ns
    values: np.ndarray
    z: np.ndarray
    median: np.ndarray
    ok: np.ndarray

    def days(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(day as int64 ns, value, z, median) of those of `days` (int64 ns, sorted) that have a baseline."""
        if not len(self.stamps):
            return (np.zeros(0, dtype=np.int64), *(np.zeros(0) for _ in range(3)))
        at = np.searchsorted(self.stamps, days)
        at = at[self.stamps[np.minimum(at, len(self.stamps) - 1)] == days]
        at = at[self.ok[at]]
        return self.stamps[at], self.values[at], self.z[at], self.median[at]


def baseline(series: pd.Series, window: int, min_mad: float = 1.0) -> Baseline:
    stamps = series.index.as_unit("ns").asi8
    values = series.to_numpy(dtype="float64")
    n = len(values)
    first = np.searchsorted(stamps, stamps - window * DAY_NS)
    count = np.arange(n) - first
    ok = count >= 7
    z, median = np.full(n, np.nan), np.full(n, np.nan)
    if ok.any() and np.isfinite(values).all():
        # every day's history as a row, padded with inf (sorted last), so that one sort gives every median
        with np.errstate(invalid="ignore", divide="ignore"):  # (inf - inf in the padding, never read)
            width = int(count.max())
            index = first[:, None] + np.arange(width)
            inside = np.arange(width) < count[:, None]
            history = np.where(inside, values[np.minimum(index, n - 1)], np.inf)
            history.sort(axis=1)
            median = _row_medians(history, count)
            deviation = np.where(inside, np.abs(history - median[:, None]), np.inf)
            deviation.sort(axis=1)
            mad = _row_medians(deviation, count)
            floor = np.maximum(0.05 * np.abs(median), min_mad)
            z = (values - median) / (MAD_SCALE * np.maximum(mad, floor))
    elif ok.any():  # (nan or inf in the series: one day at a time, as robust_z compares them)
        for i in np.flatnonzero(ok).tolist():
            z[i], median[i] = robust_z(values[i], values[first[i]:i], min_mad)
    return Baseline(stamps, values, z, median, ok)


def _row_medians(ordered: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Each sorted row's median over its first `count` values, with _median's arithmetic."""
    rows, half = np.arange(len(ordered)), count // 2
    upper = ordered[rows, np.minimum(half, ordered.shape[1] - 1)]
    lower = ordered[rows, np.maximum(half - 1, 0)]
    return np.where(count % 2 == 1, upper, (lower + upper) / 2)


def _baseline(facts: ClientFacts, name: str, series, window: int, min_mad: float = 1.0) -> Baseline:
    """The client's baseline of a series (made once a client; `series` makes the series)."""
    return facts.memo(("alerts: baseline", name, window, min_mad), lambda: baseline(series(), window, min_mad))


def _period_days(kpis: ReportKpis) -> np.ndarray:
    start, end = period_bounds(kpis.period)
    return np.arange(start, end, DAY_NS, dtype="int64")


def _account_or_sum(facts: ClientFacts, account: str, organic: str, paid: str) -> pd.Series:
    """The account's daily total when its export has one, else organic plus paid (made once a client)."""
    def make():
        d = facts.daily
        if "account" in facts.kinds and d[account].any():
            return d[account]
        return d[organic] + d[paid]
    return facts.memo(("alerts", account), make)


def _daily_likes(facts: ClientFacts) -> pd.Series:
    return _account_or_sum(facts, "account_likes", "organic_likes", "paid_likes")


def _daily_views(facts: ClientFacts) -> pd.Series:
    return _account_or_sum(facts, "account_views", "organic_views", "video_views")


def _like_rate(facts: ClientFacts) -> pd.Series:
    def make():
        likes, views = _daily_likes(facts), _daily_views(facts)
        return (likes / views.where(views > 0)).dropna()
    return facts.memo("alerts: like rate", make)


def _negative_share(facts: ClientFacts) -> pd.Series:
    def make():
        likes = _daily_likes(facts)
        return (facts.daily["negative_comments"] / likes.where(likes > 0)).fillna(0.0)
    return facts.memo("alerts: negative share", make)


def _posting_days(facts: ClientFacts) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(posting day, posting time, title or id) of every video row, as arrays (made once a client)."""
    videos = facts.data["videos"]
    posted = videos["posted_at"].to_numpy(dtype="datetime64[ns]")
    days = posted.astype("datetime64[D]").astype("datetime64[ns]").view("int64")
    return days, posted.view("int64"), [str(t) for t in videos["title"].fillna(videos["video_id"])]


def _posts_on(facts: ClientFacts, day: pd.Timestamp) -> str:
    days, times, titles = facts.memo("alerts: posting days", lambda: _posting_days(facts))
    today = day.as_unit("ns").value
    near = np.flatnonzero((days == today) | (days == today - DAY_NS))
    near = near[np.argsort(times[near], kind="quicksort")]  # (as sort_values did)
    found = [titles[i] for i in near.tolist() if titles[i]]
    return "; ".join(found[:3])


def spikes(facts: ClientFacts, kpis: ReportKpis, cfg: Alerts) -> list[Alert]:
    found = []
    series = {"likes": lambda: _daily_likes(facts)}
    if "account" in facts.kinds:
        series["new_followers"] = lambda: facts.daily["account_new_followers"]
    for metric, values in series.items():
        days, value, z, median = _baseline(facts, metric, values, cfg.baseline_days).days(_period_days(kpis))
        hit = np.flatnonzero((z > cfg.spike_z) & (value > cfg.spike_min_ratio * median))
        for day, v, m in zip(days[hit].tolist(), value[hit].tolist(), median[hit].tolist()):
            day = pd.Timestamp(day)
            found.append(Alert("spike", "info", metric, day.date(), v, m, _posts_on(facts, day)))
    return found


def suspicious_likes(facts: ClientFacts, kpis: ReportKpis, cfg: Alerts) -> list[Alert]:
    """Like rate far above its baseline on a day whose views are not: likes that may be bought."""
    period = _period_days(kpis)
    views_days, _, views_z, _ = _baseline(facts, "views", lambda: _daily_views(facts), cfg.baseline_days).days(period)
    days, value, z, median = _baseline(facts, "like rate", lambda: _like_rate(facts), cfg.baseline_days,
                                       1e-9).days(period)
    hit = (z > cfg.spike_z) & (value > cfg.spike_min_ratio * median)
    if hit.any() and len(views_days):  # the day's views z (0 when views have no baseline that day) below 2
        at = np.minimum(np.searchsorted(views_days, days), len(views_days) - 1)
        hit &= ~((views_days[at] == days) & ~(views_z[at] < 2))
    where = np.flatnonzero(hit)
    return [Alert("suspicious_likes", "warning", "like_rate", pd.Timestamp(day).date(), v, m)
            for day, v, m in zip(days[where].tolist(), value[where].tolist(), median[where].tolist())]


def crises(facts: ClientFacts, kpis: ReportKpis, cfg: Alerts) -> list[Alert]:
    if "community" not in facts.kinds:
        return []
    d = facts.daily
    found = []
    shares = _baseline(facts, "negative share", lambda: _negative_share(facts), cfg.baseline_days)
    days, values, _, baselines = shares.days(_period_days(kpis))
    counts = d["negative_comments"].to_numpy()[np.searchsorted(d.index.as_unit("ns").asi8, days)]
    for day, value, baseline, count in zip(days.tolist(), values.tolist(), baselines.tolist(), counts.tolist()):
        if count < cfg.crisis_min_comments:
            continue
        if value > cfg.crisis_ratio or (baseline > 0 and value > cfg.crisis_multiple * baseline) or (
                baseline == 0 and count >= 2 * cfg.crisis_min_comments):
            day = pd.Timestamp(day)
            found.append(Alert("crisis", "critical", "negative_comments", day.date(), float(count),
                               baseline, _crisis_videos(facts, day)))
    negative = kpis.array("videos", "negative_comments")
    for i in np.flatnonzero(negative >= cfg.crisis_min_comments).tolist():
        value = ratio(float(negative[i]), float(kpis.array("videos", "likes")[i]))
        if value is not None and value > cfg.crisis_ratio:
            title = kpis.array("videos", "title")[i]
            found.append(Alert("crisis", "critical", str(title or kpis.array("videos", "video_id")[i]), None, value,
                               None))
    return found


def _crisis_videos(facts: ClientFacts, day: pd.Timestamp) -> str:
    c = facts.data["community"]
    hit = c[(c["received_at"].dt.normalize() == day) & (c["sentiment"] == "negative") & c["video_id"].notna()]
    if hit.empty:
        return ""
    top = hit["video_id"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
    titles = facts.data["videos"].set_index("video_id")["title"]
    return str(titles.get(top, top)) if top in titles.index else str(top)


def target_alerts(kpis: ReportKpis) -> list[Alert]:
    found = []
    for kpi in sorted(kpis.targets):
        met = kpis.target_met(kpi)
        if met is not None:
            found.append(Alert("target_beaten" if met else "target_missed", "positive" if met else "warning",
                               kpi, None, kpis.values[kpi], kpis.targets[kpi]))
    return found


def change_alerts(kpis: ReportKpis, watched: list[str], cfg: Alerts) -> list[Alert]:
    found = []
    for kpi in watched:
        change = kpis.change(kpi)
        if change is not None and abs(change) >= cfg.large_change:
            good = (change > 0) == KPIS[kpi].higher_is_better
            found.append(Alert("large_change", "positive" if good else "warning", kpi, None,
                               kpis.values[kpi], kpis.previous[kpi]))
    return found


def viral_not_converting(facts: ClientFacts, kpis: ReportKpis, cfg: Alerts) -> list[Alert]:
    """Top campaigns by likes whose conversions per 1k likes are far below the client's norm."""
    ads = facts.data["ads"]
    norm = facts.memo("alerts: conversions per 1k likes",
                      lambda: ratio(float(ads["conversions"].sum()), float(ads["likes"].sum()), 1000))
    names, likes = kpis.array("campaigns", "campaign"), kpis.array("campaigns", "likes")
    if not norm or not len(names):
        return []
    per_1k = np.nan_to_num(kpis.array("campaigns", "conversions_per_1k_likes"))
    missing = np.isnan(likes)
    by_name = np.argsort(names.astype(str), kind="stable")
    top = by_name[np.lexsort((np.where(missing, 0.0, -likes)[by_name], missing[by_name]))][:3]  # likes, then name
    return [Alert("viral_not_converting", "warning", str(names[i]), None, float(per_1k[i]), norm)
            for i in top.tolist() if likes[i] > 0 and per_1k[i] < cfg.viral_fraction * norm]


def report_alerts(facts: ClientFacts, kpis: ReportKpis, cfg: Alerts, watched: list[str]) -> list[Alert]:
    found = (crises(facts, kpis, cfg) + spikes(facts, kpis, cfg) + suspicious_likes(facts, kpis, cfg)
             + viral_not_converting(facts, kpis, cfg) + target_alerts(kpis) + change_alerts(kpis, watched, cfg))
    return sorted(found, key=lambda a: (SEVERITY_ORDER[a.severity], a.day or date.min, a.kind, a.subject))
