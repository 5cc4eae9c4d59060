"""The two rules every KPI follows: a ratio with a zero or missing denominator is n/a (None), never 0, NaN or
infinity; and a value is a plain float or None."""

from __future__ import annotations

import math

Number = float | None


def ratio(numerator: Number, denominator: Number, scale: float = 1.0) -> Number:
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = numerator / denominator * scale
    return value if math.isfinite(value) else None


def clean(value) -> Number:
    """A plain float; None for NaN, infinity or missing."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
