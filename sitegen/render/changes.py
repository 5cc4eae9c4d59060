"""Published figures that changed (render.published), as pages, kpis.json and `build --explain` show them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from babel.numbers import get_currency_precision

from sitegen.i18n import _
from sitegen.metrics.catalogue import KPIS
from sitegen.render.formatting import Formatter
from sitegen.render.published import latest


def _day(fmt: Formatter, iso: str) -> str:
    return fmt.date(date.fromisoformat(iso))


def change_view(fmt: Formatter, change: dict) -> dict:
    """One change in the reader's language: figure, old and new value as shown, the data files, the date."""
    kpi = change["kpi"]
    return {"kpi": kpi, "label": _(KPIS[kpi].label) if kpi in KPIS else kpi, "old": fmt.kpi(kpi, change["old"]),
            "new": fmt.kpi(kpi, change["new"]), "files": list(change["files"]), "on": _day(fmt, change["on"])}


def report_note(fmt: Formatter, entry: dict | None) -> dict | None:
    """The note a report whose figures changed after it was published shows in its header (None: none did)."""
    if not entry or not entry["changes"]:
        return None
    return {"published": _day(fmt, entry["published"]), "changes": [change_view(fmt, c) for c in entry["changes"]]}


def client_changes(fmt: Formatter, entries: dict[str, dict], reports: dict[str, str],
                   folder: Callable[[str], str] = str) -> dict | None:
    """What a client's page lists as changed since the last publish: the changes found on the last date figures
    changed, by report (`reports`: slug -> title, in the page's order; `folder`: a report's folder by slug). None
    when nothing changed."""
    day, changes = latest({slug: entries[slug] for slug in reports if slug in entries})
    if day is None:
        return None
    rows = [{"report": reports[slug], "url": f"{folder(slug)}/index.html", **change_view(fmt, c)}
            for slug, c in changes]
    return {"on": _day(fmt, day), "changes": rows}


def json_changes(entry: dict | None) -> list[dict]:
    """A report's changes for its kpis.json: figure, old and new value, data files, date found."""
    return [dict(c) for c in entry["changes"]] if entry else []


def explain_line(client: str, report: str, change: dict, currency: str) -> str:
    """`acme/2026-10: revenue 1,234.00 -> 1,301.50 (ads-2026-10.csv changed)`, for `build --explain`."""
    def text(value: float | None) -> str:
        fmt = Formatter("en", currency)
        if value is None:
            return "n/a"
        if KPIS[change["kpi"]].unit == "money":  # without the currency sign
            return fmt.number(value, get_currency_precision(currency))
        return fmt.kpi(change["kpi"], value)

    files = change["files"]
    why = f"{', '.join(files)} changed" if files else "no data file changed"
    return f"{client}/{report}: {change['kpi']} {text(change['old'])} -> {text(change['new'])} ({why})"
