"""Header names as exports write them, mapped onto the canonical columns of each data kind.

Headers are compared by a key that ignores case, spacing (incl. non-breaking spaces), full-width
brackets and punctuation, and a trailing plural "s": "Clicks (Destination)", "clicks（destination）"
and "Click destination" are one key. Users map headers the table does not know in `[columns]`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from functools import cache, lru_cache

from sitegen.data.kinds import KINDS
from sitegen.data.synced_names import API_IGNORED, is_metadata, nested_field

# canonical column -> header spellings of TikTok Ads Manager, TikTok Studio and German spreadsheets; Ads
# Manager's Japanese ones from a real export (tests/data/README.md: ads-manager-ja-sjis.csv); the TikTok
# Marketing API's field names as sync tools write them (see synced_names)
ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "by day", "day", "stat time day", "datum", "tag", "stat_time_day"),
    "campaign": ("campaign name", "campaign", "kampagnenname", "kampagne", "kampagnen name", "キャンペーン名",
                 "campaign_name"),
    "ad_group": ("ad group name", "ad group", "adgroup name", "anzeigengruppenname", "anzeigengruppe",
                 "anzeigengruppen name", "adgroup_name"),
    "ad": ("ad name", "ad", "anzeigenname", "anzeige", "anzeigen name", "ad_name"),
    "spend": ("cost", "spend", "total cost", "amount spent", "kosten", "ausgaben", "gesamtkosten", "コスト"),
    "impressions": ("impression", "impressions", "impressionen", "インプレッション"),
    "reach": ("reach", "reichweite"),
    "clicks": ("clicks (destination)", "clicks", "click", "klicks (ziel)", "klicks", "クリック（誘導先）"),
    "video_views": ("video views", "video view", "videoaufrufe", "video aufrufe", "video_play_actions"),
    "views_2s": ("2-second video views", "2 second video views", "2-sekunden-videoaufrufe",
                 "videoaufrufe (2 sekunden)", "video_watched_2s", "video_watched_2_s"),
    "views_6s": ("6-second video views", "6 second video views", "6-sekunden-videoaufrufe",
                 "videoaufrufe (6 sekunden)", "video_watched_6s", "video_watched_6_s"),
    "likes": ("paid likes", "likes", "gefällt mir", "bezahlte likes", "total likes"),
    "comments": ("paid comments", "comments", "kommentare", "bezahlte kommentare", "total comments"),
    "shares": ("paid shares", "shares", "geteilt", "bezahlte shares", "total shares"),
    "follows": ("paid follows", "follows", "bezahlte follows"),
    "profile_visits": ("paid profile visits", "profile visits", "profilbesuche", "bezahlte profilbesuche"),
    "conversions": ("conversions", "conversion", "konversionen", "conversions (click)", "コンバージョン"),
    "revenue": ("total complete payment value", "complete payment value", "purchase value",
                "total purchase value", "revenue", "umsatz", "gesamtwert der abgeschlossenen zahlungen"),
    "currency": ("currency", "währung", "通貨"),
    "video_id": ("video id", "item id", "post id"),
    "video_link": ("video link", "link", "videolink"),
    "posted_at": ("post time", "posted at", "publish time", "veröffentlichungszeit", "veröffentlicht am"),
    "title": ("video title", "title", "titel", "videotitel", "caption"),
    "views": ("total views", "views", "video views", "aufrufe"),
    "saves": ("saves", "total saves", "favorites", "gespeichert"),
    "followers": ("followers", "follower", "total followers"),
    "new_followers": ("new followers", "neue follower"),
    "net_followers": ("difference in followers from previous day", "net followers", "follower change",
                      "net follower change", "netto follower"),
    "viewers": ("total viewers", "viewers", "zuschauer"),
    "new_viewers": ("new viewers", "neue zuschauer"),
    "returning_viewers": ("returning viewers", "wiederkehrende zuschauer"),
    "hour": ("hour", "stunde"),
    "active_followers": ("active followers", "aktive follower"),
    "profile_views": ("profile views", "profilaufrufe"),
}

# Columns exports carry that sitegen recomputes or does not need: read silently, never trusted.
IGNORED = frozenset({
    "cpc (destination)", "cpc", "cpm", "ctr (destination)", "ctr", "cpa", "cost per conversion",
    "conversion rate", "cvr", "cvr (clicks)", "cost per 1000 people reached", "frequency", "time",
    "average play time per video view", "video views at 25%", "video views at 50%", "video views at 75%",
    "video views at 100%", "kpc", "tkp", "klickrate", "kosten pro konversion", "konversionsrate",
    "一級ステータス", "キャンペーン予算", "cpc（誘導先）", "ctr（誘導先）", "コンバージョン単価",
    "コンバージョン率（cvr）", "結果", "結果の単価", "結果率（％）", "ディープファネル結果",
    "ディープファネル結果ごとのコスト", "ディープファネル結果の割合", "目標ベースの予算増加",
    "result", "results", "cost per result", "result rate", "status", "primary status", "currency code",
}) | API_IGNORED

# Columns that help reading a file but are not part of any kind.
EXTRA = frozenset({"currency", "video_link"})

# Where one header means different canonical columns in different kinds.
KIND_PREFERENCE = {"videos": {"video views": "views", "likes": "likes", "total views": "views"}}


@lru_cache(maxsize=8192)  # bounded: the first rows' cells of every file are asked about (is_known_header)
def header_key(name: str) -> str:
    field = nested_field(name)  # `metrics.spend`, `metrics__spend`: as `spend`
    text = unicodedata.normalize("NFKC", str(name) if field is None else field)
    text = text.replace("\ufeff", "").replace("\xa0", " ").casefold()
    text = re.sub(r"[^\w%]+", " ", text).strip()
    return re.sub(r"(?<=[a-z])s\b$", "", text)  # "impressions" and "impression" are one key


@cache
def _alias_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for kind in KINDS.values():
        for canonical in kind.columns:
            keys.setdefault(header_key(canonical), canonical)
            keys.setdefault(header_key(canonical.replace("_", " ")), canonical)
    for canonical, spellings in ALIASES.items():
        for spelling in (canonical, canonical.replace("_", " "), *spellings):
            keys.setdefault(header_key(spelling), canonical)
    return keys


@cache
def _ignored_keys() -> frozenset[str]:
    return frozenset(header_key(h) for h in IGNORED)


_ASCII_LETTER = re.compile("[A-Za-z]")


def is_known_header(name: str) -> bool:
    if isinstance(name, str) and name.isascii() and _ASCII_LETTER.search(name) is None and _keys_have_letters():
        return False  # a number, a date: its key has no letter, and every known key has one
    key = header_key(name)
    return key in _alias_keys() or key in _ignored_keys()


@cache
def _keys_have_letters() -> bool:
    """Whether every known ASCII key holds an ASCII letter (header_key of ASCII text without letters has none,
    and is ASCII: the Japanese keys cannot match it)."""
    return all(_ASCII_LETTER.search(k) for k in (*_alias_keys(), *_ignored_keys()) if k.isascii())


def map_headers(headers: list[str], kind_name: str, user: dict[str, str]) -> dict[str, str]:
    """File header -> canonical column for one kind (headers that map nowhere are left out). A column the user
    maps a header to takes no built-in spelling; of two headers for one column, the first is taken (see
    `doubled`)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header, canonical, _ in _canonical_columns(headers, kind_name, user):
        if canonical not in taken:
            mapping[header] = canonical
            taken.add(canonical)
    return mapping


def doubled(headers: list[str], kind_name: str, user: dict[str, str]) -> list[tuple[int, int, str]]:
    """Pairs of headers (their positions in `headers`) that map to one column of the kind: (first, other,
    column). A header repeated as written comes as the readers name it again ("spend.1", as pandas does)."""
    return list(_doubled(tuple(headers), kind_name, tuple(user.items())))


@lru_cache(maxsize=256)  # a client's monthly drops share their headers
def _doubled(headers: tuple[str, ...], kind_name: str, user: tuple[tuple[str, str], ...]):
    headers = list(headers)
    seen: dict[str, int] = {}
    pairs = []
    for header, canonical, _ in _canonical_columns(headers, kind_name, dict(user), repeats=True):
        at = headers.index(header)
        if canonical in seen:
            pairs.append((seen[canonical], at, canonical))
        else:
            seen[canonical] = at
    return tuple(pairs)


def written_header(header: str, headers: list[str]) -> str:
    """A header as the file writes it: "spend.1", the readers' name of a second "spend", is "spend"."""
    repeated = _REPEATED.fullmatch(header)
    while repeated and repeated[1] in headers[:headers.index(header)]:
        header = repeated[1]
        repeated = _REPEATED.fullmatch(header)
    return header


_REPEATED = re.compile(r"(.*)\.\d+", re.DOTALL)


def _canonical_columns(headers: list[str], kind_name: str, user: dict[str, str],
                       repeats: bool = False) -> list[tuple[str, str, bool]]:
    """(header, canonical column, mapped by the user) of each header that maps to a column of the kind, with
    `repeats` also the readers' renamed repeats of a header ("spend.1")."""
    kind = KINDS[kind_name]
    wanted = set(kind.columns) | EXTRA
    user_keys = {header_key(k): v for k, v in user.items()}
    preference = {header_key(k): v for k, v in KIND_PREFERENCE.get(kind_name, {}).items()}
    found = []
    copies = _copies(headers)
    for header in headers:
        if header in copies:
            continue
        key = header_key(written_header(header, headers) if repeats else header)
        mine = user_keys.get(key)
        canonical = mine or preference.get(key) or _alias_keys().get(key)
        if canonical in wanted:
            found.append((header, canonical, mine is not None))
    users = {c for _, c, mine in found if mine}
    return [(h, c, mine) for h, c, mine in found if mine or c not in users]


def _copies(headers: list[str]) -> set[str]:
    """Flattened `metrics`/`dimensions` fields that the rows also have as a column of their own (Airbyte copies
    `stat_time_day` and the record's ID out of `dimensions`): that column is read, the copy left aside."""
    nested = [h for h in headers if nested_field(h) is not None]
    if not nested:
        return set()
    bare = {header_key(h) for h in headers if nested_field(h) is None}
    return {h for h in nested if header_key(h) in bare}


def unmapped(headers: list[str], mapping: dict[str, str]) -> list[str]:
    """The headers no column took that are neither ignored nor a sync tool's own (`_airbyte_extracted_at`)."""
    ignored, copies = _ignored_keys(), _copies(headers)
    return [h for h in headers if h not in mapping and header_key(h) not in ignored and str(h).strip()
            and h not in copies and not is_metadata(h)]


def suggestions(header: str, columns: Collection[str] | None = None, limit: int = 3) -> list[str]:
    """Known header spellings closest to an unknown one, as 'spelling (column)': spellings of `columns` only
    (those the header could still be), or of every column."""
    keys = {k: c for k, c in _alias_keys().items() if columns is None or c in columns}
    close = difflib.get_close_matches(header_key(header), list(keys), n=limit, cutoff=SIMILAR)
    return [f"{k!r} ({keys[k]})" for k in close]


SIMILAR = 0.6  # difflib's ratio from which two header keys are taken for spellings of one name


def spelling_like(header: str, column: str) -> str | None:
    """The known spelling of `column` that `header` is plausibly a spelling of: one whose key is close to the
    header's, or a word of it ("Stat date" holds "date"); None when no spelling is."""
    key = header_key(header)
    spellings = [k for k, c in _alias_keys().items() if c == column]
    words = f" {key} "
    held = [k for k in spellings if len(k) >= 3 and f" {k} " in words]
    if held:
        return max(held, key=len)
    close = difflib.get_close_matches(key, spellings, n=1, cutoff=SIMILAR)
    return close[0] if close else None
