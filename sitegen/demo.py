"""Deterministic demo projects for sitegen.

`generate_project` writes the bundled three-client demo (`sitegen.toml` + `content/`);
`generate_many` writes N generic clients for benchmarks. All randomness comes from numpy's
`default_rng`, seeded per client (seed + slug), so the same arguments give byte-identical files.
Every client gets the same story: a likes spike without views in the first report month,
a viral post in the second, a comment crisis in the last, and a likes-only ad campaign throughout.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template

import numpy as np

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


@dataclass(frozen=True)
class Campaign:
    name: str
    ad_group: str
    start: float = 0.0  # active span as fractions of the data range, so it fits any number of months
    end: float = 1.0
    budget: float = 150.0  # daily, before the client's scale
    roas: float | None = 2.5  # None = a likes objective that sells next to nothing


@dataclass(frozen=True)
class ClientSpec:
    slug: str
    name: str
    locale: str = "en_US"
    currency: str = "USD"
    timezone: str = "UTC"
    color: str = "#2563eb"
    short: str = ""  # name used in commentary prose
    scale: float = 1.0  # audience and budget size
    campaigns: tuple[Campaign, ...] = ()
    titles: tuple[str, ...] = ()
    trends: tuple[str, ...] = ()
    creators: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    codes: tuple[tuple[str, str], ...] = ()  # (code, source): a campaign name or a creator handle
    viral_title: str = "Viral video"
    crisis_title: str = "Update"
    crisis_topic: str = "a product change"
    notes: tuple[str, ...] = ()  # one client-specific paragraph per commentary month
    sections: tuple[str, ...] = ()  # front-matter section selection for the last month
    targets: dict = field(default_factory=dict)


DEMO_CLIENTS = [
    ClientSpec(
        "nordlicht-kosmetik", "Nordlicht Kosmetik", "de_DE", "EUR", "Europe/Berlin", "#7c3aed",
        campaigns=(Campaign("Brand Awareness – Likes", "Broad 18-34", budget=140, roas=None),
                   Campaign("Glow Serum – Conversion", "Retargeting 30d", budget=160, roas=3.2),
                   Campaign('<b>Summer</b> & "Sale" <img src=x onerror=alert(1)>', "Lookalike 2%", 0, 0.55, 120, 2.4),
                   Campaign("Herbst-Glow – Spark Ads", "Interessen: Hautpflege", 0.5, 1, 110, 1.8)),
        titles=("Meine Morgenroutine in 60 Sekunden", "3 Fehler beim <Auftragen>",
                "Glow Serum vs. Drogerie – ehrlicher Test", "Q&A: Eure Fragen zur Hautpflege",
                "So wirkt Vitamin C wirklich", "Hinter den Kulissen: Abfüllung in Hamburg",
                '"Zu schön, um wahr zu sein?" – Reaktion', "Hautpflege für Männer, ganz einfach",
                "Winterhaut? 4 Tipps", "<i>Neu</i>: Nachtcreme mit Bakuchiol", "Unboxing & erster Eindruck",
                "Dermatologin erklärt: SPF im Herbst"),
        trends=("Get Ready With Me", "Glass Skin Challenge", "Originalton – nordlicht.kosmetik", "Skincare ASMR"),
        creators=("@lena.skincare", "@hautnah.mia"), hashtags=("#nordlichtglow", "#glowmitnordlicht"),
        codes=(("GLOW10", "Glow Serum – Conversion"),
               ("SOMMER15", '<b>Summer</b> & "Sale" <img src=x onerror=alert(1)>'), ("LENA15", "@lena.skincare")),
        viral_title="Glas-Haut in 30 Sekunden – der Trick", crisis_title="Neue Rezeptur – das ist anders",
        crisis_topic="die geänderte Rezeptur des Glow Serums",
        notes=("Die Kooperation mit **@lena.skincare** läuft gut an: Ihr Code **LENA15** bringt regelmäßig "
               "Bestellungen.",
               "Die Sommer-Kampagne endete Anfang September planmäßig; **Herbst-Glow – Spark Ads** hat ihren Platz "
               "übernommen.",
               "**Herbst-Glow – Spark Ads** lief den ersten vollen Monat; ihr ROAS liegt noch unter dem der "
               "Glow-Serum-Kampagne."),
        targets={"likes": 60000, "roi": 0.7, "cpa": 25.0, "reply_rate": 0.8, "engagement_rate": 0.05}),
    ClientSpec(
        "harbor-coffee", "Harbor Coffee Co.", "en_US", "USD", "America/New_York", "#92400e",
        scale=1.4,
        campaigns=(Campaign("Cold Brew Awareness – Likes", "Broad US 18-44", budget=150, roas=None),
                   Campaign("Cold Brew Launch – Conversions", "Interest: Coffee", 0.1, 1, 170, 2.8),
                   Campaign("Subscription – Retargeting", "Site visitors 30d", budget=120, roas=3.6),
                   Campaign('Back to School "Fuel" Promo', "Students 18-24", 0.3, 0.6, 130, 2.2),
                   Campaign("Holiday Blend – Pre-order", "Lookalike 1%", 0.75, 1, 100, 1.6)),
        titles=("How we roast in small batches", "Cold brew in 3 steps", 'Barista reacts to "gas station" coffee',
                "POV: your first sip at 6 a.m.", "Latte art fails & wins", "<b>NEW</b> Pumpkin Cold Foam",
                "Q&A: decaf, caffeine & sleep", "Behind the counter: Saturday rush", "Pour-over vs. French press",
                "What $5 gets you at Harbor", "Meet our roaster, Dana", "Iced latte, 3 ways"),
        trends=("cloud coffee", "Espresso – sped up", "Day in my life", "Get the Look"),
        creators=("@maya.brews", "@latteart.leo"), hashtags=("#harborcoffee",),
        codes=(("COLDBREW20", "Cold Brew Launch – Conversions"), ("MAYA10", "@maya.brews")),
        viral_title="We tried the cloud coffee trend", crisis_title="Subscription update – new prices",
        crisis_topic="the subscription price increase",
        notes=('The **Back to School "Fuel" Promo** went live in August and runs until mid-September.',
               "We prepared the **Holiday Blend – Pre-order** campaign for an early-October launch.",
               "**Holiday Blend – Pre-order** launched on schedule; its ROAS is still low while the audience "
               "builds."),
        targets={"likes": 90000, "roi": 1.0, "cpa": 20.0, "reply_rate": 0.75, "follower_growth": 4000}),
    ClientSpec(
        "fjord-outdoor", "Fjord & Sons <Outdoor>", "en_GB", "GBP", "Europe/London", "#0369a1",
        short="Fjord & Sons", scale=0.7, sections=("summary", "engagement", "paid", "community"),
        campaigns=(Campaign("Brand Awareness – Likes", "Broad UK 18-54", budget=110, roas=None),
                   Campaign("Winter Jackets – Conversions", "Interest: Hiking", 0.45, 1, 170, 2.6),
                   Campaign("Trail Boots <Summer> Clearance", "Lookalike 3%", 0, 0.5, 140, 2.0),
                   Campaign("Retargeting – Cart Abandoners", "Cart 14d", budget=90, roas=3.5)),
        titles=("Packing list: 3 days in the Highlands", "Waterproof test: 10 minutes under a waterfall",
                'Boots that survived "The Pennine Way"', "Wild camping – do's & don'ts", "<Layering> 101 for autumn",
                "How our jackets are made", "Sunrise on Snowdon", "Kit check with a mountain guide",
                "Rainy-day hike? Here's how", "Repair, don't replace"),
        trends=("Hot Girl Walk", "Pack With Me", "original sound – fjordandsons"),
        creators=("@alex.outdoors", "@wildcamp.wren"), hashtags=("#fjordandsons", "#wildcampuk"),
        codes=(("TRAIL15", "Trail Boots <Summer> Clearance"), ("FJORD10", "Retargeting – Cart Abandoners"),
               ("ALEX20", "@alex.outdoors")),
        viral_title="Sunrise on Ben Nevis in 20 seconds", crisis_title="Pre-order update: winter jackets",
        crisis_topic="late deliveries of winter jacket pre-orders",
        notes=("Our **Trail Boots Clearance** is winding down as planned and ends with August.",
               "**Winter Jackets – Conversions** started in late August and already sells steadily.",
               "Creator partner **@alex.outdoors** keeps bringing in orders through code **ALEX20**."),
        targets={"likes": 40000, "roi": 1.0, "cpa": 30.0, "reply_rate": 0.85, "ctr": 0.01}),
]


# ---------------------------------------------------------------- calendar and writing

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


# ---------------------------------------------------------------- data kinds

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
    views = 14000 * spec.scale * rng.lognormal(0, 0.5, m) * (1 + 0.5 * trend) * (1 + 0.8 * creator) * (1 + 0.3 * paid)
    views[kind == 1] = np.median(views[kind == 0]) * rng.uniform(30, 40)
    views = views.astype(np.int64)
    likes = rng.binomial(views, rng.uniform(0.07, 0.1, m) * (1 + 0.25 * trend) * (1 + 0.2 * creator))
    comments = rng.binomial(likes, 0.025) + (kind == 2) * ev["crisis_n"]
    shares, saves = rng.binomial(likes, 0.02), rng.binomial(likes, 0.035)
    new_followers = rng.binomial(views, np.where(kind == 1, 0.004, 0.0015))
    ids = np.array(["7" + str(x) for x in rng.integers(10**17, 10**18, m).tolist()], dtype=object)
    n_titles = len(spec.titles)  # each month: titles in random order, a second use becomes "Part 2"
    month = np.searchsorted(cal.starts, day, side="right") - 1
    rank = np.arange(m) - np.searchsorted(month, month)
    pick = np.array([rng.permutation(n_titles) for _ in cal.data_months])[month, rank % n_titles]
    part = " (Teil {})" if spec.locale.startswith("de") else " (Part {})"
    titles = np.array([spec.titles[t] + (part.format(r // n_titles + 1) if r >= n_titles else "")
                       for t, r in zip(pick.tolist(), rank.tolist())], dtype=object)
    titles[kind == 1], titles[kind == 2] = spec.viral_title, spec.crisis_title
    trends = np.where(trend, np.array(spec.trends, dtype=object)[rng.integers(0, len(spec.trends), m)], "")
    trends[kind == 1] = spec.trends[0]
    creators = np.where(creator, np.array(spec.creators, dtype=object)[rng.integers(0, len(spec.creators), m)], "")
    write_kind(out, "videos", cal, day, [ids.tolist(), stamps(cal, day * 1440 + minute), titles.tolist(),
                                         *(x.tolist() for x in (views, likes, comments, shares, saves, new_followers)),
                                         trends.tolist(), creators.tolist(), paid.tolist()])
    return {"day": day, "kind": kind, "ids": ids, "views": views, "likes": likes, "nf": new_followers,
            "creators": creators}


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
        else:  # creator codes follow the creator's posts
            posts = spread(vid["day"][vid["creators"] == source], np.full((vid["creators"] == source).sum(), 8.0), n)
            orders = rng.poisson(1.5 * spec.scale * np.where(cal.weekend, 1.3, 1.0) + posts)
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


# ---------------------------------------------------------------- config and commentary

def toml_value(v) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)


def client_toml(spec: ClientSpec) -> str:
    head = "".join(f"{k} = {toml_value(getattr(spec, k))}\n" for k in ("name", "locale", "currency", "timezone"))
    targets = "".join(f"{k} = {toml_value(v)}\n" for k, v in spec.targets.items())
    return f'{head}\n[branding]\nprimary_color = "{spec.color}"\n\n[targets]\n{targets}'


SITE_TOML = """title = "Agency Reports — Demo"
base_url = ""
theme = "default"
locale = "en_US"
currency = "USD"
timezone = "UTC"

[branding]
agency = "Northwind Social"
primary_color = "#0f766e"
accent_color = "#f97316"
footer = "Prepared by Northwind Social"

[targets]
engagement_rate = 0.05
roi = 1.5

[alerts]
spike_z = 5.0
"""
INDEX_MD = """---
title: "Client reports"
---
Monthly TikTok reports from **Northwind Social**: likes and engagement next to clicks, conversions,
revenue and ROI, with community management, discount codes and branded hashtags. Pick a client to see
their reports, each compared with the previous month and with the client's targets.
"""
MONTH_NAMES = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"],
               "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                      "Oktober", "November", "Dezember"]}


def load_templates() -> dict:
    """Commentary templates keyed by (language, role); the text sits at the end of this module."""
    parts = re.split(r"^@@ (\w+) (\w+)\n", TEMPLATES, flags=re.M)
    return {(parts[i], parts[i + 1]): Template(parts[i + 2]) for i in range(1, len(parts), 3)}


def commentary(spec: ClientSpec, cal: Calendar, month: str, role: str, facts: dict, templates: dict) -> str:
    lang = spec.locale[:2] if spec.locale[:2] in MONTH_NAMES else "en"
    names = MONTH_NAMES[lang]

    def date(day: int) -> str:
        _, m, d = cal.labels[day].split("-")
        return {"de": f"{int(d)}. {names[int(m) - 1]}", "en_US": f"{names[int(m) - 1]} {int(d)}"}.get(
            lang if lang == "de" else spec.locale, f"{int(d)} {names[int(m) - 1]}")

    i = cal.months.index(month)
    words = dict(facts, name=spec.short or spec.name, month=names[int(month[5:]) - 1],
                 note=spec.notes[i] if i < len(spec.notes) else "", spike_date=date(facts["spike"]),
                 viral_date=date(facts["viral"]), crisis_date=date(facts["crisis"]))
    sections = f"sections: [{', '.join(spec.sections)}]\n" if spec.sections and role == "crisis" else ""
    head = f'---\ntitle: "{words["month"]} {month[:4]}"\nperiod: "{month}"\n{sections}---\n'
    body = templates[(lang, role)].substitute(words)
    return head + re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


# ---------------------------------------------------------------- orchestration

def generate_client(root: Path, spec: ClientSpec, months: list[str], seed: int, templates: dict) -> None:
    rng = np.random.default_rng([seed, zlib.crc32(spec.slug.encode())])
    cal = make_calendar(months)
    viral_month = months[min(1, len(months) - 1)]
    ev = {"spike": cal.day(months[0], SPIKE_DOM), "viral": cal.day(viral_month, VIRAL_DOM),
          "crisis": cal.day(months[-1], CRISIS_DOM), "crisis_n": int(rng.integers(45, 80))}
    folder = root / spec.slug
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "client.toml").write_text(client_toml(spec), encoding="utf-8")
    conversions = gen_ads(spec, cal, rng, folder / "data")
    vid = gen_videos(spec, cal, rng, ev, folder / "data")
    gen_account(spec, cal, rng, vid, ev, folder / "data")
    negative = gen_community(spec, cal, rng, vid, ev, folder / "data")
    gen_orders(spec, cal, rng, conversions, vid, folder / "data")
    gen_hashtags(spec, cal, rng, ev, folder / "data")
    regular = vid["views"][vid["kind"] == 0]
    roas = [c for c in spec.campaigns if c.roas and c.end >= 1]
    facts = dict(ev, viral_x=int(round(vid["views"][vid["kind"] == 1][0] / np.median(regular))),
                 negative=negative, viral_title=spec.viral_title, crisis_title=spec.crisis_title,
                 crisis_topic=spec.crisis_topic,
                 likes_campaign=next(c.name for c in spec.campaigns if c.roas is None),
                 best_campaign=max(roas, key=lambda c: c.roas).name, code=spec.codes[0][0], hashtag=spec.hashtags[0])
    for month in months:
        role = ("crisis" if month == months[-1] else "viral" if month == viral_month
                else "spike" if month == months[0] else "regular")
        text = commentary(spec, cal, month, role, facts, templates)
        (folder / f"{month}.md").write_text(text, encoding="utf-8")


def write_site(dest: Path) -> Path:
    (dest / "content").mkdir(parents=True, exist_ok=True)
    (dest / "sitegen.toml").write_text(SITE_TOML, encoding="utf-8")
    (dest / "content" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    return dest / "content"


def generate_project(dest: Path, clients: list[ClientSpec] | None = None, months: list[str] | None = None,
                     seed: int = 7) -> None:
    """Write the demo project (sitegen.toml + content/) into `dest`."""
    root, templates = write_site(Path(dest)), load_templates()
    for spec in clients or DEMO_CLIENTS:
        generate_client(root, spec, months or month_range(3), seed, templates)


def generic_client(i: int) -> ClientSpec:
    """Client i for benchmarks: content borrowed from the demo client of the same locale."""
    base = DEMO_CLIENTS[[1, 0, 2][i % 3]]  # en_US/USD, de_DE/EUR, en_GB/GBP in turn
    return replace(base, slug=f"client-{i + 1:04d}", name=f"Client {i + 1:04d}", short="", notes=(), sections=(),
                   scale=0.5 + (i * 37 % 100) / 50)


def generate_many(dest: Path, n_clients: int, n_months: int, seed: int = 7) -> None:
    """Write n generic clients with n_months of reports ending 2026-10 (plus one comparison month)."""
    root, templates, months = write_site(Path(dest)), load_templates(), month_range(n_months)
    for i in range(n_clients):
        generate_client(root, generic_client(i), months, seed, templates)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sitegen.demo", description="Write a sitegen demo project.")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--clients", type=int, help="number of generic clients (default: the 3-client demo)")
    parser.add_argument("--months", type=int, default=3, help="report months ending 2026-10")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.clients is None:
        generate_project(args.dest, months=month_range(args.months), seed=args.seed)
    else:
        generate_many(args.dest, args.clients, args.months, args.seed)



# Commentary, one template per (language, role). $words come from the generated data; {{ ... }} are
# sitegen's live macros and stay as they are. Roles: first month = spike, second = viral, last = crisis.
TEMPLATES = """
@@ en spike
$month was a solid month for $name: paid reach held steady, organic posts went out on schedule and the
community kept growing. One number needs a closer look: on **$spike_date** account likes jumped to roughly
eight times the usual level while video views did not move at all.

## Likes and engagement
Likes came in at **{{ kpi("likes") }}** ({{ delta("likes") }} vs. the previous month), with an engagement
rate of {{ kpi("engagement_rate") }}.

{{ chart("likes_daily") }}

**About $spike_date:** a surge of likes without extra views usually means inauthentic activity – bought
likes, like-for-like groups or bots. We have not bought any engagement and have asked TikTok to review the
account. Until then, read this month's like total with caution.

{{ chart("rates_daily") }}

## Paid media
- Return on ad spend: **{{ kpi("roas") }}** ({{ delta("roas") }}), ROI {{ kpi("roi") }}.
- **$likes_campaign** delivered {{ kpi("paid_likes") }} paid likes at {{ kpi("cost_per_like") }} each,
  but almost no sales. It does its job for awareness; judge it on reach, not on revenue.
- **$best_campaign** remains the most efficient campaign.

{{ table("campaigns", limit=6) }}

$note

## Next steps
1. Watch the ratio of likes to views every day.
2. Move 10% of the awareness budget to **$best_campaign**.

@@ en viral
$month belongs to one video: **“$viral_title”**, posted on $viral_date, reached about **$viral_x times** the
views of a typical post and is now our best-performing video ever. New followers and likes jumped in the
days that followed.

## The viral post
{{ table("top_videos", limit=5) }}

Follower growth for the month was **{{ kpi("follower_growth") }}** ({{ delta("follower_growth") }}), and total
views reached {{ kpi("views") }} ({{ delta("views") }}).

{{ chart("followers_daily") }}

What worked:
- a **trending sound**, picked up in the first hours,
- a strong hook in the very first second,
- replying to the top comments with follow-up videos.

## Did it sell?
Not much – and that is normal for viral reach. Conversions per 1,000 likes fell to
{{ kpi("conversions_per_1k_likes") }} ({{ delta("conversions_per_1k_likes") }}). The viral audience is broad;
buyers came, as usual, from paid campaigns, where ROI stood at **{{ kpi("roi") }}** ({{ delta("roi") }}).
**$likes_campaign** again collected likes rather than orders.

{{ chart("funnel") }}

$note

## Next steps
1. Produce two follow-ups in the same format while the sound is still trending.
2. Retarget the video's viewers with **$best_campaign**.

@@ en crisis
$month was overshadowed by one difficult day. On **$crisis_date**, the post **“$crisis_title”** drew around
$negative negative comments within hours, most of them about $crisis_topic. Sentiment has recovered since,
and the rest of the month went to plan.

## What happened on $crisis_date
{{ chart("sentiment_daily") }}

- The negative ratio for the month stood at **{{ kpi("negative_ratio") }}** ({{ delta("negative_ratio") }}).
- The team answered {{ kpi("reply_rate") }} of comments and DMs; median response time (minutes):
  {{ kpi("median_response_minutes") }}.
- A pinned statement and personal replies ended the pile-on by the evening.

{{ table("alerts") }}

## Paid and sales
Spend was {{ kpi("spend") }} and revenue {{ kpi("revenue") }}, a ROAS of **{{ kpi("roas") }}**
({{ delta("roas") }}). **$likes_campaign** once more collected plenty of likes and almost no orders, while
**$best_campaign** carried the sales. Discount codes brought in {{ kpi("code_revenue") }}:

{{ table("codes", limit=5) }}

$note

## Next steps
1. Publish a short FAQ video on $crisis_topic.
2. Write a crisis playbook with pre-approved answers and an escalation path.

@@ en regular
$month went to plan for $name: spend, reach and sales stayed close to the previous month, and the month
brought no major surprises.

## Results
- Likes: **{{ kpi("likes") }}** ({{ delta("likes") }})
- ROI: **{{ kpi("roi") }}** ({{ delta("roi") }})
- Cost per acquisition: {{ kpi("cpa") }} ({{ delta("cpa") }})

{{ chart("spend_revenue_daily") }}

**$best_campaign** stays our most efficient campaign; **$likes_campaign** keeps buying reach and likes, not
sales, which is what it is for.

## Attribution
Discount code **$code** and the hashtag **$hashtag** remain our clearest signals of sales and buzz that
happen outside the ads. Code revenue was {{ kpi("code_revenue") }} and hashtag views {{ kpi("hashtag_views") }}.

{{ chart("codes_revenue") }}

{{ table("hashtags", limit=5) }}

## Next steps
1. Keep the posting rhythm of three posts a week.
2. Test one new creator collaboration next month.

@@ de spike
Der $month war für $name ein solider Monat: Die Reichweite der Anzeigen blieb stabil, die Posts kamen
planmäßig, und die Community wuchs weiter. Eine Zahl müssen wir uns genauer ansehen: Am **$spike_date**
stiegen die Likes auf etwa das Achtfache des Üblichen, während die Videoaufrufe unverändert blieben.

## Likes und Engagement
Insgesamt kamen **{{ kpi("likes") }}** Likes zusammen ({{ delta("likes") }} zum Vormonat), bei einer
Engagement-Rate von {{ kpi("engagement_rate") }}.

{{ chart("likes_daily") }}

**Zum $spike_date:** Ein Like-Sprung ohne zusätzliche Aufrufe deutet meist auf unechte Aktivität hin –
gekaufte Likes, Like-Gruppen oder Bots. Wir haben kein Engagement gekauft und TikTok um eine Prüfung des
Kontos gebeten. Bis dahin sollte die Like-Summe dieses Monats mit Vorsicht gelesen werden.

{{ chart("rates_daily") }}

## Bezahlte Kampagnen
- Return on Ad Spend: **{{ kpi("roas") }}** ({{ delta("roas") }}), ROI {{ kpi("roi") }}.
- **$likes_campaign** brachte {{ kpi("paid_likes") }} bezahlte Likes zu je {{ kpi("cost_per_like") }},
  aber kaum Verkäufe. Für die Bekanntheit erfüllt sie ihren Zweck – am Umsatz sollte man sie nicht messen.
- **$best_campaign** bleibt die effizienteste Kampagne.

{{ table("campaigns", limit=6) }}

$note

## Nächste Schritte
1. Das Verhältnis von Likes zu Aufrufen täglich beobachten.
2. 10 % des Awareness-Budgets zu **$best_campaign** verschieben.

@@ de viral
Der $month gehört einem einzigen Video: **„$viral_title“**, gepostet am $viral_date, erreichte rund
**$viral_x-mal** so viele Aufrufe wie ein typischer Post und ist damit unser bisher erfolgreichstes Video.
Neue Follower und Likes sprangen in den Tagen danach deutlich nach oben.

## Das virale Video
{{ table("top_videos", limit=5) }}

Das Follower-Wachstum lag bei **{{ kpi("follower_growth") }}** ({{ delta("follower_growth") }}), die
Aufrufe insgesamt bei {{ kpi("views") }} ({{ delta("views") }}).

{{ chart("followers_daily") }}

Was funktioniert hat:
- ein **Trend-Sound**, früh aufgegriffen,
- ein starker Einstieg in der ersten Sekunde,
- Antworten auf die Top-Kommentare mit eigenen Folgevideos.

## Hat es verkauft?
Kaum – und das ist bei viraler Reichweite normal. Die Conversions pro 1.000 Likes fielen auf
{{ kpi("conversions_per_1k_likes") }} ({{ delta("conversions_per_1k_likes") }}). Das virale Publikum ist
breit; gekauft wurde wie gewohnt über die Kampagnen, deren ROI bei **{{ kpi("roi") }}**
({{ delta("roi") }}) lag. **$likes_campaign** sammelte erneut Likes statt Bestellungen.

{{ chart("funnel") }}

$note

## Nächste Schritte
1. Zwei Folgevideos im selben Format drehen, solange der Sound noch trendet.
2. Die Zuschauer des Videos mit **$best_campaign** erneut ansprechen.

@@ de crisis
Der $month wurde von einem schwierigen Tag überschattet. Am **$crisis_date** erhielt der Post
**„$crisis_title“** innerhalb weniger Stunden rund $negative negative Kommentare, die meisten über
$crisis_topic. Die Stimmung hat sich seitdem erholt, der Rest des Monats verlief nach Plan.

## Was am $crisis_date passiert ist
{{ chart("sentiment_daily") }}

- Der Anteil negativer Kommentare lag bei **{{ kpi("negative_ratio") }}** ({{ delta("negative_ratio") }}).
- Das Team beantwortete {{ kpi("reply_rate") }} der Kommentare und Nachrichten; mittlere Antwortzeit
  (Minuten): {{ kpi("median_response_minutes") }}.
- Ein angeheftetes Statement und persönliche Antworten beruhigten die Lage noch am selben Abend.

{{ table("worst_videos", limit=5) }}

## Kampagnen und Umsatz
Bei Ausgaben von {{ kpi("spend") }} und einem Umsatz von {{ kpi("revenue") }} lag der ROAS bei
**{{ kpi("roas") }}** ({{ delta("roas") }}). **$likes_campaign** sammelte wieder viele Likes und kaum
Bestellungen, **$best_campaign** trug den Umsatz.

{{ chart("campaign_roas") }}

$note

## Nächste Schritte
1. Ein kurzes FAQ-Video über $crisis_topic veröffentlichen.
2. Ein Krisen-Playbook mit vorab freigegebenen Antworten und klaren Zuständigkeiten schreiben.

@@ de regular
Der $month verlief für $name nach Plan: Ausgaben, Reichweite und Umsatz lagen nahe am Vormonat, größere
Überraschungen blieben aus.

## Ergebnisse
- Likes: **{{ kpi("likes") }}** ({{ delta("likes") }})
- ROI: **{{ kpi("roi") }}** ({{ delta("roi") }})
- Kosten pro Conversion: {{ kpi("cpa") }} ({{ delta("cpa") }})

{{ chart("spend_revenue_daily") }}

**$best_campaign** bleibt unsere effizienteste Kampagne; **$likes_campaign** kauft weiterhin Reichweite und
Likes, keine Verkäufe – genau dafür ist sie da.

## Attribution
Der Rabattcode **$code** und der Hashtag **$hashtag** sind unsere klarsten Signale für Verkäufe und Buzz
außerhalb der Anzeigen. Der Code-Umsatz lag bei {{ kpi("code_revenue") }}, die Hashtag-Aufrufe bei
{{ kpi("hashtag_views") }}.

{{ chart("codes_revenue") }}

{{ table("sources", limit=5) }}

## Nächste Schritte
1. Den Rhythmus von drei Posts pro Woche halten.
2. Im nächsten Monat eine neue Creator-Kooperation testen.
"""

if __name__ == "__main__":
    main()
