"""The canonical data kinds: their columns, column types and how a file's kind is recognised."""

from __future__ import annotations

from dataclasses import dataclass

# Column types: date, datetime, int, net (a whole number that may be negative: a day's change), money (float >= 0),
# float, text, id, bool, and enum:<a|b|c>.
NUMBER_TYPES = ("int", "net", "money", "float")
TIME_TYPES = ("date", "datetime")


@dataclass(frozen=True)
class Kind:
    name: str
    required: dict[str, str]
    optional: dict[str, str]
    events: bool = False  # a row is one event (a shop's order), not a day's figures: see overlaps

    @property
    def columns(self) -> dict[str, str]:
        return {**self.required, **self.optional}


_COUNTS = ("impressions", "reach", "clicks", "video_views", "views_2s", "views_6s", "likes",
           "comments", "shares", "follows", "profile_visits", "conversions")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("ads", {"date": "date", "campaign": "text", "spend": "money"},
             {"ad_group": "text", "ad": "text", **{c: "int" for c in _COUNTS}, "revenue": "money"}),
        Kind("videos", {"video_id": "id", "posted_at": "datetime", "views": "int", "likes": "int"},
             {"title": "text", "date": "date", "comments": "int", "shares": "int", "saves": "int",
              "new_followers": "int", "avg_watch_seconds": "float", "duration_seconds": "float",
              "trend": "text", "creator": "text", "paid": "bool"}),
        # TikTok Studio's daily figures are changes of lifetime totals: deleted comments make a day negative
        Kind("account", {"date": "date"},
             {"followers": "int", "new_followers": "int", "net_followers": "net", "profile_views": "int",
              "video_views": "int", "likes": "net", "comments": "net", "shares": "net", "viewers": "int",
              "new_viewers": "int", "returning_viewers": "int"}),
        Kind("community",
             {"received_at": "datetime", "channel": "enum:comment|dm|mention|video_reply|like",
              "direction": "enum:inbound|outbound"},
             {"video_id": "id", "author": "text", "responded_at": "datetime",
              "sentiment": "enum:positive|neutral|negative", "lead": "bool"}),
        Kind("orders", {"date": "date", "code": "text", "orders": "int", "revenue": "money"},
             {"source": "text"}),
        Kind("hashtags", {"date": "date", "hashtag": "text", "posts": "int"}, {"views": "int"}),
        Kind("follower_activity", {"date": "date", "hour": "int", "active_followers": "int"}, {}),
    ]
}

# The column that places a row of each kind in time (videos: `date` when present, see kpis).
TIME_COLUMN = {"ads": "date", "videos": "posted_at", "account": "date", "community": "received_at",
               "orders": "date", "hashtags": "date", "follower_activity": "date"}

EXPECTED = {
    "date": "a date like 2026-10-31",
    "datetime": "a date and time like 2026-10-31 14:05",
    "int": "a whole number >= 0",
    "net": "a whole number (a change: may be negative)",
    "money": "an amount >= 0",
    "float": "a number >= 0",
    "bool": "true or false",
    "id": "an ID with all its digits (a spreadsheet saved it as a number and dropped digits; "
          "format the column as text)",
    "text": "text",
}


def expected(ctype: str) -> str:
    if ctype.startswith("enum:"):
        return "one of " + ", ".join(ctype[5:].split("|"))
    return EXPECTED[ctype]
