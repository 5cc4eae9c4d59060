"""A client's additive daily facts: one row per day with every sum the KPIs are ratios of (spend, paid and
organic likes, views, answered comments, code orders, ...), so that a period's totals are a slice of it.
Every ratio is a ratio of these sums, never a mean of ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitegen.data.load import ClientData
from sitegen.metrics.periods import DAY_NS

_NAT = np.iinfo(np.int64).min  # NaT as int64
ADS_SUMS = ["spend", "impressions", "reach", "clicks", "video_views", "conversions", "revenue"]
KNOWN = "n:"  # prefix of a sum's count of rows with a value: 0 in a period with rows means "not in the data"
ROWS = {"ads": "ads_rows", "videos": "posts", "account": "account_days", "orders": "order_rows",
        "hashtags": "hashtag_rows"}  # each kind's count of rows, per day


def _day(series: pd.Series) -> pd.Series:
    return series.dt.normalize()


def video_days(videos: pd.DataFrame) -> pd.Series:
    """Daily stats count on their `date`; lifetime stats in the day the video was posted."""
    return _day(videos["date"].fillna(videos["posted_at"]))


def _sum_by_day(times: pd.Series, columns: dict[str, pd.Series | np.ndarray], counted: tuple[str, ...] = (),
                kind: str | None = None) -> DaySums:
    """(each row's day number, {column: values}) of one kind, to be summed per day by daily_facts; for each
    `counted` column also how many rows have a value (KNOWN + name), and with `kind` how many rows it has."""
    values = {name: s if isinstance(s, np.ndarray) else s.to_numpy(dtype="float64") for name, s in columns.items()}
    sums = {name: _zeroed(v) for name, v in values.items()}
    sums.update({KNOWN + name: (~np.isnan(values[name])).astype("float64") for name in counted})
    if kind is not None:
        sums[ROWS[kind]] = np.ones(len(times))
    return _day_numbers(times), sums


def _day_numbers(times: pd.Series) -> np.ndarray:
    """Each row's day as days since 1970-01-01 (the day `_day` gives: floor division, also before 1970); NaT
    as the smallest int64."""
    stamps = times.to_numpy(dtype="datetime64[ns]").view("int64")
    days = stamps // DAY_NS
    missing = stamps == _NAT
    if missing.any():
        days[missing] = _NAT
    return days


def _zeroed(values: np.ndarray) -> np.ndarray | None:
    """Missing values as 0 (loaded numbers are finite or NaN); None for a column without any value."""
    missing = np.isnan(values)
    if missing.all():
        return None
    return np.where(missing, 0.0, values) if missing.any() else values


def _engagements(frame: pd.DataFrame, saves: bool = True) -> pd.Series:
    total = frame["likes"].fillna(0) + frame["comments"].fillna(0) + frame["shares"].fillna(0)
    return total + frame["saves"].fillna(0) if saves else total


class _Labels:
    """A text column's rows as codes of its distinct values (pd.factorize, once), for `==` and `isin` tests
    that cost a numpy comparison each, not a pandas one."""

    def __init__(self, series: pd.Series):
        self.codes, uniques = pd.factorize(series)  # missing values: -1
        self.index = {value: i for i, value in enumerate(uniques)}

    def is_(self, *values) -> np.ndarray:
        """series == value (or series.isin(values)) as a numpy mask."""
        wanted = [self.index[v] for v in values if v in self.index]
        if len(wanted) == 1:
            return self.codes == wanted[0]
        return np.isin(self.codes, wanted) if wanted else np.zeros(len(self.codes), dtype=bool)


def _flags(series: pd.Series) -> np.ndarray:
    """Which values are filled in (not missing, not blank), as a numpy mask; each distinct value looked at once."""
    codes, uniques = pd.factorize(series)
    filled = np.array([str(v).strip() != "" for v in uniques] + [False], dtype=bool)
    return filled[codes]  # (a missing value's code, -1, is the False at the end)


def _zeros_unless(where: np.ndarray, values: np.ndarray) -> np.ndarray:
    """pd.Series(values).where(where, 0) as numpy."""
    return np.where(where, values, 0.0)


def daily_facts(data: ClientData) -> pd.DataFrame:
    """One row per day with every additive quantity the KPIs need.

    Each day's sum adds that day's rows in table order (numpy.bincount), so a table sorted stably by a time
    within the day gives the same sums (client_facts relies on it)."""
    return _summed_by_day([_ads_days(data["ads"]), _video_days(data["videos"]), _account_days(data["account"]),
                           _community_days(data["community"]),
                           _order_days(data["orders"]),
                           _sum_by_day(data["hashtags"]["date"], {"hashtag_posts": data["hashtags"]["posts"],
                                                                  "hashtag_views": data["hashtags"]["views"]},
                                       ("hashtag_views",), "hashtags")])


DaySums = tuple[np.ndarray, dict[str, np.ndarray | None]]  # each row's day number, and the columns to add up


def _ads_days(ads: pd.DataFrame) -> DaySums:
    sums = {**{c: ads[c] for c in ADS_SUMS}, "paid_likes": ads["likes"], "paid_comments": ads["comments"],
            "paid_shares": ads["shares"]}
    return _sum_by_day(ads["date"], sums, tuple(sums), "ads")


def _video_days(videos: pd.DataFrame) -> DaySums:
    engagements = _engagements(videos).to_numpy(dtype="float64")
    views = videos["views"].to_numpy(dtype="float64")
    trend, collab = _flags(videos["trend"]), _flags(videos["creator"])
    return _sum_by_day(videos["date"].fillna(videos["posted_at"]), {  # the days of video_days
        "organic_views": videos["views"], "organic_likes": videos["likes"],
        "organic_comments": videos["comments"], "organic_shares": videos["shares"],
        "saves": videos["saves"], "posts": np.ones(len(videos)),
        "trend_eng": _zeros_unless(trend, engagements), "trend_views": _zeros_unless(trend, views),
        "other_eng": _zeros_unless(~trend, engagements), "other_views": _zeros_unless(~trend, views),
        "collab_eng": _zeros_unless(collab, engagements), "collab_views": _zeros_unless(collab, views),
        "owned_eng": _zeros_unless(~collab, engagements), "owned_views": _zeros_unless(~collab, views)},
        ("organic_comments", "organic_shares", "saves"))


def _order_days(orders: pd.DataFrame) -> DaySums:
    """Orders with a discount code, and all orders (a shop's order export also lists those without one)."""
    coded = orders["code"].notna().to_numpy()
    count, revenue = orders["orders"].to_numpy(dtype="float64"), orders["revenue"].to_numpy(dtype="float64")
    # an order without a code adds 0 to the code revenue: missing only where its revenue is (no net-sales column)
    sums = {"code_orders": np.where(coded, count, 0.0),
            "code_revenue": np.where(coded | np.isnan(revenue), revenue, 0.0),
            "shop_orders": count, "shop_revenue": revenue}
    return _sum_by_day(orders["date"], sums, ("code_revenue", "shop_revenue"), "orders")


def _account_days(account: pd.DataFrame) -> DaySums:
    sums = {"account_new_followers": account["new_followers"], "account_net_followers": account["net_followers"],
            "account_likes": account["likes"], "account_views": account["video_views"],
            "account_comments": account["comments"], "account_shares": account["shares"],
            "profile_views": account["profile_views"]}
    return _sum_by_day(account["date"], sums, tuple(sums), "account")


def _community_days(community: pd.DataFrame) -> DaySums:
    direction, channel = _Labels(community["direction"]), _Labels(community["channel"])
    sentiment = _Labels(community["sentiment"])
    inbound = direction.is_("inbound")
    cd = inbound & channel.is_("comment", "dm")
    negative = inbound & channel.is_("comment") & sentiment.is_("negative")
    answered = cd & community["responded_at"].notna().to_numpy(dtype=bool)
    return _sum_by_day(community["received_at"], {
        "inbound_cd": cd.astype(float), "answered_cd": answered.astype(float),
        "leads": (inbound & _Labels(community["lead"]).is_(True)).astype(float),
        # outbound_interactions (docs/user-guide/kpis.md): outbound comments and likes, not DMs or mentions
        "outbound": (direction.is_("outbound") & channel.is_("comment", "like")).astype(float),
        "mentions": (inbound & channel.is_("mention")).astype(float),
        "negative_comments": negative.astype(float),
        "inbound": inbound.astype(float),
        **{f"sentiment_{s}": (inbound & sentiment.is_(s)).astype(float) for s in ("positive", "neutral", "negative")}})


def _summed_by_day(parts: list[DaySums]) -> pd.DataFrame:
    # days are numbered from the first one: a bin per day of the whole span (at most 213,000 days: the span
    # of a nanosecond timestamp), then only the days that have rows
    top = np.iinfo(np.int64).max
    firsts = [int(days.min(where=days != _NAT, initial=top)) for days, _ in parts]
    first = min(firsts, default=top)
    span = 0 if first == top else max(int(days.max(initial=_NAT)) for days, _ in parts) - first + 1
    present = np.zeros(span, dtype=bool)
    sums = []
    for days, values in parts:
        known = days != _NAT
        every = bool(known.all())
        bins = days - first if every else days[known] - first
        present[bins] = True
        for name, column in values.items():  # sums rounded like every total: exact for cents
            sums.append((name, None if column is None else
                         np.bincount(bins, weights=column if every else column[known], minlength=span)))
        del bins
    where = np.flatnonzero(present)
    columns = {name: np.zeros(len(where)) if column is None else np.round(column[where], 6) for name, column in sums}
    all_days = (where.astype(np.int64) + (first if span else 0)) * DAY_NS
    return pd.DataFrame(columns, index=pd.DatetimeIndex(all_days.view("datetime64[ns]"), name="date"))
