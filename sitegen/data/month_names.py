"""Dates that spell their month, in any language CLDR knows: "February 28", "8 de marzo", "28. Februar",
"28 févr.", "2月28日", "February 28, 2026", "28 de febrero de 2026".

The month names are Babel's (wide and abbreviated, format and stand-alone, every locale), looked up by their
casefolded form without dots. A name that languages give to different months ("listopad" is November in Czech
and Polish, October in Croatian) is decided by the file: the languages that know all of its month names; then
by the client's language; then by English (TikTok's default); else the month most languages give it, with a
warning."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from babel import Locale, localedata
from babel.dates import get_month_names

# words that join a day, a month and a year ("8 de marzo de 2026", "le 8 mars"), or mark the year ("2026 г.")
FILLERS = frozenset({"de", "del", "di", "of", "the", "le", "el", "am", "den", "г", "r"})
_TIME = re.compile(r"^(.*?)(?:[,\s]+|T)(\d{1,2}:\d{2}(?::\d{2})?)$")
_TOKEN = re.compile(r"\d+[年년]|\d+(?:st|nd|rd|th|er|[日일号號])?(?![^\W\d_])|[^\s\d]+|\d+[^\s\d]+")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|[日일号號])?$")
_YEAR = re.compile(r"^(\d{4})[年년]?$")


def name_key(text: str) -> str:
    """A month name as it is looked up: casefolded, without dots and commas, single spaces."""
    return " ".join(text.casefold().replace(".", " ").replace(",", " ").split())


@cache
def month_names() -> dict[str, dict[int, frozenset[str]]]:
    """Month name key -> month -> the languages that give the name to that month (built once, on first use:
    reading every CLDR locale takes about a second)."""
    found: dict[str, dict[int, set[str]]] = {}
    for identifier in localedata.locale_identifiers():
        try:
            locale = Locale.parse(identifier)
        except (ValueError, LookupError):
            continue
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale).items():
                    key = name_key(name)
                    if any(c.isalpha() for c in key):  # a bare number is no name
                        found.setdefault(key, {}).setdefault(month, set()).add(locale.language)
    return {k: {m: frozenset(v) for m, v in months.items()} for k, months in found.items()}


@dataclass(frozen=True)
class Spelled:
    """A cell read as a date with a month name: the name's key, day, year (None: not written) and time."""

    name: str
    day: int
    year: int | None
    time: str  # "" or "14:05" / "14:05:00"


def read_spelled(text: str) -> Spelled | None:
    """The parts of a date written with a month name, or None when the cell is not one: exactly one day, at
    most one year, a month name (words that are not fillers, together), an optional time at the end."""
    text = text.strip()
    if not text or not any(c.isalpha() for c in text):
        return None
    time = ""
    match = _TIME.match(text)
    if match:
        text, time = match[1], match[2]
    days, years, words = [], [], []
    for token in _TOKEN.findall(name_key(text)):
        if day := _DAY.match(token):
            days.append(int(day[1]))
        elif year := _YEAR.match(token):
            years.append(int(year[1]))
        elif token not in FILLERS:
            words.append(token)
    if len(days) != 1 or len(years) > 1 or not words:
        return None
    name = " ".join(words)
    if name not in month_names():
        return None
    return Spelled(name, days[0], years[0] if years else None, time)


def resolve_months(names: set[str], language: str = "en") -> tuple[dict[str, int], list[str]]:
    """(each month name's month, guesses to warn about) for the month names of one file."""
    table = month_names()
    common: set[str] | None = None
    for name in names:
        languages = set().union(*table[name].values())
        common = languages if common is None else common & languages
    months, guesses = {}, []
    for name in sorted(names):
        options = table[name]
        fits = [m for m, langs in options.items() if langs & (common or set())] or list(options)
        if len(fits) == 1:
            months[name] = fits[0]
            continue
        preferred = [m for m in fits if language in options[m]] or [m for m in fits if "en" in options[m]]
        if len(preferred) == 1:
            months[name] = preferred[0]
            continue
        counts = Counter({m: len(options[m]) for m in fits})
        months[name] = counts.most_common(1)[0][0]
        guesses.append(f"the month name {name!r} means different months in different languages; read as month "
                       f"{months[name]} (the most common meaning)")
    return months, guesses
