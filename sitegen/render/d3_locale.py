"""The client's number and date conventions as d3 locales (from Babel's data), for the charts' axes and
tooltips, so that charts and pages write 1.234,56 € alike."""

from __future__ import annotations

import json
import re
from functools import cache

from babel import Locale
from babel.numbers import get_currency_symbol


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


def short_date_format(lang: str) -> str:
    """Day and short month as the language writes them (Oct 1, 1. Okt.), for date axes."""
    return d3_pattern(Locale.parse(lang).datetime_skeletons["MMMd"].pattern)


@cache
def short_number_expr(lang: str, value: str = "datum.value") -> str:
    """A Vega expression writing `value` in the language's short form (1.5K, 1,2 Mio.), from CLDR's compact
    patterns; a magnitude the language does not shorten (German thousands) is written in full. Vega's `format`
    uses the chart's d3 locale, so decimal marks follow the report."""
    patterns = Locale.parse(lang).compact_decimal_formats["short"]["other"]
    expr = f"format({value}, ',~g')"
    for power in (3, 6, 9, 12):
        affix = re.sub(r"'([^']*)'", r"\1", patterns[str(10 ** power)].pattern)
        prefix, suffix = re.match(r"([^0]*)0+(.*)", affix).groups()
        if not prefix and not suffix:
            continue
        prefix, suffix = (json.dumps(text, ensure_ascii=False) for text in (prefix, suffix))
        expr = f"abs({value}) >= 1e{power} ? {prefix} + format({value} / 1e{power}, ',.1~f') + {suffix} : {expr}"
    return f"({expr})"
