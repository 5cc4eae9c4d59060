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
    """amount × multiply / divide for each row, rounded half up to `digits` decimals. Computed in decimal on each
    number's shortest repr (what was written: 1234.56, 1.07), once per distinct (amount, multiply, divide)."""
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
