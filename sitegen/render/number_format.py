"""`NumberFormat(pattern, locale, currency)(value)` is exactly Babel's
`pattern.apply(value, locale, currency=currency)`, faster: the lookups that do not depend on the number (the
locale's symbols, the pattern's parts) are done once, a float is rounded in integers where Decimal's context
would not round differently, and the text of a float is remembered. A report formats several hundred numbers.
tests/test_formatting.py compares the two on random numbers, patterns, locales and currencies.
"""

from __future__ import annotations

import decimal
import math

from babel import Locale
from babel.numbers import (
    NumberPattern,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

REMEMBERED = 100_000  # texts a NumberFormat (or a date style) remembers (a few MB at most)


class NumberFormat:
    """`NumberPattern.apply(value, locale, currency=currency)` with the lookups done once.

    Babel's own code formats what the fast path does not take: anything but a finite int or float,
    scientific and significant-digit patterns, long currency names, patterns or symbols with quotes.
    """

    def __init__(self, pattern: NumberPattern, locale: Locale, currency: str | None = None):
        self.pattern, self.locale, self.currency = pattern, locale, currency
        self.scale = pattern.scale
        frac = (get_currency_precision(currency),) * 2 if currency else pattern.frac_prec
        self.frac_min, self.frac_max = frac
        self.quantum = decimal.Decimal(10) ** (-frac[1])  # babel's get_decimal_quantum
        self.int_min = pattern.int_prec[0]
        self.group_first, self.group_rest = pattern.grouping
        self.group, self.decimal = get_group_symbol(locale), get_decimal_symbol(locale)
        affixes = [pattern.prefix[0], pattern.prefix[1], pattern.suffix[0], pattern.suffix[1]]
        if currency is not None:
            affixes = [a.replace("¤¤", currency.upper()).replace("¤", get_currency_symbol(currency, locale))
                       if "¤" in a else a for a in affixes]
        self.prefix, self.suffix = affixes[:2], affixes[2:]
        self.show_number = pattern.number_pattern != ""
        self.fast = (pattern.exp_prec is None and "@" not in pattern.pattern
                     and not any("¤¤¤" in a for a in (*pattern.prefix, *pattern.suffix))
                     and not any("'" in a for a in (*affixes, self.group, self.decimal)))
        self.remembered: dict[float, str] = {}

    def __call__(self, value) -> str:
        if type(value) is float and value:  # not 0.0: -0.0 == 0.0 but is written "-0"
            text = self.remembered.get(value)
            if text is None:
                text = self._format(value)
                if len(self.remembered) < REMEMBERED:
                    self.remembered[value] = text
            return text
        return self._format(value)

    def _format(self, value) -> str:
        kind = type(value)
        if not self.fast or not (kind is int or (kind is float and math.isfinite(value))):
            return self.pattern.apply(value, self.locale, currency=self.currency)
        parts = self._rounded(value)
        if parts is None:
            parts = self._rounded_decimal(value)
        negative, whole, fraction = parts
        # _format_int
        if len(whole) < self.int_min:
            whole = "0" * (self.int_min - len(whole)) + whole
        size = self.group_first
        if len(whole) > size:
            groups = ""
            while len(whole) > size:
                groups = self.group + whole[-size:] + groups
                whole = whole[:-size]
                size = self.group_rest
            whole += groups
        # _format_frac
        fraction = fraction or "0"
        low, high = self.frac_min, self.frac_max
        if len(fraction) < low:
            fraction += "0" * (low - len(fraction))
        if high == 0 or (low == 0 and int(fraction) == 0):
            fraction = ""
        else:
            while len(fraction) > low and fraction[-1] == "0":
                fraction = fraction[:-1]
            fraction = self.decimal + fraction
        return self.prefix[negative] + (whole + fraction if self.show_number else "") + self.suffix[negative]

    def _rounded_decimal(self, value) -> tuple[bool, str, str]:
        """Sign, whole and fraction digits of the value rounded as NumberPattern.apply rounds it."""
        number = decimal.Decimal(str(value))
        if self.scale:
            number = number.scaleb(self.scale)
        rounded = abs(number).normalize().quantize(self.quantum)
        whole, _, fraction = f"{rounded:f}".partition(".")
        return number.is_signed(), whole, fraction

    def _rounded(self, value) -> tuple[bool, str, str] | None:
        """`_rounded_decimal` in integers: the shortest decimal text of the number (what Decimal(str(value))
        reads), scaled and rounded half to even at the pattern's decimals. None where Decimal's context
        would round or refuse (more than 17 digits in, 28 out)."""
        text = str(value)
        negative = text[0] == "-"
        if negative:
            text = text[1:]
        mantissa, _, exponent = text.partition("e")
        whole, _, fraction = mantissa.partition(".")
        places = self.frac_max
        # nothing to round (290.01 as money, 12.0 as a count): the digits as they are
        if not exponent and not self.scale and len(whole) <= 17 and (len(fraction) <= places or fraction == "0"):
            return negative, whole, fraction.ljust(places, "0")[:places] if places else ""
        digits = (whole + fraction).lstrip("0")
        if len(digits) > 17:
            return None
        digits = int(digits or "0")
        drop = len(fraction) - (int(exponent) if exponent else 0) - self.scale - places  # digits to round off
        if drop <= 0:
            kept = digits * 10 ** -drop
        else:
            unit = 10 ** drop
            kept, rest = divmod(digits, unit)
            if 2 * rest > unit or (2 * rest == unit and kept & 1):
                kept += 1
        text = str(kept)
        if len(text) > 28:
            return None
        if not places:
            return negative, text, ""
        if len(text) <= places:
            text = "0" * (places - len(text) + 1) + text
        return negative, text[:-places], text[-places:]

