"""Report periods: calendar days, inclusive at both ends."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
DAY_NS = 86_400_000_000_000  # a day in nanoseconds, the unit of the data's timestamps


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_month(self) -> bool:
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        return self.start.day == 1 and self.end == self.start.replace(day=last)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def month(year: int, month_: int) -> Period:
    return Period(date(year, month_, 1), date(year, month_, calendar.monthrange(year, month_)[1]))


def comparison_period(period: Period, mode: str) -> Period | None:
    """The period to compare with.

    `previous`: the preceding period of equal length; for a calendar month that is the
    previous calendar month (what readers of a monthly report expect), otherwise the same
    number of days just before. `previous_year`: the same days one year earlier. `none`: none.
    """
    if mode == "none":
        return None
    if mode == "previous_year":
        return Period(_minus_year(period.start), _minus_year(period.end))
    if period.is_month:
        prev_last = period.start - timedelta(days=1)
        return month(prev_last.year, prev_last.month)
    return Period(period.start - timedelta(days=period.days), period.start - timedelta(days=1))


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@functools.lru_cache(maxsize=4096)
def period_bounds(period: Period) -> tuple[int, int]:
    """[start, end) of the period in int64 nanoseconds."""
    limit = 2**63 - 1  # (kept inside int64 for any date)
    start = (period.start.toordinal() - EPOCH_ORDINAL) * DAY_NS
    end = (period.end.toordinal() + 1 - EPOCH_ORDINAL) * DAY_NS
    return max(-limit, min(start, limit)), max(-limit, min(end, limit))
