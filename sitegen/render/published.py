"""What a client's published pages said, and which of those figures changed since (ads platforms restate past
days as late conversions arrive).

Each build writes `<client>/published.json` beside the client's pages: per report, the KPI values it published,
the data files they came from (name, content hash, kind), the date the report was first published and the
figures that changed after that. The next build reads it from the output it replaces (the published site is
the record of what was published) and compares: a figure changed when the text a reader is shown changed (money
to the cent, a rate to its shown decimals), so float noise never counts, and n/a to a value (or back) does. An
unchanged figure keeps its recorded value and a change keeps its date, so a build that changed nothing writes
the same bytes. Dates are the build's (`SOURCE_DATE_EPOCH`, else today)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Literal

import orjson
from pydantic import BaseModel, ValidationError

from sitegen.metrics.catalogue import KPI_IDS
from sitegen.metrics.ratios import Number
from sitegen.render.formatting import Formatter

if TYPE_CHECKING:  # (a build that reuses every client loads no pandas)
    from sitegen.metrics.report import ReportKpis

RECORD = "published.json"  # in each client's folder of the output


class Change(BaseModel):
    kpi: str
    old: float | None
    new: float | None
    files: list[str]  # the data files (changed, added or removed) of the kinds the figure comes from
    on: date  # the build that found it


class Entry(BaseModel):
    published: date  # first published
    key: str | None = None  # a hash of what the figures depend on (data files, settings, period): any folder's
    period: tuple[date, date] | None = None  # the report period the figures are of (None: a record before it)
    figures: dict[str, float | None]
    sources: dict[str, list[str]] = {}  # the data kinds each figure came from
    changes: list[Change] = []  # per figure, its latest change, in the catalogue's order


class DataFile(BaseModel):
    hash: str
    kind: str | None = None  # None: not read (a bad file, or a build that reused every number)


class Record(BaseModel):
    version: Literal[1] = 1
    files: dict[str, DataFile]
    reports: dict[str, Entry]


def publish_date() -> str:
    """The date of this build: SOURCE_DATE_EPOCH's (reproducible builds) when set, else today's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return date.today().isoformat()


def read_record(text: bytes | str) -> dict | None:
    """A record as read from the output, as plain JSON values; None when it is not one."""
    try:
        return Record.model_validate_json(text).model_dump(mode="json")
    except (ValidationError, ValueError):
        return None


def record_bytes(record: dict) -> bytes:
    return orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def report_figures(kpis: ReportKpis) -> dict:
    """What the record keeps of a report's numbers: each KPI's value and the data kinds it came from."""
    return {"period": [kpis.period.start.isoformat(), kpis.period.end.isoformat()],
            "figures": {k: _float(kpis.values[k]) for k in KPI_IDS},
            "sources": {k: sorted({s.split(".")[0] for s in kpis.sources[k]}) for k in KPI_IDS if kpis.sources.get(k)}}


def _float(value: Number) -> float | None:
    return None if value is None else float(value)


def shown(kpi: str, value: float | None, currency: str) -> str:
    """The figure as a page shows it (in English): what decides whether it changed."""
    return _english(currency).kpi(kpi, value)


@cache
def _english(currency: str) -> Formatter:
    return Formatter("en", currency)


def changed_files(old: dict, new: dict) -> dict[str, str | None]:
    """The data files added, removed or changed between two records' files: name -> kind."""
    return {name: (new.get(name) or {}).get("kind") or (old.get(name) or {}).get("kind")
            for name in sorted(old.keys() | new.keys())
            if (old.get(name) or {}).get("hash") != (new.get(name) or {}).get("hash")}


def _blamed(changed: dict[str, str | None], kinds: list[str]) -> list[str]:
    """The changed files of the figure's kinds; all changed files when none is of them (or its kinds are not
    known)."""
    named = [name for name, kind in changed.items() if kind in kinds]
    return named or list(changed)


def updated_entry(previous: dict | None, numbers: dict, key: str | None, changed: dict[str, str | None], today: str,
                  currency: str) -> tuple[dict, list[dict]]:
    """A report's entry after this build, and the changes this build found (none without a previous entry)."""
    figures, sources, period = numbers["figures"], numbers["sources"], numbers.get("period")
    # a new report, or the same file now of another period: its figures are not a restatement of the old ones
    if previous is None or previous.get("period") not in (None, period):
        return {"published": today, "key": key, "period": period, "figures": figures, "sources": sources,
                "changes": []}, []
    if key is not None and previous["key"] == key:  # the very numbers it was made from: nothing to compare
        return previous, []
    old_figures = previous["figures"]
    changes = {c["kpi"]: c for c in previous["changes"]}
    kept, found = {}, []
    for kpi, new in figures.items():
        old = old_figures.get(kpi, new)  # a KPI the record does not know (newer sitegen): not a change
        if shown(kpi, old, currency) == shown(kpi, new, currency):
            kept[kpi] = old
            continue
        kinds = sources.get(kpi) or previous["sources"].get(kpi) or []
        changes[kpi] = {"kpi": kpi, "old": old, "new": new, "files": _blamed(changed, kinds), "on": today}
        found.append(changes[kpi])
        kept[kpi] = new
    order = {kpi: i for i, kpi in enumerate(KPI_IDS)}
    return {"published": previous["published"], "key": key, "period": period, "figures": kept, "sources": sources,
            "changes": sorted(changes.values(), key=lambda c: order.get(c["kpi"], len(order)))}, found


def updated_record(previous: dict | None, reports: list[tuple[str, str | None, dict]], files: dict, today: str,
                   currency: str) -> tuple[dict, list[tuple[str, dict]]]:
    """The client's record after this build (reports: slug, numbers key, `report_figures`), and the changes it
    found, by report slug."""
    changed = changed_files(previous["files"], files) if previous is not None else {}
    entries, found = {}, []
    for slug, key, numbers in reports:
        old = previous["reports"].get(slug) if previous is not None else None
        entries[slug], fresh = updated_entry(old, numbers, key, changed, today, currency)
        found.extend((slug, change) for change in fresh)
    return {"version": 1, "files": files, "reports": entries}, found


def latest(entries: dict[str, dict]) -> tuple[str | None, list[tuple[str, dict]]]:
    """The last date figures changed on, and the changes of that date by report slug (what a client's page
    lists as changed since the last publish)."""
    day = max((c["on"] for e in entries.values() for c in e["changes"]), default=None)
    return day, [(slug, c) for slug, e in entries.items() for c in e["changes"] if c["on"] == day]
