"""The words sitegen writes, in the client's language: gettext catalogues read with Babel.

Catalogues live in `sitegen/locale/<language>/LC_MESSAGES/messages.po` and are extracted from the
code and the built-in themes with `pybabel extract -F babel.cfg` (see the README). A string with no
translation falls back to English; every such miss is recorded so `--strict` can report it.
Also here: the client's number and date conventions as d3 locales, for the charts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_currency_symbol
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """The message in the language being rendered (see `speaking`), English outside of it."""
    words = _current.get()
    return words.gettext(message) if words else message


@contextmanager
def speaking(lang: str) -> Iterator[Translator]:
    """Render in `lang`: every `_()` inside uses its catalogue."""
    token = _current.set(translator(lang))
    try:
        yield token.var.get()
    finally:
        _current.reset(token)


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


class Translator:
    """gettext for one language that remembers which messages had no translation."""

    def __init__(self, lang: str):
        self.language = lang
        self.missing: set[str] = set()
        self.recorders: list[set[str]] = []
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        self.available = path.is_file() or lang == SOURCE_LANGUAGE
        self.known: set[str] = set()
        self.translations: NullTranslations = NullTranslations()
        self.texts: dict[str, str] = {}  # message -> its translation (a page asks for the same words again and again)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            self.known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                          if m.id and m.string and (m.string if isinstance(m.string, str) else all(m.string))
                          and not m.fuzzy}
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            self.translations = Translations(buffer, domain=DOMAIN)

    def _seen(self, message: str) -> None:
        if self.language != SOURCE_LANGUAGE and message not in self.known:
            self.missing.add(message)
            for seen in self.recorders:
                seen.add(message)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The messages without a translation that are asked for inside the block (a cached page keeps them)."""
        seen: set[str] = set()
        self.recorders.append(seen)
        try:
            yield seen
        finally:
            self.recorders.remove(seen)

    def gettext(self, message: str) -> str:
        text = self.texts.get(message)
        if text is None:
            text = self.texts[message] = self.translations.gettext(message)
        self._seen(message)
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._seen(singular)
        return self.translations.ngettext(singular, plural, n)

    def warnings(self, missing: set[str]) -> list[str]:
        if not self.available:
            return [f"no translations for language {self.language!r}; pages use English"]
        return [f"no {Locale.parse(self.language).english_name} translation for {m!r}; English is used"
                for m in sorted(missing)]


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


_current: ContextVar[Translator | None] = ContextVar("sitegen_language", default=None)


@cache
def d3_format_locale(locale: str, currency: str) -> dict:
    """Decimal mark, grouping, currency and percent sign for d3-format (chart axes and tooltips)."""
    loc = Locale.parse(locale)
    symbols = loc.number_symbols.get("latn", loc.number_symbols)  # Babel >= 2.14 keys symbols by script
    pattern = loc.currency_formats["standard"].pattern.split(";")[0]
    symbol = get_currency_symbol(currency, locale=loc)
    if pattern.startswith("¤"):
        affix = [symbol + ("\u00a0" if pattern[1:2] in ("\u00a0", " ") else ""), ""]
    else:
        affix = ["", pattern[pattern.rfind("0") + 1:].replace("¤", symbol)]
    percent = loc.percent_formats[None].pattern.split(";")[0]
    return {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3], "currency": affix,
            "percent": percent[percent.rfind("0") + 1:] or "%", "minus": symbols.get("minusSign", "-")}


_DATE_FIELDS = {"yyyy": "%Y", "yy": "%y", "y": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m",
                "dd": "%d", "d": "%-d", "EEEE": "%A", "EEE": "%a", "HH": "%H", "H": "%-H", "mm": "%M", "ss": "%S",
                "h": "%-I", "hh": "%I", "a": "%p"}


def d3_pattern(pattern: str) -> str:
    """A CLDR date pattern (dd.MM.yy) as a d3-time-format specifier (%d.%m.%y)."""
    out = []
    for match in re.finditer(r"'([^']*)'|(([A-Za-z])\3*)|(.)", pattern):
        quoted, field, _letter, other = match.groups()
        if quoted is not None:
            out.append(quoted.replace("%", "%%") or "'")
        elif field:
            out.append(_DATE_FIELDS.get(field, ""))
        else:
            out.append(other.replace("%", "%%"))
    return "".join(out)


@cache
def d3_time_locale(locale: str) -> dict:
    """Month and day names and date formats for d3-time-format."""
    loc = Locale.parse(locale)

    def names(table, width: str, order) -> list[str]:
        return [str(table["format"][width][i]) for i in order]

    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    date, time = d3_pattern(loc.date_formats["medium"].pattern), d3_pattern(loc.time_formats["short"].pattern)
    return {"dateTime": f"{date}, {time}", "date": date, "time": time,
            "periods": [str(loc.day_periods["format"]["abbreviated"].get(p, p.upper())) for p in ("am", "pm")],
            "days": names(loc.days, "wide", sunday_first), "shortDays": names(loc.days, "abbreviated", sunday_first),
            "months": names(loc.months, "wide", range(1, 13)),
            "shortMonths": names(loc.months, "abbreviated", range(1, 13))}
