"""Sales per video, the creators and trends tables, and the campaigns' likes columns: hand-computed values on a
small dataset, invariants on generated ones, the client.toml [creators] setting, and the sections on a page."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from helpers import build, make_project, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics, SitegenError
from sitegen.metrics.collabs import creator_table, trend_table
from sitegen.metrics.facts import client_facts
from sitegen.metrics.handles import handle_key
from sitegen.metrics.periods import month
from sitegen.metrics.report import report_kpis
from sitegen.project.settings import load_client_config

V1 = "7000000000000000001"


def video(vid, posted, title, views, likes, comments=0, shares=0, saves=0, trend="", creator=""):
    return dict(video_id=vid, posted_at=posted, title=title, views=str(views), likes=str(likes),
                comments=str(comments), shares=str(shares), saves=str(saves), trend=trend, creator=creator)


TABLES = {
    "videos": [
        video(V1, "2026-10-03 10:00", "Own A", 1000, 100, 10, 5, 5),
        video("7000000000000000002", "2026-10-05 10:00", "Lena 1", 2000, 300, 20, 10, 10, "Hike", "@Lena.Outdoor"),
        video("7000000000000000003", "2026-10-07 10:00", "Lena 2", 1000, 100, creator="lena.outdoor"),
        video("7000000000000000004", "2026-10-09 10:00", "Tom", 0, 0, trend="hike", creator="@tom"),
        video("7000000000000000005", "2026-09-10 10:00", "Old hike", 1000, 200, trend="Hike"),
        video("7000000000000000006", "2026-09-12 10:00", "Sep own", 1000, 100),
        video("7000000000000000007", "2026-08-01 10:00", "Aug dance", 100, 10, trend="Dance"),
        video("7000000000000000008", "2026-10-11 10:00", "Oct dance", 0, 0, trend="Dance"),
    ],
    "orders": [
        dict(date="2026-10-02", code="L5", orders="3", revenue="90", source="Spark – @lena.outdoor"),
        dict(date="2026-10-03", code="L6", orders="2", revenue="60", source="LENA.OUTDOOR"),
        dict(date="2026-10-04", code="N1", orders="1", revenue="20", source="@newbie"),
        dict(date="2026-10-05", code="V2", orders="4", revenue="100", source="Lena 2"),
        dict(date="2026-10-06", code="V1", orders="1", revenue="10", source=V1),
    ],
    "ads": [
        dict(date="2026-10-02", campaign="Spark – @Lena.Outdoor", ad="Boost", spend="50", likes="40",
             conversions="2", revenue="80"),
        dict(date="2026-10-03", campaign="Brand", ad="Lena 1", spend="100", likes="0", conversions="1",
             revenue="30"),
    ],
}
FEES = {"@LENA.outdoor": 100.0, "tom": 50.0}


@pytest.fixture(scope="module")
def kpis(tmp_path_factory):
    folder = tmp_path_factory.mktemp("collabs")
    for kind, rows in TABLES.items():
        write_csv(folder / "data" / f"{kind}.csv", rows)
    facts = client_facts(load_client_data(folder / "data", Diagnostics()))
    return report_kpis(facts, month(2026, 10), month(2026, 9), {}, fees=FEES)


def rows(kpis, table):
    return kpis.tables[table].to_dict("records")


def same(got, want):
    if want is None:
        assert got is None or (isinstance(got, float) and math.isnan(got)), got
    else:
        assert got == pytest.approx(want, rel=1e-12)


def test_creator_rows_match_hand_computed_values(kpis):
    # own videos: Own A only, engagement rate 120 / 1000; Lena: (340 + 100) / 3000
    want = [
        dict(creator="@Lena.Outdoor", videos=2, views=3000, likes=400, engagement_rate=440 / 3000,
             lift=(440 / 3000) / 0.12, code_orders=5, code_revenue=150, ad_spend=50, ad_revenue=80, fee=100,
             cost_per_like=100 / 400, roi=(150 + 80 - 100 - 50) / (100 + 50)),
        dict(creator="@tom", videos=1, views=0, likes=0, engagement_rate=None, lift=None, code_orders=None,
             code_revenue=None, ad_spend=None, ad_revenue=None, fee=50, cost_per_like=None, roi=None),
        dict(creator="@newbie", videos=0, views=None, likes=None, engagement_rate=None, lift=None, code_orders=1,
             code_revenue=20, ad_spend=None, ad_revenue=None, fee=None, cost_per_like=None, roi=None),
    ]
    got = rows(kpis, "creators")
    assert [r["creator"] for r in got] == [w["creator"] for w in want]
    for g, w in zip(got, want):
        for column, value in w.items():
            if column != "creator":
                same(g[column], value)


def test_trend_rows_match_hand_computed_values(kpis):
    row, dance = rows(kpis, "trends")
    # October: Hike (and "hike") 2000 views, 340 engagements; the others 2000 views, 220 engagements.
    # September: Hike 200 / 1000 against 100 / 1000, a lift of 2.0: October's is lower, so it fades
    assert row["trend"] == "Hike" and row["videos"] == 2 and row["likes"] == 300
    same(row["engagement_rate"], 0.17)
    same(row["lift"], 0.17 / 0.11)
    assert row["first_seen"] == pd.Timestamp("2026-09-10 10:00") and row["last_seen"] == pd.Timestamp(
        "2026-10-09 10:00")
    assert row["fading"] == "fading"
    # Dance: no views in October (no lift), seen in August but not in September: whether it fades is n/a
    assert dance["trend"] == "Dance" and dance["videos"] == 1 and not isinstance(dance["fading"], str)
    same(dance["lift"], None)
    assert dance["first_seen"] == pd.Timestamp("2026-08-01 10:00")


def test_videos_get_the_sales_that_name_them(kpis):
    got = {r["title"]: r for r in rows(kpis, "videos")}
    same(got["Own A"]["revenue"], 10)  # a code whose source is the video's id
    same(got["Own A"]["revenue_per_1k_likes"], 10 / 100 * 1000)
    same(got["Lena 1"]["revenue"], 30)  # an ad of that name
    same(got["Lena 1"]["ads_revenue"], 30)
    same(got["Lena 1"]["code_revenue"], None)
    same(got["Lena 2"]["revenue"], 100)  # a code whose source is the title
    same(got["Lena 2"]["code_orders"], 4)
    same(got["Tom"]["revenue"], None)  # nothing names it: n/a, not 0
    same(got["Tom"]["revenue_per_1k_likes"], None)


def test_campaigns_get_likes_and_likes_against_money(kpis):
    got = {r["campaign"]: r for r in rows(kpis, "campaigns")}
    same(got["Spark – @Lena.Outdoor"]["conversions_per_1k_likes"], 2 / 40 * 1000)
    same(got["Spark – @Lena.Outdoor"]["revenue_per_1k_likes"], 80 / 40 * 1000)
    same(got["Brand"]["revenue_per_1k_likes"], None)  # no likes
    same(got["Brand"]["conversions_per_1k_likes"], None)


def test_the_new_kpis_on_the_dataset(kpis):
    # likes: organic 500 (October videos) + paid 40; revenue 110; conversions 3
    same(kpis.values["revenue_per_1k_likes"], 110 / 540 * 1000)
    same(kpis.values["likes_per_conversion"], 540 / 3)


def test_without_a_comparison_fading_is_not_known(tmp_path):
    for kind, rows_ in TABLES.items():
        write_csv(tmp_path / "data" / f"{kind}.csv", rows_)
    facts = client_facts(load_client_data(tmp_path / "data", Diagnostics()))
    k = report_kpis(facts, month(2026, 10), None, {})
    assert not any(isinstance(s, str) for s in k.tables["trends"]["fading"])
    assert k.tables["creators"]["fee"].isna().all()


# invariants

names = st.sampled_from(["", "@a", "A", "a", "@b", "b ", "<b>@x</b>"])
amounts = st.one_of(st.just(0.0), st.floats(0, 1e6, allow_nan=False), st.just(math.nan))


@st.composite
def video_columns(draw):
    n = draw(st.integers(0, 8))
    likes = [draw(amounts) for _ in range(n)]
    return {"creator": np.array([draw(names) or None for _ in range(n)], dtype=object),
            "trend": np.array([draw(names) or None for _ in range(n)], dtype=object),
            "views": np.array([draw(amounts) for _ in range(n)], dtype="float64"),
            "likes": np.array(likes, dtype="float64"),
            "engagements": np.nan_to_num(np.array(likes, dtype="float64")) * 1.5}


NO_SOURCES = {"source": np.array([], dtype=object), "orders": np.array([]), "revenue": np.array([])}
NO_CAMPAIGNS = {"campaign": np.array([], dtype=object), "spend": np.array([]), "revenue": np.array([])}
NO_SEEN = {"key": np.array([], dtype=str), "first": np.array([], dtype="datetime64[ns]"),
           "last": np.array([], dtype="datetime64[ns]")}


def _named(values: np.ndarray) -> np.ndarray:
    return np.array([isinstance(v, str) and v.strip().lstrip("@") != "" for v in values], dtype=bool)


@settings(max_examples=150, deadline=None)
@given(videos=video_columns(), fee=st.one_of(st.just(0.0), st.floats(1, 1e4)))
def test_creator_totals_are_the_sums_of_their_videos(videos, fee):
    table = creator_table(videos, NO_SOURCES, NO_CAMPAIGNS, {"@a": fee, "b": fee})
    mine = _named(videos["creator"])
    assert table["videos"].sum() == mine.sum()
    # (sums are rounded to 6 decimals, as the other breakdowns' are: exact for counts and cents)
    assert np.nansum(table["views"]) == pytest.approx(np.nansum(videos["views"][mine]), abs=1e-5)
    assert np.nansum(table["likes"]) == pytest.approx(np.nansum(videos["likes"][mine]), abs=1e-5)
    no_views = ~(table["views"] != 0)  # zero or n/a views: no engagement rate, no lift
    assert np.isnan(table["engagement_rate"][no_views]).all() and np.isnan(table["lift"][no_views]).all()
    assert np.isnan(table["cost_per_like"][~(table["likes"] != 0)]).all()
    assert np.isnan(table["roi"]).all()  # no code or campaign names a creator: no revenue to tell an ROI from


@settings(max_examples=150, deadline=None)
@given(videos=video_columns(), previous=st.one_of(st.none(), video_columns()))
def test_trend_totals_are_the_sums_of_their_videos(videos, previous):
    table = trend_table(videos, previous, NO_SEEN)
    mine = _named(videos["trend"])
    assert table["videos"].sum() == mine.sum()
    assert np.nansum(table["likes"]) == pytest.approx(np.nansum(videos["likes"][mine]), abs=1e-5)
    assert np.isnan(table["lift"][~(table["views"] != 0)]).all()
    assert set(table["fading"]) <= {None, "new", "fading", "rising", "steady"}
    if previous is None:
        assert all(s is None for s in table["fading"])


# client.toml

def test_creator_fees_are_read_and_checked(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text('[creators."@Lena"]\nfee = 1200\n[creators.tom]\nfee = 0\n', encoding="utf-8")
    assert {h: c.fee for h, c in load_client_config(path, Diagnostics()).creators.items()} == {"@Lena": 1200,
                                                                                                "tom": 0}
    for text, message in [('[creators."@x"]\nfee = -1\n', "creators.@x.fee: Input should be greater than"),
                          ('[creators."@x"]\nfee = "a lot"\n', "creators.@x.fee: Input should be a valid number"),
                          ('[creators."@"]\nfee = 1\n', "creators: '@' is no handle"),
                          ('[creators."@Lena"]\nfee = 1\n[creators.lena]\nfee = 2\n',
                           "creators: '@Lena' and 'lena' are the same creator")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SitegenError) as info:
            load_client_config(path, Diagnostics())
        assert message in str(info.value) and "\n" not in str(info.value), text


def test_a_bad_fee_stops_the_build_with_one_line(tmp_path):
    project = make_project(tmp_path / "p", client_toml='[creators."@x"]\nfee = -5\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 2 and len(run.error_lines) == 1 and "Traceback" not in run.stderr
    assert "creators.@x.fee" in run.error_lines[0]


# the page

def test_the_sections_show_creators_and_trends_as_text(tmp_path):
    tables = {kind: [dict(r) for r in rows_] for kind, rows_ in TABLES.items()}
    tables["videos"][1]["creator"] = "<b>@x</b>"
    tables["videos"][1]["trend"] = "<i>sound</i>"
    project = make_project(tmp_path / "p", tables, client_toml='locale = "de_DE"\n[creators."<b>@x</b>"]\nfee = 10\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "out" / "acme" / "2026-10" / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;@x&lt;/b&gt;" in page and "<b>@x</b>" not in page
    assert "&lt;i&gt;sound&lt;/i&gt;" in page and "<i>sound</i>" not in page
    trends = json.loads((tmp_path / "out" / "acme" / "2026-10" / "kpis.json").read_text(encoding="utf-8"))["trends"]
    assert {t["trend"]: t["fading"] for t in trends} == {"<i>sound</i>": "new", "hike": None, "Dance": None}
    for title in ("Creator", "Trends und Sounds", "Lift gegenüber eigenen Videos", "Likes und Umsatz"):
        assert title in page, title


@pytest.mark.parametrize(("name", "creator"), [
    ("Spark – @Lena.Outdoor", "lena.outdoor"),
    ("@lena.outdoor", "lena.outdoor"),
    ("Whitelisting (@mia_x): October", "mia_x"),
    ("newsletter@harbor.coffee", None),  # an e-mail address names no creator
    ("Codes for info@shop.de and @mia_x", "mia_x"),
    ("Brand awareness", None),
])
def test_a_handle_is_an_at_sign_not_inside_a_word(name: str, creator: str | None) -> None:
    assert handle_key(name, frozenset()) == creator


def _trend_videos(engagements: list[float]) -> dict[str, np.ndarray]:
    n = len(engagements)
    return {"creator": np.array([None] * n, dtype=object), "trend": np.array(["Sound A", None][:n], dtype=object),
            "views": np.array([100.0, 100.0][:n]), "likes": np.array([10.0, 10.0][:n]),
            "engagements": np.array(engagements, dtype="float64")}


@pytest.mark.parametrize(("now", "before", "status"), [
    (12.30001, 12.3, "steady"),  # lift 1.2300010 against 1.23: both shown as 1.23x
    (12.0, 12.3, "fading"),  # 1.20x against 1.23x
    (12.6, 12.3, "rising"),  # 1.26x against 1.23x
])
def test_a_trend_fades_or_rises_only_by_a_lift_the_table_shows(now: float, before: float, status: str) -> None:
    """The trend's videos: 100 views each, the other video 10 engagements on 100 views (rate 0.1)."""
    table = trend_table(_trend_videos([now, 10.0]), _trend_videos([before, 10.0]), NO_SEEN)
    assert list(table["fading"]) == [status]
