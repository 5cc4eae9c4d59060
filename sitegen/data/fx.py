"""Exchange rates (`[fx]` in sitegen.toml or client.toml, or the rates file it names), and the rates that
converted a client's amounts (converting is `exchange`'s; this module imports no numpy: a build that
finds nothing changed reads the settings without it).

A rate says how many units of a currency one unit of the base currency buys from its day on: base EUR, USD 1.07
on 2026-10-01 is 1 EUR = 1.07 USD. A row's amount in currency X is converted with the rate in force on the row's
day (the latest one dated on or before it): amount × rate(client's currency) / rate(X), where the base's own rate
is 1. Each converted amount is rounded to the client's currency's minor unit (cents; yen have none), half up, as
decimal arithmetic on the amounts and rates as written rounds it, so that a converted amount is right to the cent
and a total is the sum of its converted rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Rate:
    currency: str
    day: date  # in force from this day until the currency's next rate
    rate: float  # units of `currency` one unit of the base buys


@dataclass(frozen=True)
class ExchangeRates:
    base: str | None  # None: the client's currency
    rates: tuple[Rate, ...]  # sorted by currency and day
    source: str = "[fx]"  # where they are set, for messages ("[fx] in client.toml")


@dataclass(frozen=True)
class RateUsed:
    """A rate that converted amounts, and the days of the rows it converted (for the report's statement)."""

    base: str
    currency: str
    day: date
    rate: float
    days: tuple[date, ...]  # sorted

    def in_period(self, start: date, end: date) -> bool:
        return any(start <= d <= end for d in self.days)


def merged_rates(used: list[RateUsed]) -> list[RateUsed]:
    """The rates of several kinds' tables, each once (with the days of all the rows it converted), in order."""
    days: dict[tuple[str, str, date, float], set[date]] = {}
    for r in used:
        days.setdefault((r.base, r.currency, r.day, r.rate), set()).update(r.days)
    return [RateUsed(*key, tuple(sorted(d))) for key, d in sorted(days.items(), key=lambda kv: kv[0][1:3])]
