"""Stage 4: read report files: YAML front matter (title, period, comparison, sections) and the
markdown commentary, split into its lead paragraph and the rest. The macros in the text are
expanded later, when the page is rendered with the report's numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from sitegen.catalogue import KPI_IDS, SECTIONS
from sitegen.errors import Diagnostics, SitegenError
from sitegen.periods import Period, comparison_period, month

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
KNOWN_KEYS = {"title", "period", "comparison", "sections", "client", "slug", "summary_kpis", "targets", "draft"}


@dataclass(frozen=True)
class Commentary:
    path: Path
    title: str
    period: Period
    comparison: Period | None
    sections: tuple[str, ...] | None  # None: the site's default
    client: str | None
    slug: str | None
    summary_kpis: tuple[str, ...] | None
    targets: dict[str, float]
    draft: bool
    lead: str  # markdown source of the first paragraph
    lead_line: int  # file line where the lead starts
    body: str  # markdown source of the rest
    body_line: int


def read_commentary(path: Path, default_comparison: str, diagnostics: Diagnostics) -> Commentary:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SitegenError(f"not UTF-8 text ({exc.reason})", path) from None
    meta, body_start = front_matter(text, path)
    lines = {key: _key_line(text, key) for key in meta}
    for key in sorted(set(meta) - KNOWN_KEYS):
        diagnostics.warn(f"unknown front matter key {key!r} (ignored)", path, lines[key])

    def fail(key: str, message: str):
        return SitegenError(f"front matter {key}: {message}", path, lines.get(key, 1))

    period = _period(meta.get("period"), path, fail)
    comparison = _comparison(meta.get("comparison", default_comparison), period, fail)
    sections = meta.get("sections")
    if sections is not None:
        if not isinstance(sections, list) or any(s not in SECTIONS for s in sections):
            raise fail("sections", f"expected a list of {', '.join(SECTIONS)}; found {sections!r}")
        sections = tuple(sections)
    summary = meta.get("summary_kpis")
    if summary is not None:
        if not isinstance(summary, list) or any(k not in KPI_IDS for k in summary):
            raise fail("summary_kpis", f"expected a list of KPI ids; found {summary!r}")
        summary = tuple(summary)
    targets = meta.get("targets", {})
    if not isinstance(targets, dict) or any(k not in KPI_IDS or not _is_number(v) for k, v in targets.items()):
        raise fail("targets", "expected KPI ids with numbers, like {roi: 2.0}")
    lead, lead_line, rest, rest_line = split_lead(text, body_start)
    title = meta.get("title")
    return Commentary(
        path=path, title=str(title) if title is not None else _default_title(period),
        period=period, comparison=comparison, sections=sections,
        client=str(meta["client"]) if meta.get("client") is not None else None,
        slug=str(meta["slug"]) if meta.get("slug") is not None else None,
        summary_kpis=summary, targets={k: float(v) for k, v in targets.items()},
        draft=bool(meta.get("draft", False)), lead=lead, lead_line=lead_line, body=rest, body_line=rest_line)


def front_matter(text: str, path: Path) -> tuple[dict[str, Any], int]:
    """(front matter mapping, index of the first body line)."""
    match = _FRONT.match(text)
    if not match:
        return {}, 0
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or (mark.line >= match.group(1).count("\n") and getattr(exc, "context_mark", None)):
            mark = getattr(exc, "context_mark", None) or mark  # an unclosed bracket: where it opened
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SitegenError(f"invalid front matter (YAML): {problem}", path, line) from None
    if not isinstance(meta, dict):
        raise SitegenError("front matter must be key: value lines", path, 2)
    return {str(k): v for k, v in meta.items()}, match.group(0).count("\n")


def _key_line(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_date(value, fail, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(key, f"found {value!r}, expected a date like 2026-10-31") from None


def _period(value, path: Path, fail) -> Period:
    if value is None:
        match = _MONTH.match(path.stem)
        if not match:
            raise fail("period", "missing; expected a month like 2026-10 or {start: ..., end: ...}")
        value = path.stem
    if isinstance(value, dict):
        start = _as_date(value.get("start"), fail, "period")
        end = _as_date(value.get("end"), fail, "period")
        if end < start:
            raise fail("period", f"ends ({end}) before it starts ({start})")
        return Period(start, end)
    match = _MONTH.match(str(value))
    if not match or not 1 <= int(match[2]) <= 12:
        raise fail("period", f"found {str(value)!r}, expected a month like 2026-10 or {{start: ..., end: ...}}")
    return month(int(match[1]), int(match[2]))


def _comparison(value, period: Period, fail) -> Period | None:
    if isinstance(value, dict):
        return _period(value, Path("x"), fail)
    if value not in ("previous", "previous_year", "none", None, False):
        raise fail("comparison", f"found {value!r}, expected previous, previous_year, none or {{start:, end:}}")
    return comparison_period(period, "none" if value in (None, False) else value)


def _default_title(period: Period) -> str:
    if period.is_month:
        return period.start.strftime("%Y-%m")
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def split_lead(text: str, start: int) -> tuple[str, int, str, int]:
    """The first paragraph (unless it is a heading or a macro block) and the rest, with line numbers."""
    lines = text.splitlines()
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].lstrip().startswith(("#", "{{", "{%", "<", "|", "-", "*", ">")):
        return "", i + 1, "\n".join(lines[start:]), start + 1
    j = i
    while j < len(lines) and lines[j].strip():
        j += 1
    return "\n".join(lines[i:j]), i + 1, "\n".join(lines[j:]), j + 1
