"""What a client's settings tell the loader beyond the files themselves: the user's header mapping, the time
zone its days are counted in, per file (or folder) the dates a file does not write, and the currency its amounts
are reported in, with the exchange rates that convert others."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from babel import UnknownLocaleError
from babel.dates import get_date_format

from sitegen.data.fx import ExchangeRates
from sitegen.data.sources import SourceSpec


@dataclass(frozen=True)
class FileDates:
    """Dates set in client.toml for the files a pattern matches."""

    downloaded: date | None = None  # the download day: dates without a year end no later than it
    start: date | None = None  # a file whose rows have no date covers start..end
    end: date | None = None


@dataclass(frozen=True)
class LoadOptions:
    columns: dict[str, str] = field(default_factory=dict)  # file header -> canonical column
    timezone: str = "UTC"  # shop timestamps with a UTC offset are counted on their day here
    files: dict[str, FileDates] = field(default_factory=dict)  # glob relative to data/ -> its dates
    locale: str = "en_US"  # the client's: decides a month name that languages give to different months
    currency: str = "USD"  # the client's: every amount is reported in it (see `currencies`)
    currency_set: bool = False  # client.toml names it; else the one currency the data names wins
    fx: ExchangeRates | None = None  # rates that convert amounts in other currencies
    sources: tuple[SourceSpec, ...] = ()  # tables, queries and files read besides the data folder

    @property
    def language(self) -> str:
        return self.locale.replace("-", "_").split("_")[0].lower()

    @property
    def day_first(self) -> bool:
        """Whether the client's locale writes the day before the month (CLDR's short date: en_GB dd/MM/y, de_DE
        dd.MM.yy; en_US M/d/yy): how slash dates a file does not decide are read."""
        return locale_day_first(self.locale)

    def cache_key(self) -> list:
        """What of the options changes how any file is read (for the conversion cache's key; the dates `files`
        gives one file are in that file's key, so an entry for another file leaves it cached). The currency and the
        rates are not: the cache keeps amounts in the currency they are written in, converted after it."""
        return [sorted(self.columns.items()), self.timezone, self.language, self.day_first]


@lru_cache(maxsize=64)
def locale_day_first(locale: str) -> bool:
    try:
        pattern = get_date_format("short", locale.replace("-", "_")).pattern
    except (UnknownLocaleError, ValueError):
        return False
    pattern = re.sub("'[^']*'", "", pattern)  # quoted text is not a field
    return 0 <= pattern.find("d") < pattern.find("M")
