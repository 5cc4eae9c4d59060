"""Amounts converted into the client's currency with exchange rates (`fx`): the rate in force on each row's day,
and each amount rounded half up to the currency's minor unit, in decimal arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache

import numpy as np
from babel.numbers import get_currency_precision

from sitegen.data.fx import ExchangeRates


@cache
def _table(rates: ExchangeRates, currency: str) -> tuple[np.ndarray, np.ndarray]:
    """A currency's (days as datetime64[ns], rates), in day order."""
    mine = [r for r in rates.rates if r.currency == currency]
    return (np.array([np.datetime64(r.day, "ns") for r in mine], dtype="datetime64[ns]"),
            np.array([r.rate for r in mine], dtype=np.float64))


def rate_index(rates: ExchangeRates, currency: str, days: np.ndarray) -> np.ndarray:
    """For each day (datetime64[ns]), the index of the currency's rate in force (`_table`); -1 where it has none
    on or before that day (NaT has none)."""
    known, _ = _table(rates, currency)
    index = np.searchsorted(known, days, side="right") - 1
    index[np.isnat(days)] = -1
    return index


def rate_values(rates: ExchangeRates, currency: str, index: np.ndarray) -> np.ndarray:
    return _table(rates, currency)[1][index]


def minor_digits(currency: str) -> int:
    """Decimals of the currency's minor unit (USD 2, JPY 0, BHD 3), from CLDR."""
    return get_currency_precision(currency)


def convert(amounts: np.ndarray, multiply: np.ndarray, divide: np.ndarray, digits: int) -> np.ndarray:
    """amount × multiply / divide for each row, rounded half up to `digits` decimals: `convert_exactly`'s result.

    In floating point, where the result cannot differ from the exact one: the computed value's error is below
    1e-15 of it (a few roundings of numbers parsed from decimals), so only a value within far more than that of
    a half (n.5 of the minor unit), or too big for float to hold its halves, is computed in decimal."""
    scale = 10.0 ** digits
    scaled = amounts * multiply / divide * scale
    size = np.abs(scaled)
    with np.errstate(invalid="ignore"):
        unsure = ~(size < 2.0 ** 50) | (np.abs(size - np.floor(size) - 0.5) <= 1e-9 + 1e-12 * size)
    out = np.sign(scaled) * np.floor(size + 0.5) / scale + 0.0
    if unsure.any():
        out[unsure] = convert_exactly(amounts[unsure], multiply[unsure], divide[unsure], digits)
    return out


def convert_exactly(amounts: np.ndarray, multiply: np.ndarray, divide: np.ndarray, digits: int) -> np.ndarray:
    """`convert` in decimal arithmetic on each number's shortest repr (what was written: 1234.56, 1.07), once per
    distinct (amount, multiply, divide)."""
    if not len(amounts):
        return amounts.astype(np.float64)
    triples, inverse = np.unique(np.column_stack([amounts, multiply, divide]), axis=0, return_inverse=True)
    step = Decimal(1).scaleb(-digits)
    out = np.empty(len(triples), dtype=np.float64)
    with localcontext() as context:
        context.prec = 40
        for i, (amount, times, by) in enumerate(triples.tolist()):
            exact = Decimal(repr(amount)) * Decimal(repr(times)) / Decimal(repr(by))
            out[i] = float(exact.quantize(step, rounding=ROUND_HALF_UP))
    return out[inverse.reshape(-1)] + 0.0
