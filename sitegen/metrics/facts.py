"""What the KPI stage knows about one client, computed once and sliced per period (`ClientFacts`).

Every table is sorted by the time that places its rows in a period, so a period's rows are one contiguous
slice found by binary search. Group keys (campaign, video, code, hashtag) are numbered once per client, so a
period's breakdown is a weighted count over its slice, not a pandas groupby per report. What several
reports of a client need (a column as floats, follower counts in date order, the minutes to each answer)
is made on first use and kept: the accessors below, and named cached properties.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from sitegen.data.load import ClientData
from sitegen.metrics.baselines import Baseline
from sitegen.metrics.daily import KNOWN, daily_facts, video_days
from sitegen.metrics.figures import Figures
from sitegen.metrics.periods import DAY_NS, Period, period_bounds
from sitegen.metrics.ratios import Number, ratio
from sitegen.metrics.time_order import reordered, time_order

Columns = dict[str, np.ndarray]  # a table as column arrays of one length


@dataclass(frozen=True)
class VideoCodes:
    """Video ids of the videos and community tables numbered in one space."""

    videos: np.ndarray  # each video row's code (-1: no id)
    community: np.ndarray  # each community row's code
    count: int  # how many ids in all
    shared: np.ndarray  # the code in this space of each id of ClientFacts.keys("videos", "video_id")


@dataclass(eq=False)
class ClientFacts:
    data: ClientData
    daily: pd.DataFrame
    kinds: frozenset[str]  # kinds with at least one row
    first_day: pd.Timestamp | None
    last_day: pd.Timestamp | None
    times: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # kind -> sorted int64 ns
    # made on first use: a period's KPIs (one report's period is often the next one's comparison), a period's
    # code sources, an alert series' baseline by (series, window, minimum MAD)
    kpis: dict[Period, Figures] = field(default_factory=dict, repr=False)
    sources: dict[Period, Columns] = field(default_factory=dict, repr=False)
    baselines: dict[tuple[str, int, float], Baseline] = field(default_factory=dict, repr=False)
    memo: dict[tuple, pd.DataFrame] = field(default_factory=dict, repr=False)  # other per-client tables (collabs.py)
    _arrays: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False)
    _keys: dict[tuple, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def span(self, kind: str, period: Period) -> tuple[int, int]:
        """The [lo, hi) rows of a kind's table that fall in the period."""
        start, end = period_bounds(period)
        times = self.times[kind]
        return int(np.searchsorted(times, start, "left")), int(np.searchsorted(times, end, "left"))

    def _array(self, key: tuple, make) -> np.ndarray:
        if key not in self._arrays:
            self._arrays[key] = make()
        return self._arrays[key]

    def column(self, kind: str, name: str) -> np.ndarray:
        return self._array((kind, name, "values"), lambda: self.data[kind][name].to_numpy())

    def floats(self, kind: str, name: str) -> np.ndarray:
        return self._array((kind, name, "floats"), lambda: self.data[kind][name].to_numpy(dtype="float64"))

    def stamps(self, kind: str, name: str) -> np.ndarray:
        """A datetime column as int64 nanoseconds (NaT is the smallest int64)."""
        return self._array((kind, name, "ns"),
                           lambda: self.data[kind][name].to_numpy(dtype="datetime64[ns]").view("int64"))

    def has_value(self, kind: str, name: str) -> np.ndarray:
        return self._array((kind, name, "has value"), lambda: ~pd.isna(self.column(kind, name)))

    def keys(self, kind: str, name: str, fill: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(codes, names): every row's key numbered in sorted name order; -1 for a missing key."""
        key = (kind, name, fill)
        if key not in self._keys:
            values = self.data[kind][name]
            if fill is not None:
                values = values.fillna(fill)
            codes, names = pd.factorize(values, sort=True)
            self._keys[key] = codes.astype("int64"), np.asarray(names, dtype=object)
        return self._keys[key]

    @cached_property
    def daily_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(each day as int64 ns, the daily facts as one float array, a column per fact)."""
        return self.daily.index.asi8, self.daily.to_numpy(dtype="float64")

    @cached_property
    def all_orders_listed(self) -> bool:
        """Whether the orders data lists orders without a discount code (a shop's order export: all orders)."""
        return bool(self.data["orders"]["code"].isna().any())

    @cached_property
    def known_sums(self) -> frozenset[str]:
        """The daily sums whose column has a value in some row (a column no file has is not summed as 0)."""
        return frozenset(c[len(KNOWN):] for c in self.daily.columns if c.startswith(KNOWN) and self.daily[c].any())

    @cached_property
    def daily_positions(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.daily.columns)}

    @cached_property
    def day_numbers(self) -> np.ndarray:
        """Each day of the daily facts as days since 1970-01-01."""
        return self.daily.index.as_unit("ns").asi8 // DAY_NS

    @cached_property
    def follower_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(days, followers) of the account rows with a follower count, in date order."""
        account = self.data["account"]
        counted = account[account["followers"].notna()].sort_values("date")
        return counted["date"].to_numpy(dtype="datetime64[ns]").view("int64"), counted["followers"].to_numpy()

    @cached_property
    def response_minutes(self) -> np.ndarray:
        """Minutes to the answer of each inbound comment or DM (NaN when not one, or not answered)."""
        community = self.data["community"]
        answered = ((community["direction"] == "inbound") & community["channel"].isin(["comment", "dm"])
                    & community["responded_at"].notna()).to_numpy()
        minutes = (community["responded_at"] - community["received_at"]).dt.total_seconds() / 60
        return np.where(answered, minutes.to_numpy(dtype="float64"), np.nan)

    @cached_property
    def video_codes(self) -> VideoCodes:
        videos, community = self.data["videos"]["video_id"], self.data["community"]["video_id"]
        codes, names = pd.factorize(pd.concat([videos, community], ignore_index=True), sort=True)
        names = np.asarray(names, dtype=object)
        video_names = self.keys("videos", "video_id")[1]
        shared = np.searchsorted(names, video_names) if len(names) else np.zeros(0, dtype="int64")
        return VideoCodes(codes[:len(videos)].astype("int64"), codes[len(videos):].astype("int64"), len(names),
                          shared)

    @cached_property
    def lifetime_videos(self) -> np.ndarray:
        """Which video rows hold a video's lifetime stats (no `date`: counted on the day it was posted)."""
        return self.data["videos"]["date"].isna().to_numpy()

    @cached_property
    def lifetime_likes(self) -> tuple[np.ndarray, np.ndarray]:
        """(likes of each video code from its lifetime rows, whether the code has a lifetime row)."""
        codes, n = self.video_codes.videos, self.video_codes.count
        keep = self.lifetime_videos & (codes >= 0)
        likes = self.floats("videos", "likes")
        return (np.bincount(codes[keep], weights=np.nan_to_num(likes[keep]), minlength=n),
                np.bincount(codes[keep], minlength=n) > 0)

    @cached_property
    def comment_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """(is an inbound comment on a video, is negative) of each community row."""
        community = self.data["community"]
        comment = ((community["direction"] == "inbound") & (community["channel"] == "comment")
                   & community["video_id"].notna()).to_numpy()
        return comment, (community["sentiment"] == "negative").to_numpy()

    # the daily series the alerts compare with their own past

    def _account_or_sum(self, account: str, organic: str, paid: str) -> pd.Series:
        """The account's daily total when its export has one, else organic plus paid."""
        if "account" in self.kinds and self.daily[account].any():
            return self.daily[account]
        return self.daily[organic] + self.daily[paid]

    @cached_property
    def daily_likes(self) -> pd.Series:
        return self._account_or_sum("account_likes", "organic_likes", "paid_likes")

    @cached_property
    def daily_views(self) -> pd.Series:
        return self._account_or_sum("account_views", "organic_views", "video_views")

    @cached_property
    def like_rate(self) -> pd.Series:
        likes, views = self.daily_likes, self.daily_views
        return (likes / views.where(views > 0)).dropna()

    @cached_property
    def negative_share(self) -> pd.Series:
        likes = self.daily_likes
        return (self.daily["negative_comments"] / likes.where(likes > 0)).fillna(0.0)

    @cached_property
    def posting_days(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(posting day, posting time, title or id) of every video row, as arrays."""
        videos = self.data["videos"]
        posted = videos["posted_at"].to_numpy(dtype="datetime64[ns]")
        days = posted.astype("datetime64[D]").astype("datetime64[ns]").view("int64")
        return days, posted.view("int64"), [str(t) for t in videos["title"].fillna(videos["video_id"])]

    @cached_property
    def conversions_per_1k_likes(self) -> Number:
        """The client's norm over all its ads (what a campaign's figure is compared with)."""
        ads = self.data["ads"]
        return ratio(float(ads["conversions"].sum()), float(ads["likes"].sum()), 1000)


def _row_times(kind: str, table: pd.DataFrame) -> pd.Series:
    if kind == "videos":
        return video_days(table)
    return table["received_at" if kind == "community" else "date"]


def client_facts(data: ClientData) -> ClientFacts:
    # the daily sums first, from the tables as loaded: each table is sorted stably by a time within the day
    # its rows count on, so every day adds the same rows in the same order (and the sorted copies are not
    # held yet beside daily_facts' temporaries)
    daily = daily_facts(data)
    tables, times = {}, {}
    for kind, table in data.tables.items():
        when = _row_times(kind, table).to_numpy(dtype="datetime64[ns]").view("int64")
        inverse = time_order(when)
        if inverse is None:
            tables[kind], times[kind] = table, when
            continue
        del when
        tables[kind] = reordered(table, inverse)
        del inverse
        # the sorted table's own time column (for videos, its days made again)
        times[kind] = _row_times(kind, tables[kind]).to_numpy(dtype="datetime64[ns]").view("int64")
    sorted_data = dataclasses.replace(data, tables=tables)
    kinds = frozenset(k for k, t in tables.items() if not t.empty)
    first = daily.index.min() if len(daily) else None
    last = daily.index.max() if len(daily) else None
    return ClientFacts(sorted_data, daily, kinds, first, last, times)
