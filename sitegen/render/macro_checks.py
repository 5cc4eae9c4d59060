"""The commentary macros' names and arguments, checked as a report page checks them; and commentary checked
that way without data or rendering (`sitegen check`), with the build's messages, files and lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.metrics.catalogue import KPIS
from sitegen.project.frontmatter import Commentary
from sitegen.render.charts import CHART_KINDS
from sitegen.render.intro import intro_source
from sitegen.render.markup import MacroError, render_commentary
from sitegen.render.tables import TABLE_KINDS


def known(name, names, what: str) -> None:
    if name not in names:
        raise MacroError(f"unknown {what} {name!r}; known: {', '.join(sorted(names))}")


def check_kpi(name) -> None:
    known(name, KPIS, "KPI")


def check_chart(name) -> None:
    known(name, CHART_KINDS, "chart")


def check_table(name, limit=None) -> None:
    known(name, {**TABLE_KINDS, "alerts": None}, "table")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise MacroError(f"table limit must be a whole number >= 1, got {limit!r}")


# a report page's macros (report_page.PageContext.macros), by what they accept
CHECKS: dict[str, Callable[..., None]] = {"kpi": check_kpi, "delta": check_kpi, "chart": check_chart,
                                          "table": check_table}


def _silent(check: Callable[..., None]) -> Callable[..., str]:
    def call(*args, **kwargs) -> str:
        check(*args, **kwargs)
        return ""
    return call


def commentary_errors(report: Commentary) -> list[SitegenError]:
    """What rendering the report's lead and body would raise (syntax, unknown macros, bad arguments)."""
    macros = {name: _silent(check) for name, check in CHECKS.items()}
    return _errors([(report.lead, report.path, report.lead_line), (report.body, report.path, report.body_line)],
                   macros)


def intro_errors(index_md: Path) -> list[SitegenError]:
    """What rendering the site's index.md would raise (it has no macros), as build/site.py renders it."""
    try:
        body, line = intro_source(index_md)
    except SitegenError as exc:
        return [exc]
    return _errors([(body, index_md, line)], {})


def _errors(texts: list[tuple[str, Path, int]], macros: dict[str, Callable[..., str]]) -> list[SitegenError]:
    errors = []
    for source, path, line in texts:
        try:
            render_commentary(source, path, line, macros)
        except SitegenError as exc:
            errors.append(exc)
    return errors
