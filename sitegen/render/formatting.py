"""Numbers, money, percentages and dates in the reader's locale (Babel). None is shown as "–".

Numbers go through `number_format.NumberFormat` (Babel's digits, its lookups done once per locale and pattern),
and the text of a date is remembered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, parse_pattern

from sitegen.i18n import _
from sitegen.metrics.catalogue import KPIS
from sitegen.render.number_format import REMEMBERED, NumberFormat

NA = "–"


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


@cache
def decimal_format(locale: str, digits: int) -> NumberFormat:
    """format_decimal(value, format="#,##0.00…", locale=locale)."""
    return NumberFormat(parse_pattern("#,##0" + ("." + "0" * digits if digits else "")), _locale(locale))


@cache
def currency_format(locale: str, currency: str) -> NumberFormat:
    """format_currency(value, currency, locale=locale)."""
    return NumberFormat(_locale(locale).currency_formats["standard"], _locale(locale), currency)


@cache
def percent_format(locale: str, digits: int) -> NumberFormat:
    """format_percent(value, format=_percent_pattern(locale, digits), locale=locale)."""
    return NumberFormat(parse_pattern(_percent_pattern(locale, digits)), _locale(locale))


@cache
def _dates(locale: str, style: str) -> dict[date, str]:
    return {}


def format_day(value: date, locale: str, style: str = "medium") -> str:
    """format_date(value, format=style, locale=locale), remembered for plain dates."""
    if type(value) is not date:
        return format_date(value, format=style, locale=locale)
    known = _dates(locale, style)
    text = known.get(value)
    if text is None:
        text = format_date(value, format=style, locale=locale)
        if len(known) < REMEMBERED:
            known[value] = text
    return text


@dataclass(frozen=True)
class Formatter:
    locale: str
    currency: str

    def __post_init__(self):  # the NumberFormat of 0 to 3 decimals (not a field: Formatters compare as before)
        object.__setattr__(self, "_decimals", [decimal_format(self.locale, d) for d in range(4)])

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return NA
        return (self._decimals[digits] if 0 <= digits < 4 else decimal_format(self.locale, digits))(value)

    def exact(self, value: float) -> str:
        """A number with every decimal it was written with (an exchange rate: 161.2, 0.0000613)."""
        return format_decimal(Decimal(repr(value)), locale=self.locale, decimal_quantization=False)

    def money(self, value: float | None) -> str:
        return NA if value is None else currency_format(self.locale, self.currency)(value)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return NA
        return percent_format(self.locale, digits)(value)

    def multiple(self, value: float | None) -> str:
        return NA if value is None else self.number(value, 2) + "×"

    def date(self, value: date | None, style: str = "medium") -> str:
        return NA if value is None else format_day(value, self.locale, style)

    def kpi(self, kpi: str, value: float | None) -> str:
        unit = KPIS[kpi].unit
        if unit == "money":
            return self.money(value)
        if unit == "percent":
            return self.percent(value, 2 if value is not None and abs(value) < 0.1 else 1)
        if unit == "multiple":
            return self.multiple(value)
        if unit in ("minutes", "decimal"):
            return self.number(value, 1)
        return self.number(value)

    def points(self, value: float | None) -> str:
        """A difference of two rates in percentage points: +1.2 pp."""
        if value is None:
            return NA
        sign = "+" if value > 0 else ""
        points = _("pp")  # percentage points
        if shown_as_zero(value):
            sign, value = "", 0.0  # not "-0.0 pp"
        return f"{sign}{self.number(value * 100, 1)}\xa0{points}"

    def change(self, value: float | None) -> str:
        if value is None:
            return NA
        if shown_as_zero(value):
            return self.percent(0.0, 1)  # not "+0.0 %" or "-0.0 %"
        return ("+" if value > 0 else "") + self.percent(value, 1)


def shown_as_zero(change: float) -> bool:
    """Does a change (a share, or a difference of rates) show as 0.0 % or 0.0 pp? Then it has no direction."""
    return round(change * 100, 1) == 0


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    """The locale's own percent pattern (5,8 % in German, 5.8% in English) with `digits` decimals."""
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    return re.sub(r"0(?=[^0]*$)", "0." + "0" * digits if digits else "0", pattern, count=1)
