"""A report's numbers (`ReportKpis`): its period's and comparison period's KPIs, attainment of its targets, and
its breakdowns, which stay column arrays (`Tables`) until a theme asks for a DataFrame."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sitegen.data.fx import RateUsed
from sitegen.metrics.breakdowns import (
    campaign_table,
    code_table,
    day_table,
    hashtag_days,
    hashtag_table,
    source_table,
    video_table,
)
from sitegen.metrics.catalogue import KPI_IDS, KPIS
from sitegen.metrics.collabs import creator_table, trend_seen, trend_table, video_sales
from sitegen.metrics.facts import ClientFacts, Columns
from sitegen.metrics.figures import Figures
from sitegen.metrics.kpis import compute_figures
from sitegen.metrics.periods import Period
from sitegen.metrics.ratios import Number, clean, ratio
from sitegen.metrics.targets import report_targets


class Tables(Mapping):
    """A report's breakdowns as column arrays; each becomes a DataFrame only when asked for as one."""

    def __init__(self, columns: dict[str, Columns]):
        self._columns = columns
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = pd.DataFrame(self._columns[name])
        return self._frames[name]

    def __iter__(self):
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def columns(self, name: str) -> Columns:
        return self._columns[name]

    def __getstate__(self):
        # a table's float columns travel as one 2-D array: pickling costs per array (a report has about 60)
        return {"packed": {name: _packed(columns) for name, columns in self._columns.items()}}

    def __setstate__(self, state):
        self._columns = {name: _unpacked(*packed) for name, packed in state["packed"].items()}
        self._frames = {}


def _packed(columns: Columns) -> tuple[list[str], np.ndarray | None, dict]:
    """(column names in order, the float64 columns stacked, the other columns)."""
    floats = [c for c, a in columns.items() if isinstance(a, np.ndarray) and a.ndim == 1 and a.dtype == np.float64]
    if len(floats) < 2 or len({len(columns[c]) for c in floats}) != 1:
        return list(columns), None, dict(columns)
    stacked = set(floats)
    return list(columns), np.stack([columns[c] for c in floats]), {c: a for c, a in columns.items() if c not in stacked}


def _unpacked(names: list[str], block: np.ndarray | None, others: dict) -> Columns:
    rows = iter(block) if block is not None else iter(())
    return {name: others[name] if name in others else next(rows) for name in names}


@dataclass
class ReportKpis:
    """A report's numbers: every KPI for its period and its comparison period, its targets and its breakdowns."""

    period: Period
    comparison: Period | None
    values: dict[str, Number]
    previous: dict[str, Number]
    targets: dict[str, float]
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # Tables, or DataFrames in tests
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the data each value came from
    reasons: dict[str, str] = field(default_factory=dict)  # why a value is n/a ("not in your data")
    notes: dict[str, str] = field(default_factory=dict)  # what a value lacks ("without paid_likes (...)")
    fx: tuple[RateUsed, ...] = ()  # the exchange rates that converted amounts of the period or the comparison
    prorated: dict[str, float] = field(default_factory=dict)  # a pro-rated target's KPI -> the month's target
    # made on first use by the charts and pages of this process, not kept in the build cache: a chart's rows by
    # chart name (None: no rows), the JSON values of columns the charts share (by id; the array is kept with
    # its values, so its id is not reused)
    chart_rows: dict[str, Columns | None] = field(default_factory=dict, repr=False, compare=False)
    json_columns: dict[int, tuple[np.ndarray, list]] = field(default_factory=dict, repr=False, compare=False)
    _arrays: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "chart_rows": {}, "json_columns": {}, "_arrays": {}}

    def array(self, table: str, column: str) -> np.ndarray:
        """A column of one of the tables as a numpy array (without making a DataFrame)."""
        if isinstance(self.tables, Tables):
            return self.tables.columns(table)[column]
        if (table, column) not in self._arrays:
            self._arrays[(table, column)] = self.tables[table][column].to_numpy()
        return self._arrays[(table, column)]

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


def report_kpis(facts: ClientFacts, period: Period, comparison: Period | None, targets: dict[str, float],
                monthly_targets: dict[str, float] | None = None, fees: Mapping[str, float] | None = None) -> ReportKpis:
    """`targets`: the report's own, as they are; `monthly_targets`: the settings', pro-rated for the period where
    they are sums (sitegen.metrics.targets); `fees`: each creator's fee for the collaboration (client.toml's
    [creators]), by handle."""
    targets, prorated = report_targets(monthly_targets or {}, targets, period)
    figures = period_figures(facts, period)
    previous = period_figures(facts, comparison).values if comparison else dict.fromkeys(KPI_IDS)
    videos, sources, campaigns = video_table(facts, period), source_table(facts, period), campaign_table(facts, period)
    videos = {**videos, **video_sales(videos, sources, facts, period)}
    tables = Tables({
        "campaigns": campaigns,
        "videos": videos,
        "sources": sources,
        "creators": creator_table(videos, sources, campaigns, fees or {}),
        "trends": trend_table(videos, video_table(facts, comparison) if comparison else None, trend_seen(facts),
                              pd.Timestamp(period.start)),
        "codes": code_table(facts, period),
        "hashtags": hashtag_table(facts, period),
        "days": day_table(facts, period),
        "hashtag_days": hashtag_days(facts, period),
    })
    fx = tuple(r for r in facts.data.fx if any(r.in_period(p.start, p.end) for p in (period, comparison) if p))
    return ReportKpis(period, comparison, figures.values, previous, targets, tables, figures.sources,
                      figures.reasons, figures.notes, fx, prorated)


def period_figures(facts: ClientFacts, period: Period) -> Figures:
    """A period's KPIs, computed once a client (one report's period is often the next one's comparison)."""
    if period not in facts.kpis:
        facts.kpis[period] = compute_figures(facts, period)
    return facts.kpis[period]
