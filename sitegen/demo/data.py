"""The demo's data: every kind of export a client sends, generated day by day with numpy from one seeded
generator per client, so that the same arguments give byte-identical files. Every client gets the same story:
a likes spike without views in the first report month, a viral post in the second, a comment crisis in the
last, and a likes-only ad campaign throughout."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sitegen.demo.clients import ClientSpec

HEADERS = {
    "ads": "date,campaign,ad_group,spend,impressions,reach,clicks,video_views,views_2s,views_6s,"
           "likes,comments,shares,follows,profile_visits,conversions,revenue",
    "videos": "video_id,posted_at,title,views,likes,comments,shares,saves,new_followers,trend,creator,paid",
    "account": "date,followers,new_followers,profile_views,video_views,likes",
    "community": "received_at,channel,direction,video_id,author,responded_at,sentiment,lead",
    "orders": "date,code,orders,revenue,source",
    "hashtags": "date,hashtag,posts,views",
}
# share of a post's lifetime stats earned on the day it is posted, the day after, ...
KERNEL = np.array([0.40, 0.25, 0.15, 0.08, 0.05, 0.04, 0.03])
SPIKE_DOM, VIRAL_DOM, CRISIS_DOM = 20, 10, 13  # zero-based day of month: the 21st, 11th and 14th
CHANNELS = ["comment", "dm", "mention", "video_reply"]
SENTIMENTS = np.array(["positive", "neutral", "negative", ""], dtype=object)  # index -1 = outbound
LAST_MONTH = "2026-10"
SYLLABLES = ["ana", "ben", "cla", "dex", "emi", "fin", "gio", "hana", "ivy", "jo", "kai", "lou", "mia", "nox",
             "oli", "pia", "ray", "sam", "tia", "uma", "vik", "wen", "xan", "yui", "zoe"]


@dataclass
class Calendar:
    months: list[str]  # report months
    data_months: list[str]  # plus the comparison month before them
    starts: np.ndarray  # first day index of each data month, plus the end
    labels: np.ndarray  # "YYYY-MM-DD" per day, with spare days for replies after the last day
    weekend: np.ndarray

    @property
    def n(self) -> int:
        return int(self.starts[-1])

    def day(self, month: str, dom: int) -> int:
        return int(self.starts[self.data_months.index(month)]) + dom


def make_calendar(months: list[str]) -> Calendar:
    ms = np.arange(np.datetime64(months[0], "M") - 1, np.datetime64(months[-1], "M") + 2)
    bounds = ms.astype("datetime64[D]")
    days = np.arange(bounds[0], bounds[-1] + 3)
    weekend = (days.astype(np.int64) + 3) % 7 >= 5  # 1970-01-01 was a Thursday
    starts = (bounds - bounds[0]).astype(np.int64)
    return Calendar(list(months), [str(m) for m in ms[:-1]], starts,
                    np.array(np.datetime_as_string(days), dtype=object), weekend[: starts[-1]])


def month_range(n: int, end: str = LAST_MONTH) -> list[str]:
    e = np.datetime64(end, "M")
    return [str(m) for m in np.arange(e - n + 1, e + 1)]


def money(values: np.ndarray) -> list[str]:
    return [f"{v:.2f}" for v in values.tolist()]


CLOCK = np.array([f" {h:02d}:{m:02d}:00" for h in range(24) for m in range(60)], dtype=object)


def stamps(cal: Calendar, minutes: np.ndarray) -> list[str]:
    """'YYYY-MM-DD HH:MM:00' from minutes since the first day (object arrays concatenate fast)."""
    day, m = np.divmod(minutes, 1440)
    return (cal.labels[day] + CLOCK[m]).tolist()


def write_kind(folder: Path, kind: str, cal: Calendar, day: np.ndarray, cols: list[list]) -> None:
    """Split rows (sorted by day) into monthly drops `<kind>-<YYYY-MM>.csv`."""
    cuts = np.searchsorted(day, cal.starts)
    for i, month in enumerate(cal.data_months):
        a, b = cuts[i], cuts[i + 1]
        with open(folder / f"{kind}-{month}.csv", "w", newline="", encoding="utf-8") as fh:
            fh.write(HEADERS[kind] + "\n")
            csv.writer(fh, lineterminator="\n").writerows(zip(*(c[a:b] for c in cols)))


def spread(day: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Distribute each post's lifetime stats over the days after it was posted."""
    idx = day[:, None] + np.arange(len(KERNEL))
    keep = idx < n
    return np.bincount(idx[keep], (values[:, None] * KERNEL)[keep], minlength=n)[:n]


def gen_ads(spec: ClientSpec, cal: Calendar, rng, out: Path) -> np.ndarray:
    n, camps, k = cal.n, spec.campaigns, len(spec.campaigns)
    t = np.arange(n)[:, None] / max(n - 1, 1)
    active = (t >= [c.start for c in camps]) & (t <= [c.end for c in camps])
    likes_obj = np.array([c.roas is None for c in camps])
    wknd = cal.weekend[:, None]
    spend = np.round(np.array([c.budget for c in camps]) * spec.scale * np.where(wknd, 1.35, 1.0)
                     * rng.lognormal(0, 0.12, (n, k)), 2)
    cpm = rng.uniform(5.5, 9.0, k)
    impressions = (spend / (cpm * rng.lognormal(0, 0.1, (n, k))) * 1000).astype(np.int64)
    reach = (impressions * rng.uniform(0.6, 0.8, (n, k))).astype(np.int64)
    video_views = (impressions * rng.uniform(0.3, 0.45, (n, k))).astype(np.int64)
    views_2s = (video_views * rng.uniform(0.55, 0.7, (n, k))).astype(np.int64)
    views_6s = (views_2s * rng.uniform(0.4, 0.6, (n, k))).astype(np.int64)
    likes = rng.binomial(video_views, np.where(likes_obj, 0.07, 0.012))
    ctr = np.where(likes_obj, 0.004, rng.uniform(0.009, 0.016, k))
    cvr = np.where(likes_obj, 0.003, rng.uniform(0.03, 0.05, k))
    clicks = rng.binomial(impressions, ctr * np.where(wknd, 0.85, 1.0))  # weekend scrollers click less
    conversions = rng.binomial(clicks, cvr)
    aov = np.array([c.roas or 0.05 for c in camps]) * cpm / (ctr * cvr * 1000)  # order value that hits the ROAS
    revenue = np.round(conversions * aov * rng.lognormal(0, 0.15, (n, k)), 2)
    extra = [rng.binomial(likes, 0.04), rng.binomial(likes, 0.03),
             rng.binomial(video_views, np.where(likes_obj, 0.003, 0.001)), rng.binomial(video_views, 0.012)]
    d, c = np.nonzero(active)
    names = np.array([x.name for x in camps], dtype=object)
    groups = np.array([x.ad_group for x in camps], dtype=object)
    counts = (impressions, reach, clicks, video_views, views_2s, views_6s, likes, *extra, conversions)
    ints = [a[d, c].tolist() for a in counts]
    write_kind(out, "ads", cal, d, [cal.labels[d].tolist(), names[c].tolist(), groups[c].tolist(),
                                    money(spend[d, c]), *ints, money(revenue[d, c])])
    return conversions * active


def gen_videos(spec: ClientSpec, cal: Calendar, rng, ev: dict, out: Path) -> dict:
    special = {ev["viral"]: 1, ev["crisis"] - 1: 2}  # 1 = viral post, 2 = post that triggers the crisis
    quiet = [*special, ev["spike"] - 1, ev["spike"]]  # no fresh post lifts views around the likes spike
    days, kind = [], []
    for a, b in zip(cal.starts[:-1], cal.starts[1:]):
        extra = [d for d in special if a <= d < b]
        pool = np.setdiff1d(np.arange(a, b), quiet)
        days += sorted(rng.choice(pool, rng.integers(8, 15) - len(extra), replace=False).tolist()) + extra
        kind += [0] * (len(days) - len(kind) - len(extra)) + [special[d] for d in extra]
    day, kind = np.array(days), np.array(kind)
    minute = np.select([kind == 1, kind == 2], [18 * 60 + 30, 17 * 60], rng.integers(7 * 60, 22 * 60, len(day)))
    order = np.lexsort((minute, day))
    day, kind, minute, m = day[order], kind[order], minute[order], len(day)
    trend = (rng.random(m) < 0.3) | (kind == 1)
    creator = (rng.random(m) < 0.15) & (kind == 0)
    paid = (rng.random(m) < 0.15) & (kind == 0)
    month = np.searchsorted(cal.starts, day, side="right") - 1
    fade = _fading(spec, cal, rng, month, (kind == 0) & ~creator)
    trend |= fade
    views = 14000 * spec.scale * rng.lognormal(0, 0.5, m) * (1 + 0.5 * trend) * (1 + 0.8 * creator) * (1 + 0.3 * paid)
    views[kind == 1] = np.median(views[kind == 0]) * rng.uniform(30, 40)
    views = views.astype(np.int64)
    boost = np.where(fade, 2.4 / 1.5 ** month, 1.0)  # the fading trend's likes: strong at first, then weaker
    likes = rng.binomial(views, rng.uniform(0.07, 0.1, m) * (1 + 0.25 * trend) * (1 + 0.2 * creator) * boost)
    comments = rng.binomial(likes, 0.025) + (kind == 2) * ev["crisis_n"]
    shares, saves = rng.binomial(likes, 0.02), rng.binomial(likes, 0.035)
    new_followers = rng.binomial(views, np.where(kind == 1, 0.004, 0.0015))
    ids = np.array(["7" + str(x) for x in rng.integers(10**17, 10**18, m).tolist()], dtype=object)
    n_titles = len(spec.titles)  # each month: titles in random order, a second use becomes "Part 2"
    rank = np.arange(m) - np.searchsorted(month, month)
    pick = np.array([rng.permutation(n_titles) for _ in cal.data_months])[month, rank % n_titles]
    part = " (Teil {})" if spec.locale.startswith("de") else " (Part {})"
    titles = np.array([spec.titles[t] + (part.format(r // n_titles + 1) if r >= n_titles else "")
                       for t, r in zip(pick.tolist(), rank.tolist())], dtype=object)
    titles[kind == 1], titles[kind == 2] = spec.viral_title, spec.crisis_title
    others = np.array([t for t in spec.trends if t != spec.fading_trend], dtype=object)
    trends = np.where(trend, others[rng.integers(0, len(others), m)], "")
    trends[kind == 1] = spec.trends[0]
    trends[fade] = spec.fading_trend
    creators = np.where(creator, np.array(spec.creators, dtype=object)[rng.integers(0, len(spec.creators), m)], "")
    write_kind(out, "videos", cal, day, [ids.tolist(), stamps(cal, day * 1440 + minute), titles.tolist(),
                                         *(x.tolist() for x in (views, likes, comments, shares, saves, new_followers)),
                                         trends.tolist(), creators.tolist(), paid.tolist()])
    return {"day": day, "kind": kind, "ids": ids, "views": views, "likes": likes, "nf": new_followers,
            "creators": creators, "titles": titles}


def _fading(spec: ClientSpec, cal: Calendar, rng, month: np.ndarray, regular: np.ndarray) -> np.ndarray:
    """Two regular posts of each month that use the client's fading trend (none without one)."""
    fade = np.zeros(len(month), dtype=bool)
    if spec.fading_trend:
        for i in range(len(cal.data_months)):
            pool = np.flatnonzero((month == i) & regular)
            fade[rng.choice(pool, min(2, len(pool)), replace=False)] = True
    return fade


def gen_account(spec: ClientSpec, cal: Calendar, rng, vid: dict, ev: dict, out: Path) -> None:
    n, wk = cal.n, np.where(cal.weekend, 1.3, 1.0)
    regular = vid["kind"] != 1
    warm = np.zeros(n)
    warm[: len(KERNEL)] = 1 - np.cumsum(KERNEL)  # back catalogue still earning at the start of the range

    def organic(stat):  # post stats spread over the following days, plus the warm-up estimate
        return spread(vid["day"], stat, n) + warm * stat[regular].sum() / n

    base = 7000 * spec.scale * wk * rng.lognormal(0, 0.1, n)
    views = (base + organic(vid["views"])).astype(np.int64)
    likes = rng.binomial(base.astype(np.int64), 0.08) + organic(vid["likes"]).astype(np.int64)
    s = ev["spike"]  # suspicious likes: eight times the local norm while views stay normal
    likes[s] = min(int(8 * np.median(likes[max(s - 14, 0): s + 14])), int(0.9 * views[s]))  # never above views
    new_followers = rng.poisson(35 * spec.scale * wk) + organic(vid["nf"]).astype(np.int64)
    followers = int(25000 * spec.scale * (1 + rng.random())) + np.cumsum(new_followers)
    day = np.arange(n)
    write_kind(out, "account", cal, day, [cal.labels[:n].tolist(), followers.tolist(), new_followers.tolist(),
                                          rng.binomial(views, 0.02).tolist(), views.tolist(), likes.tolist()])


def interactions(rng, day, channel, inbound, video, answer, lead, sentiment_p, first_minute=420) -> dict:
    """One batch of community rows as arrays; `video` is an index into the client's videos, -1 for none."""
    m = len(day)
    return {
        "day": day,
        "minute": rng.integers(first_minute, 1440, m),
        "channel": np.full(m, CHANNELS.index(channel)),
        "inbound": np.full(m, inbound),
        "video": np.full(m, -1) if video is None else video,
        "answered": (rng.random(m) < answer) & inbound,
        "wait": np.clip(rng.lognormal(np.log(50), 1.0, m), 2, 900).astype(np.int64),  # minutes to hours
        "sentiment": rng.choice(3, m, p=sentiment_p) if inbound else np.full(m, -1),
        "lead": (rng.random(m) < lead) & inbound,
    }


def gen_community(spec: ClientSpec, cal: Calendar, rng, vid: dict, ev: dict, out: Path) -> int:
    """Write the community drops; return the number of negative comments on the crisis day."""
    n, s = cal.n, np.sqrt(spec.scale)
    wk = np.where(cal.weekend, 1.25, 1.0)
    usual = [0.55, 0.35, 0.10]

    def per_day(rate):
        return np.repeat(np.arange(n), rng.poisson(rate))

    def on_videos(day, channel, answer):  # recent posts attract the comments; none before the first post
        before = np.searchsorted(vid["day"], day)  # only posts from earlier days, so comments follow the post
        idx = before - 1 - np.minimum(rng.geometric(0.35, len(day)) - 1, np.maximum(before - 1, 0))
        ok = before > 0
        return interactions(rng, day[ok], channel, True, idx[ok], answer, 0.01, usual)

    viral_idx = int(np.flatnonzero(vid["kind"] == 1)[0])
    crisis_idx = int(np.flatnonzero(vid["kind"] == 2)[0])
    viral_days = np.repeat(ev["viral"] + np.arange(1, 4), rng.poisson(15 * s, 3))
    parts = [
        on_videos(per_day(5 * s * wk), "comment", 0.76),
        on_videos(per_day(0.3 * s * wk), "video_reply", 0.5),
        interactions(rng, per_day(2 * s * wk), "dm", True, None, 0.78, 0.08, usual),
        interactions(rng, per_day(0.8 * s * wk), "mention", True, None, 0.3, 0.0, usual),
        interactions(rng, per_day(np.where(cal.weekend, 1.0, 4.0)), "comment", False, None, 0, 0, usual, 540),
        interactions(rng, viral_days, "comment", True, np.full(len(viral_days), viral_idx), 0.6, 0.01,
                     [0.75, 0.22, 0.03]),
        interactions(rng, np.full(ev["crisis_n"], ev["crisis"]), "comment", True, np.full(ev["crisis_n"], crisis_idx),
                     0.45, 0.0, [0.0, 0.1, 0.9], 540),
    ]
    c = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # author: who wrote to us (inbound) or whose content we engaged with (outbound)
    c["author"] = rng.integers(0, 300, len(c["day"]))
    t = c["day"] * 1440 + c["minute"]
    key = (((t * 4 + c["channel"]) * 2 + c["inbound"]) * 1001 + c["video"] + 1) * 300 + c["author"]
    _, keep = np.unique(key, return_index=True)  # sorted by time, and no row repeats another
    c, t = {k: v[keep] for k, v in c.items()}, t[keep]
    handles = np.array([f"@{a}{b}{'_' if i % 3 else '.'}{i % 97}" for i, (a, b) in enumerate(
        zip(rng.choice(SYLLABLES, 300), rng.choice(SYLLABLES, 300)))], dtype=object)
    author = handles[c["author"]]
    video_id = np.where(c["video"] >= 0, vid["ids"][np.maximum(c["video"], 0)], "")
    replied = np.array(stamps(cal, t + c["wait"]), dtype=object)
    write_kind(out, "community", cal, c["day"], [
        stamps(cal, t), np.array(CHANNELS, dtype=object)[c["channel"]].tolist(),
        np.where(c["inbound"], "inbound", "outbound").tolist(),
        video_id.tolist(), author.tolist(), np.where(c["answered"], replied, "").tolist(),
        SENTIMENTS[c["sentiment"]].tolist(), c["lead"].tolist()])
    return int(((c["day"] == ev["crisis"]) & (c["sentiment"] == 2) & (c["channel"] == 0)).sum())


def gen_orders(spec: ClientSpec, cal: Calendar, rng, conversions: np.ndarray, vid: dict, out: Path) -> None:
    n, names = cal.n, [c.name for c in spec.campaigns]
    rows = []
    for j, (_code, source) in enumerate(spec.codes):
        if source in names:  # a share of the campaign's buyers use its code
            orders = rng.binomial(conversions[:, names.index(source)], 0.3)
        else:  # creator codes follow the posts of the creator the source names
            creator = next((c for c in spec.creators if c.casefold() in source.casefold()), None)
            mine = vid["creators"] == creator if creator else vid["titles"] == source  # (or a video's title)
            posts = spread(vid["day"][mine], np.full(mine.sum(), 8.0), n)
            base = 1.5 if creator else 0.2
            orders = rng.poisson(base * spec.scale * np.where(cal.weekend, 1.3, 1.0) + posts)
        revenue = orders * rng.uniform(28, 60) * rng.lognormal(0, 0.12, n)
        d = np.flatnonzero(orders)
        rows.append((d, np.full(len(d), j), orders[d], np.round(revenue[d], 2)))
    d, j, o, r = (np.concatenate(x) for x in zip(*rows))
    order = np.lexsort((j, d))
    d, j = d[order], j[order]
    codes, sources = (np.array(x, dtype=object)[j].tolist() for x in zip(*spec.codes))
    write_kind(out, "orders", cal, d, [cal.labels[d].tolist(), codes, o[order].tolist(), money(r[order]), sources])


def gen_hashtags(spec: ClientSpec, cal: Calendar, rng, ev: dict, out: Path) -> None:
    n, k = cal.n, len(spec.hashtags)
    boost = np.ones(n)
    boost[ev["viral"]: ev["viral"] + 5] = 4  # people copy the viral video
    rate = 12 * spec.scale * np.where(cal.weekend, 1.4, 1.0) * boost
    posts = rng.poisson(rate[:, None] * (0.35 ** np.arange(k)))
    views = (posts * rng.lognormal(np.log(900), 0.5, (n, k))).astype(np.int64)
    d, j = np.nonzero(np.ones((n, k), dtype=bool))
    write_kind(out, "hashtags", cal, d, [cal.labels[d].tolist(), np.array(spec.hashtags, dtype=object)[j].tolist(),
                                         posts[d, j].tolist(), views[d, j].tolist()])
