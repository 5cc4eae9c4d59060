"""Numbers, money, percentages and dates in the reader's locale (Babel). None is shown as "–"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from sitegen.catalogue import KPIS
from sitegen.i18n import _

NA = "–"


@dataclass(frozen=True)
class Formatter:
    locale: str
    currency: str

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return NA
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, value: float | None) -> str:
        return NA if value is None else format_currency(value, self.currency, locale=self.locale)

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return NA
        return format_percent(value, format=_percent_pattern(self.locale, digits), locale=self.locale)

    def multiple(self, value: float | None) -> str:
        return NA if value is None else self.number(value, 2) + "×"

    def date(self, value: date | None, style: str = "medium") -> str:
        return NA if value is None else format_date(value, format=style, locale=self.locale)

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
        if round(value * 100, 1) == 0:
            sign, value = "", 0.0  # not "-0.0 pp"
        return f"{sign}{self.number(value * 100, 1)}\xa0{points}"

    def change(self, value: float | None) -> str:
        if value is None:
            return NA
        if round(value * 100, 1) == 0:
            return self.percent(0.0, 1)  # not "+0.0 %" or "-0.0 %"
        return ("+" if value > 0 else "") + self.percent(value, 1)


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    """The locale's own percent pattern (5,8 % in German, 5.8% in English) with `digits` decimals."""
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    return re.sub(r"0(?=[^0]*$)", "0." + "0" * digits if digits else "0", pattern, count=1)
