"""Trust: every KPI in kpis.json equals an independent recomputation from the raw rows.

The bundled demo project and a generated one (`sitegen.demo.generate_many`) are built with the real CLI. For each
report, the client's raw CSV files are loaded into DuckDB with `read_csv` and every KPI of the catalogue in
`../shared/brief/product.md` is recomputed in plain SQL, for the report's period and for its comparison period, and
compared with `kpis.json` (`value`, `previous`, and the `change`, `target` and `attainment` derived from them).

Nothing of sitegen's loading or KPI code is used (no sitegen.load, sitegen.kpis, sitegen.periods): sitegen builds
the site, and `sitegen.data.kinds` only names the canonical columns and their types. Periods, comparison periods and
targets are read from the front matter and TOML files here. Where the brief leaves a choice open, the SQL follows
the rule sitegen's docs (docs/user-guide) document, cited in a comment beside it.
"""

from __future__ import annotations

import calendar
import csv
import json
import math
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import REPO, cli_env

from sitegen.data.kinds import KINDS
from sitegen.demo import generate_many, generic_client, month_range
from sitegen.metrics.catalogue import KPIS

pytestmark = pytest.mark.slow

# The catalogue of the brief (product.md, "KPI catalogue") and the two likes-against-money KPIs of issue 18,
# ids as listed in docs/user-guide/kpis.md.
KPI_IDS = (
    "spend", "impressions", "reach", "clicks", "video_views", "conversions", "revenue", "likes", "organic_likes",
    "paid_likes", "comments", "shares", "saves", "engagements", "views", "engagement_rate", "like_rate",
    "share_rate", "comment_rate", "save_rate", "cpm", "ctr", "cpc", "cost_per_like", "conversion_rate", "cpa",
    "roas", "roi", "conversions_per_1k_likes", "revenue_per_1k_likes", "likes_per_conversion", "follower_growth",
    "follower_growth_rate", "reply_rate",
    "median_response_minutes", "dm_leads", "outbound_interactions", "negative_ratio", "code_orders",
    "code_revenue", "code_roi", "shop_orders", "shop_revenue", "code_order_share", "code_revenue_share",
    "hashtag_posts", "hashtag_views", "mentions", "trend_lift", "collab_lift",
)
# KPIs that cannot be recomputed independently, with the reason. None: every KPI is recomputed below.
NOT_RECOMPUTED: dict[str, str] = {}
# Money amounts are compared to the cent; everything else (counts, ratios, money ratios) within 1e-9 relative.
MONEY_SUMS = {"spend", "revenue", "code_revenue", "shop_revenue"}
REL_TOL = 1e-9

# Headers that are aliases of a canonical column (header as written -> canonical name). The demo and generated
# projects are clean canonical exports, so there are none; a test below checks every header is canonical.
ALIASES: dict[str, str] = {}

SQL_TYPES = {"date": "DATE", "datetime": "TIMESTAMP", "int": "BIGINT", "net": "BIGINT", "money": "DECIMAL(38, 6)",
             "float": "DOUBLE", "bool": "BOOLEAN", "text": "VARCHAR", "id": "VARCHAR"}

GENERATED_CLIENTS, GENERATED_MONTHS = 3, 3


def sql_type(ctype: str) -> str:
    return "VARCHAR" if ctype.startswith("enum:") else SQL_TYPES[ctype]


# ------------------------------------------------------------------------------------------ projects and reports

def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n", text, re.S)
    return (yaml.safe_load(match.group(1)) or {}) if match else {}


def demo_reports() -> list[tuple[str, str]]:
    """(client folder, report file) of every report in the repository's own demo project."""
    content = REPO / "content"
    assert not [p for p in content.glob("*.md") if p.name != "index.md"], \
        "reports outside client folders: extend this test to find their client"
    return [(folder.name, path.name)
            for folder in sorted(p for p in content.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
            for path in sorted(folder.glob("*.md")) if not front_matter(path).get("draft")]


def generated_reports() -> list[tuple[str, str]]:
    """What generate_many(root, 3, 3) writes: one report per client and month (checked against the build)."""
    return [(generic_client(i).slug, f"{month}.md") for i in range(GENERATED_CLIENTS)
            for month in month_range(GENERATED_MONTHS)]


CASES = [("demo", c, r) for c, r in demo_reports()] + [("generated", c, r) for c, r in generated_reports()]


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """project name -> (project folder, built output), both built at once with the CLI (`sitegen build`)."""
    base = tmp_path_factory.mktemp("recompute")
    demo = base / "demo"
    demo.mkdir()
    shutil.copy2(REPO / "sitegen.toml", demo / "sitegen.toml")
    for folder in ("content", "themes"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, demo / folder)
    generated = base / "generated"
    generate_many(generated, GENERATED_CLIENTS, GENERATED_MONTHS)
    built = {name: (root, base / f"{name}-out") for name, root in (("demo", demo), ("generated", generated))}
    for root, _ in built.values():  # static chart images play no part in the numbers and take half the build
        settings = root / "sitegen.toml"
        kept = [line for line in settings.read_text(encoding="utf-8").splitlines()
                if not line.startswith("static_charts")]
        settings.write_text("static_charts = false\n" + "\n".join(kept) + "\n", encoding="utf-8")
        assert tomllib.loads(settings.read_text(encoding="utf-8"))["static_charts"] is False
    runs = {name: subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(root), "--output", str(out)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(),
                                   stdin=subprocess.DEVNULL)
            for name, (root, out) in built.items()}
    for name, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"building the {name} project failed:\n{stdout}\n{stderr}"
    return built


def client_slug(folder: Path) -> str:
    config = folder / "client.toml"
    settings = tomllib.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
    slug = settings.get("slug", folder.name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), f"{slug!r} is not a plain slug: extend this test"
    return slug


def report_slug(path: Path) -> str:
    slug = str(front_matter(path).get("slug") or path.stem)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), f"{slug!r} is not a plain slug: extend this test"
    return slug


def test_every_built_report_is_recomputed(projects):
    """The parametrisation below covers every kpis.json the builds wrote, so no report goes unchecked."""
    for name, (root, out) in projects.items():
        expected = {(client_slug(root / "content" / c), report_slug(root / "content" / c / r))
                    for p, c, r in CASES if p == name}
        written = {tuple(p.parent.relative_to(out).parts) for p in out.rglob("kpis.json")}
        assert written == expected, f"{name}: kpis.json written {sorted(written)}, recomputed {sorted(expected)}"


# ------------------------------------------------------------------------------------------------------ periods

def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _period(value, stem: str) -> tuple[date, date]:
    """docs/user-guide/reports.md: `period: "2026-10"` or {start:, end:}; default: the file name."""
    if value is None:
        value = stem
    if isinstance(value, dict):
        start, end = value["start"], value["end"]
        return (start if isinstance(start, date) else date.fromisoformat(str(start)),
                end if isinstance(end, date) else date.fromisoformat(str(end)))
    year, month = re.fullmatch(r"(\d{4})-(\d{2})", str(value)).groups()
    return _month(int(year), int(month))


def _minus_year(day: date) -> date:
    return day.replace(year=day.year - 1) if (day.month, day.day) != (2, 29) else date(day.year - 1, 2, 28)


def _comparison(value, period: tuple[date, date]) -> tuple[date, date] | None:
    """reports.md: "previous" compares a calendar month with the previous calendar month, and any other period with the
    same number of days just before it; previous_year: the same days a year earlier; none: no comparison."""
    if isinstance(value, dict):
        return _period(value, "")
    if value in ("none", None, False):
        return None
    start, end = period
    if value == "previous_year":
        return _minus_year(start), _minus_year(end)
    assert value == "previous", value
    if start.day == 1 and end == _month(start.year, start.month)[1]:
        last = start - timedelta(days=1)
        return _month(last.year, last.month)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


# ----------------------------------------------------------------------------------------------- loading in SQL

def kind_of(headers: list[str], path: Path) -> str:
    """The kind whose required columns the file has and whose columns include all of the file's."""
    names = [ALIASES.get(h, h) for h in headers]
    unknown = [n for n in names if not any(n in k.columns for k in KINDS.values())]
    assert not unknown, f"{path}: headers {unknown} are not canonical (sitegen/kinds.py); map them in ALIASES"
    kinds = [k.name for k in KINDS.values() if set(k.required) <= set(names) <= set(k.columns)]
    assert len(kinds) == 1, f"{path}: columns {names} fit kinds {kinds}, expected exactly one"
    return kinds[0]


def load_client(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """One table per kind with every canonical column, typed, from all of the client's CSV files."""
    con = duckdb.connect()
    files: dict[str, list[tuple[Path, list[str]]]] = {}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))):
        assert path.suffix.lower() == ".csv", f"{path}: only CSV data is recomputed here"
        with path.open(encoding="utf-8", newline="") as fh:
            headers = next(csv.reader(fh))
        files.setdefault(kind_of(headers, path), []).append((path, headers))
    for name, kind in KINDS.items():
        columns = {c: sql_type(t) for c, t in kind.columns.items()}
        if name not in files:  # no file of this kind: an empty table (its KPIs are n/a: `has` in KPI_SQL)
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            continue
        present = list(dict.fromkeys(h for _, headers in files[name] for h in headers))
        types = ", ".join(f"'{h}': '{columns[ALIASES.get(h, h)]}'" for h in present)
        paths = ", ".join("'" + p.as_posix().replace("'", "''") + "'" for p, _ in files[name])
        selected = []
        for c, t in columns.items():
            header = next((h for h in present if ALIASES.get(h, h) == c), None)
            if header is None:
                selected.append(f"NULL::{t} AS {c}")
            elif kind.columns[c].startswith("enum:"):  # enum values are matched without regard to case
                selected.append(f'lower(trim("{header}")) AS {c}')
            else:
                selected.append(f'"{header}" AS {c}')
        cols = ", ".join(columns)
        # docs/user-guide/data.md: "Several files of one kind form one table (monthly drops add up); a row repeated
        # exactly in another file is counted once" (and, load.py: repeats inside one file are kept). The k-th copy
        # of a row in one file is the same row as the k-th copy in another file: keep one per (row, k).
        con.execute(f"""
            CREATE TABLE {name} AS
            WITH raw AS (
                SELECT {', '.join(selected)}, filename
                FROM read_csv([{paths}], header = true, delim = ',', quote = '"', union_by_name = true,
                              filename = true, types = {{{types}}})
            ),
            numbered AS (SELECT {cols}, row_number() OVER (PARTITION BY filename, {cols}) AS nth FROM raw)
            SELECT {cols} FROM (SELECT DISTINCT {cols}, nth FROM numbered)
        """)
    return con


# Every KPI for the period [$s, $e] (calendar days, inclusive). Timestamps in the exports carry no offset: they are
# the client's local time, so a row's day is the date written (brief: "Periods are calendar days inclusive, in the
# client's time zone"; sitegen does not document a conversion, and the demo data are written in local time).
KPI_SQL = """
WITH
has AS (SELECT EXISTS (FROM ads) AS ads, EXISTS (FROM videos) AS videos, EXISTS (FROM account) AS account,
               EXISTS (FROM community) AS community, EXISTS (FROM orders) AS orders,
               EXISTS (FROM hashtags) AS hashtags, EXISTS (FROM orders WHERE code IS NULL) AS all_orders),
-- which rows belong to the period (brief): ads, account, orders, hashtags by date; community by received_at;
-- videos by date where the file has one (daily stats), otherwise by posted_at
ads_p AS (FROM ads WHERE date BETWEEN $s AND $e),
vid_p AS (
    SELECT *, coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) AS eng,
           coalesce(trim(trend), '') <> '' AS is_trend, coalesce(trim(creator), '') <> '' AS is_collab
    FROM videos WHERE coalesce(date, CAST(posted_at AS DATE)) BETWEEN $s AND $e),
acc_p AS (FROM account WHERE date BETWEEN $s AND $e),
com_p AS (SELECT *, direction = 'inbound' AND channel IN ('comment', 'dm') AS cd
          FROM community WHERE CAST(received_at AS DATE) BETWEEN $s AND $e),
ord_p AS (FROM orders WHERE date BETWEEN $s AND $e),
tag_p AS (FROM hashtags WHERE date BETWEEN $s AND $e),
-- sums over the period (a missing cell adds nothing); a kind without any rows gives n/a, not 0
a AS (SELECT coalesce(sum(spend), 0) AS spend, coalesce(sum(impressions), 0) AS impressions,
             coalesce(sum(reach), 0) AS reach, coalesce(sum(clicks), 0) AS clicks,
             coalesce(sum(video_views), 0) AS video_views, coalesce(sum(conversions), 0) AS conversions,
             coalesce(sum(revenue), 0) AS revenue, coalesce(sum(likes), 0) AS likes,
             coalesce(sum(comments), 0) AS comments, coalesce(sum(shares), 0) AS shares FROM ads_p),
v AS (SELECT coalesce(sum(views), 0) AS views, coalesce(sum(likes), 0) AS likes,
             coalesce(sum(comments), 0) AS comments, coalesce(sum(shares), 0) AS shares,
             coalesce(sum(saves), 0) AS saves,
             coalesce(sum(eng) FILTER (WHERE is_trend), 0) AS trend_eng,
             coalesce(sum(views) FILTER (WHERE is_trend), 0) AS trend_views,
             coalesce(sum(eng) FILTER (WHERE NOT is_trend), 0) AS other_eng,
             coalesce(sum(views) FILTER (WHERE NOT is_trend), 0) AS other_views,
             coalesce(sum(eng) FILTER (WHERE is_collab), 0) AS collab_eng,
             coalesce(sum(views) FILTER (WHERE is_collab), 0) AS collab_views,
             coalesce(sum(eng) FILTER (WHERE NOT is_collab), 0) AS owned_eng,
             coalesce(sum(views) FILTER (WHERE NOT is_collab), 0) AS owned_views FROM vid_p),
c AS (SELECT count(*) FILTER (WHERE cd) AS inbound_cd,
             count(*) FILTER (WHERE cd AND responded_at IS NOT NULL) AS answered_cd,
             quantile_cont((epoch(responded_at) - epoch(received_at)) / 60.0, 0.5)
                 FILTER (WHERE cd AND responded_at IS NOT NULL) AS median_minutes,
             count(*) FILTER (WHERE direction = 'inbound' AND lead) AS leads,
             count(*) FILTER (WHERE direction = 'outbound' AND channel IN ('comment', 'like')) AS outbound,
             count(*) FILTER (WHERE direction = 'inbound' AND channel = 'mention') AS mentions FROM com_p),
-- code_orders, code_revenue: orders with a code; shop_orders, shop_revenue: all orders, known only when the orders
-- data lists orders without a code (a shop's order export)
o AS (SELECT coalesce(sum(orders) FILTER (WHERE code IS NOT NULL), 0) AS orders,
             coalesce(sum(revenue) FILTER (WHERE code IS NOT NULL), 0) AS revenue,
             coalesce(sum(orders), 0) AS all_orders, coalesce(sum(revenue), 0) AS all_revenue FROM ord_p),
t AS (SELECT coalesce(sum(posts), 0) AS posts, coalesce(sum(views), 0) AS views FROM tag_p),
-- follower_growth (kpis.md): followers at the period's last day minus the last count before the period (the first
-- count in it when the data starts inside the period); without follower counts, the sum of new_followers.
counted AS (SELECT date, followers FROM account WHERE followers IS NOT NULL),
f_in AS (SELECT count(*) AS n, arg_max(followers, date) AS last_in, arg_min(followers, date) AS first_in
         FROM counted WHERE date BETWEEN $s AND $e),
f_before AS (SELECT arg_max(followers, date) AS last_before FROM counted WHERE date < $s),
f_new AS (SELECT count(new_followers) AS n, sum(new_followers) AS new_followers FROM acc_p),
f AS (SELECT CASE WHEN f_in.n > 0 THEN f_in.last_in - coalesce(f_before.last_before, f_in.first_in)
                  WHEN f_new.n > 0 THEN f_new.new_followers END AS growth,
             CASE WHEN f_in.n > 0 THEN coalesce(f_before.last_before, f_in.first_in) END AS start_count
      FROM f_in, f_before, f_new),
-- negative_ratio (kpis.md): negative inbound comments on the videos commented on in the period / the likes of those
-- videos (lifetime likes for lifetime rows, in-period likes for daily rows)
commented AS (SELECT video_id, sentiment FROM com_p
              WHERE direction = 'inbound' AND channel = 'comment' AND video_id IS NOT NULL),
video_likes AS (SELECT video_id, sum(likes) AS likes FROM videos
                WHERE date IS NULL OR date BETWEEN $s AND $e GROUP BY video_id),
n AS (SELECT (SELECT count(*) FROM commented WHERE video_id IN (FROM video_likes SELECT video_id)) AS comments,
             (SELECT count(*) FROM commented WHERE sentiment = 'negative'
                                               AND video_id IN (FROM video_likes SELECT video_id)) AS negative,
             (SELECT sum(likes) FROM video_likes WHERE video_id IN (FROM commented SELECT video_id)) AS likes),
-- code_roi (kpis.md): (code revenue - spend) / spend over the sources that name a campaign with spend
source_spend AS (SELECT s.revenue, camp.spend
                 FROM (SELECT source, sum(revenue) AS revenue FROM ord_p GROUP BY source) s
                 JOIN (SELECT campaign, sum(spend) AS spend FROM ads_p GROUP BY campaign) camp
                   ON camp.campaign = s.source
                 WHERE camp.spend > 0),
r AS (SELECT sum(revenue) AS revenue, sum(spend) AS spend FROM source_spend),
-- totals, n/a where the client has no data of the kind
g AS (SELECT
    CASE WHEN has.ads THEN a.spend END AS spend, CASE WHEN has.ads THEN a.impressions END AS impressions,
    CASE WHEN has.ads THEN a.reach END AS reach, CASE WHEN has.ads THEN a.clicks END AS clicks,
    CASE WHEN has.ads THEN a.video_views END AS video_views,
    CASE WHEN has.ads THEN a.conversions END AS conversions, CASE WHEN has.ads THEN a.revenue END AS revenue,
    CASE WHEN has.ads THEN a.likes END AS paid_likes, CASE WHEN has.ads THEN a.comments END AS paid_comments,
    CASE WHEN has.ads THEN a.shares END AS paid_shares,
    CASE WHEN has.videos THEN v.likes END AS organic_likes,
    CASE WHEN has.videos THEN v.comments END AS organic_comments,
    CASE WHEN has.videos THEN v.shares END AS organic_shares,
    CASE WHEN has.videos THEN v.saves END AS saves, CASE WHEN has.videos THEN v.views END AS organic_views,
    v.trend_eng, v.trend_views, v.other_eng, v.other_views,
    v.collab_eng, v.collab_views, v.owned_eng, v.owned_views,
    c.inbound_cd, c.answered_cd, c.median_minutes, c.leads, c.outbound, c.mentions, has.community AS community,
    f.growth, f.start_count, n.comments AS neg_comments, n.negative, n.likes AS neg_likes,
    CASE WHEN has.orders THEN o.orders END AS code_orders, CASE WHEN has.orders THEN o.revenue END AS code_revenue,
    has.orders AS has_orders, r.revenue AS src_revenue, r.spend AS src_spend,
    CASE WHEN has.orders AND has.all_orders THEN o.all_orders END AS shop_orders,
    CASE WHEN has.orders AND has.all_orders THEN o.all_revenue END AS shop_revenue,
    CASE WHEN has.hashtags THEN t.posts END AS hashtag_posts,
    CASE WHEN has.hashtags THEN t.views END AS hashtag_views
  FROM has, a, v, c, o, t, f, n, r),
-- paid and organic add up (brief): likes, comments, shares, views of both sources
sums AS (SELECT *, plus(paid_likes, organic_likes) AS likes, plus(paid_comments, organic_comments) AS comments,
                   plus(paid_shares, organic_shares) AS shares, plus(video_views, organic_views) AS views
         FROM g),
k AS (SELECT *, plus(plus(likes, comments), plus(shares, saves)) AS engagements FROM sums),
-- a period outside the client's data altogether is n/a throughout
days AS (SELECT date AS day FROM ads UNION ALL SELECT coalesce(date, CAST(posted_at AS DATE)) FROM videos
         UNION ALL SELECT date FROM account UNION ALL SELECT CAST(received_at AS DATE) FROM community
         UNION ALL SELECT date FROM orders UNION ALL SELECT date FROM hashtags),
span AS (SELECT min(day) AS first_day, max(day) AS last_day FROM days)
SELECT
    spend, impressions, reach, clicks, video_views, conversions, revenue,
    likes, organic_likes, paid_likes, comments, shares, saves, engagements, views,
    ratio(engagements, views) AS engagement_rate, ratio(likes, views) AS like_rate,
    ratio(shares, views) AS share_rate, ratio(comments, views) AS comment_rate, ratio(saves, views) AS save_rate,
    ratio(spend, impressions) * 1000 AS cpm, ratio(clicks, impressions) AS ctr, ratio(spend, clicks) AS cpc,
    ratio(spend, paid_likes) AS cost_per_like, ratio(conversions, clicks) AS conversion_rate,
    ratio(spend, conversions) AS cpa, ratio(revenue, spend) AS roas, ratio(revenue - spend, spend) AS roi,
    ratio(conversions, likes) * 1000 AS conversions_per_1k_likes,
    ratio(revenue, likes) * 1000 AS revenue_per_1k_likes, ratio(likes, conversions) AS likes_per_conversion,
    growth AS follower_growth, ratio(growth, start_count) AS follower_growth_rate,
    CASE WHEN community THEN ratio(answered_cd, inbound_cd) END AS reply_rate,
    median_minutes AS median_response_minutes,
    CASE WHEN community THEN leads END AS dm_leads,
    CASE WHEN community THEN outbound END AS outbound_interactions,
    CASE WHEN community AND neg_comments > 0 THEN ratio(negative, neg_likes) END AS negative_ratio,
    code_orders, code_revenue,
    CASE WHEN has_orders THEN ratio(src_revenue - src_spend, src_spend) END AS code_roi,
    shop_orders, shop_revenue, ratio(code_orders, shop_orders) AS code_order_share,
    ratio(code_revenue, shop_revenue) AS code_revenue_share,
    hashtag_posts, hashtag_views,
    CASE WHEN community THEN mentions END AS mentions,
    ratio(ratio(trend_eng, trend_views), ratio(other_eng, other_views)) AS trend_lift,
    ratio(ratio(collab_eng, collab_views), ratio(owned_eng, owned_views)) AS collab_lift
FROM k, span
WHERE first_day IS NOT NULL AND NOT ($e < first_day OR $s > last_day)
"""

MACROS = """
CREATE MACRO ratio(num, den) AS CAST(num AS DOUBLE) / nullif(CAST(den AS DOUBLE), 0);
CREATE MACRO plus(x, y) AS CASE WHEN x IS NULL AND y IS NULL THEN NULL ELSE coalesce(x, 0) + coalesce(y, 0) END;
"""


def recompute(con: duckdb.DuckDBPyConnection, period: tuple[date, date] | None) -> dict[str, float | None]:
    if period is None:
        return dict.fromkeys(KPI_IDS)
    cursor = con.execute(KPI_SQL, {"s": period[0], "e": period[1]})
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert set(names) == set(KPI_IDS)
    if row is None:
        return dict.fromkeys(KPI_IDS)
    return {k: None if v is None else float(v) for k, v in zip(names, row)}


# ------------------------------------------------------------------------------------------------------ compare

def same(kpi: str, field: str, shown, expected) -> bool:
    if shown is None or expected is None:
        return shown is None and expected is None
    if isinstance(shown, bool) or not isinstance(shown, int | float) or not math.isfinite(shown):
        return False
    if kpi in MONEY_SUMS and field in ("value", "previous", "target"):
        return abs(Decimal(str(shown)) - Decimal(str(expected))) < Decimal("0.005")
    return math.isclose(shown, expected, rel_tol=REL_TOL, abs_tol=1e-12)


def relative_change(value, previous):
    if value is None or previous is None or previous == 0:
        return None
    return (value - previous) / abs(previous)


def attainment(kpi: str, value, target):
    """Share of the target reached: value / target, or target / value where lower is better."""
    if value is None or target is None:
        return None
    num, den = (value, target) if KPIS[kpi].higher_is_better else (target, value)
    return None if den == 0 else num / den


def targets_for(root: Path, folder: Path, report: Path) -> dict[str, float]:
    """sitegen.toml [targets], then the client's client.toml [targets], then the report's front matter."""
    site = tomllib.loads((root / "sitegen.toml").read_text(encoding="utf-8")) if (root / "sitegen.toml").is_file() \
        else {}
    client = tomllib.loads((folder / "client.toml").read_text(encoding="utf-8")) \
        if (folder / "client.toml").is_file() else {}
    merged = {**site.get("targets", {}), **client.get("targets", {}), **(front_matter(report).get("targets") or {})}
    return {k: float(v) for k, v in merged.items()}


@pytest.fixture(scope="module")
def connections():
    cache: dict[Path, duckdb.DuckDBPyConnection] = {}
    yield cache
    for con in cache.values():
        con.close()


@pytest.mark.parametrize(("project", "client", "report"), CASES, ids=["/".join(c) for c in CASES])
def test_kpis_equal_sql_recomputation(projects, connections, project, client, report):
    root, out = projects[project]
    folder, path = root / "content" / client, root / "content" / client / report
    document = json.loads((out / client_slug(folder) / report_slug(path) / "kpis.json").read_text(encoding="utf-8"))

    meta = front_matter(path)
    site = tomllib.loads((root / "sitegen.toml").read_text(encoding="utf-8"))
    period = _period(meta.get("period"), path.stem)
    comparison = _comparison(meta.get("comparison", site.get("comparison", "previous")), period)
    assert document["period"] == {"start": period[0].isoformat(), "end": period[1].isoformat()}
    assert document["comparison"] == (None if comparison is None else
                                      {"start": comparison[0].isoformat(), "end": comparison[1].isoformat()})
    assert tuple(document["kpis"]) == KPI_IDS, "kpis.json does not hold exactly the brief's KPI catalogue"

    if folder not in connections:
        connections[folder] = load_client(folder / "data")
        connections[folder].execute(MACROS)
    con = connections[folder]
    values, previous = recompute(con, period), recompute(con, comparison)
    targets = targets_for(root, folder, path)

    mismatches = []
    for kpi in KPI_IDS:
        if kpi in NOT_RECOMPUTED:
            continue
        shown = document["kpis"][kpi]
        expected = {"value": values[kpi], "previous": previous[kpi], "target": targets.get(kpi),
                    "change": relative_change(values[kpi], previous[kpi]),
                    "attainment": attainment(kpi, values[kpi], targets.get(kpi))}
        for field, want in expected.items():
            if not same(kpi, field, shown[field], want):
                mismatches.append(f"{kpi}.{field}: kpis.json {shown[field]!r}, SQL {want!r}")
    compared = "none" if comparison is None else f"{comparison[0]}..{comparison[1]}"
    assert not mismatches, (f"{project}/{client}/{report}: {len(mismatches)} figures differ from the SQL "
                            f"recomputation (period {period[0]}..{period[1]}, comparison {compared}):\n  "
                            + "\n  ".join(mismatches))
