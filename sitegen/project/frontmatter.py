"""Report files: YAML front matter (title, period, comparison, sections) and the
markdown commentary, split into its lead paragraph and the rest. The macros in the text are
expanded later, when the page is rendered with the report's numbers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from sitegen.errors import Diagnostics, SitegenError
from sitegen.metrics.catalogue import KPI_IDS, SECTIONS
from sitegen.metrics.periods import Period, comparison_period, month

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_VALUES = 10_000  # values front matter may hold once YAML aliases are expanded (no "billion laughs")
FIRST_YEAR, LAST_YEAR = 1678, 2261  # the years data can have (pandas' nanosecond timestamps), whole years
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
        if not isinstance(sections, list) or any(not isinstance(s, str) or s not in SECTIONS for s in sections):
            raise fail("sections", f"expected a list of {', '.join(SECTIONS)}; found {_short(sections)}")
        sections = tuple(sections)
    summary = meta.get("summary_kpis")
    if summary is not None:
        if not isinstance(summary, list) or any(not isinstance(k, str) or k not in KPI_IDS for k in summary):
            raise fail("summary_kpis", f"expected a list of KPI ids; found {_short(summary)}")
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
        draft=_flag(meta, "draft", fail), lead=lead, lead_line=lead_line, body=rest, body_line=rest_line)


_FLAGS = {"true": True, "yes": True, "false": False, "no": False}


def _flag(meta: dict[str, Any], key: str, fail) -> bool:
    """A true/false key: a YAML boolean, or one written as text ("false", "yes"); anything else is an error
    (the text "false" is not true)."""
    value = meta.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise fail(key, f"found {_short(value)}, expected true or false")


_TAG_WORDS = {"timestamp": "date", "int": "whole number", "float": "number", "bool": "true or false"}


class _Checked:
    """PyYAML's safe loader, with the errors of its value constructors (2026-02-30, `!!bool x`, an integer
    of 5000 digits: ValueError, KeyError, ...) turned into YAML errors that point at the value."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            found = node.value if isinstance(node, yaml.ScalarNode) else node.id
            kind = node.tag.rsplit(":", 1)[-1]
            kind = _TAG_WORDS.get(kind, kind)
            why = str(exc).strip().splitlines()[0] if isinstance(exc, ValueError | OverflowError) and str(exc) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"found {_short(found)}, not a valid {kind}" + (f" ({why})" if why else ""),
                node.start_mark) from None


class _Loader(_Checked, yaml.SafeLoader):
    pass


# libyaml's parser, where PyYAML has it: much faster, which counts with thousands of reports to discover; the pure
# Python one reads front matter libyaml refuses, so that the error message is always the same
_FastLoader = type("_FastLoader", (_Checked, yaml.CSafeLoader), {}) if yaml.__with_libyaml__ else None


def _load(text: str):
    if _FastLoader is not None:
        try:
            meta = yaml.load(text, _FastLoader)
        except yaml.YAMLError:
            pass
        else:  # (libyaml nests without limit; PyYAML runs out of stack, which front_matter reports)
            if not _nested_deeper(meta, 50):
                return meta
    return yaml.load(text, _Loader)


def _nested_deeper(value, limit: int) -> bool:
    level, seen = [value], set()  # (aliases share values: each is looked into once)
    for _ in range(limit):
        containers = [v for v in level if isinstance(v, dict | list) and id(v) not in seen]
        seen.update(id(v) for v in containers)
        level = [v for c in containers for v in (c.values() if isinstance(c, dict) else c)]
        if not level:
            return False
    return True


def front_matter(text: str, path: Path) -> tuple[dict[str, Any], int]:
    """(front matter mapping, index of the first body line)."""
    match = _FRONT.match(text)
    if not match:
        return {}, 0
    try:
        meta = _load(match.group(1)) or {}
    except RecursionError:
        raise SitegenError("invalid front matter (YAML): nested too deeply", path, 2) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or (mark.line >= match.group(1).count("\n") and getattr(exc, "context_mark", None)):
            mark = getattr(exc, "context_mark", None) or mark  # an unclosed bracket: where it opened
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SitegenError(f"invalid front matter (YAML): {problem}", path, line) from None
    if not isinstance(meta, dict):
        raise SitegenError("front matter must be key: value lines", path, 2)
    _check_size(meta, path)
    return {str(k): v for k, v in meta.items()}, match.group(0).count("\n")


def _check_size(meta: dict, path: Path) -> None:
    """Refuse front matter whose aliases expand to a huge (or, referring to itself, endless) structure."""
    stack: list[Any] = [meta]
    for _ in range(MAX_VALUES):
        if not stack:
            return
        value = stack.pop()
        if isinstance(value, dict):
            stack += [*value, *value.values()]
        elif isinstance(value, list | tuple | set):
            stack += value
    if stack:
        raise SitegenError(f"front matter too large: more than {MAX_VALUES} values once YAML aliases (*name) are "
                           "expanded, or an alias refers to itself", path, 2)


def _key_line(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer with hundreds of digits
        return False


def _as_date(value, fail, key: str) -> date:
    if isinstance(value, datetime):
        raise fail(key, f"found {value.isoformat(sep=' ')}, expected a date without a time like 2026-10-31")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(key, f"found {_short(value)}, expected a date like 2026-10-31") from None


def _period(value, path: Path, fail, key: str = "period") -> Period:
    if value is None:
        match = _MONTH.match(path.stem)
        if not match:
            raise fail(key, "missing; expected a month like 2026-10 or {start: ..., end: ...}")
        value = path.stem
    if isinstance(value, dict):
        start = _as_date(value.get("start"), fail, key)
        end = _as_date(value.get("end"), fail, key)
        if end < start:
            raise fail(key, f"ends ({end}) before it starts ({start})")
        return _in_range(Period(start, end), fail, key)
    match = _MONTH.match(str(value))
    if not match or not 1 <= int(match[2]) <= 12:
        raise fail(key, f"found {_short(str(value))}, expected a month like 2026-10 or {{start: ..., end: ...}}")
    if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise fail(key, f"found {_short(str(value))}, expected a month in the years {FIRST_YEAR} to {LAST_YEAR}")
    return month(int(match[1]), int(match[2]))


def _in_range(period: Period, fail, key: str) -> Period:
    if period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
        raise fail(key, f"{period.start} to {period.end} is outside the years {FIRST_YEAR} to {LAST_YEAR} "
                        "(the dates data can have)")
    return period


def _comparison(value, period: Period, fail) -> Period | None:
    if isinstance(value, dict):
        return _period(value, Path("x"), fail, "comparison")
    if value not in ("previous", "previous_year", "none", None, False):
        raise fail("comparison", f"found {_short(value)}, expected previous, previous_year, none or {{start:, end:}}")
    compared = comparison_period(period, "none" if value in (None, False) else value)
    return compared and _in_range(compared, fail, "comparison")


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
