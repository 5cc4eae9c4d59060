"""A figure the data cannot support is n/a, never 0: columns no file has, account-level figures, the net
follower change, the files of one TikTok Studio download, and shop totals. Values are worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import build, make_project, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_data import TABLES

from sitegen.data.kinds import KINDS
from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.metrics.facts import client_facts
from sitegen.metrics.figures import NO_SHOP_EXPORT, NOT_IN_DATA
from sitegen.metrics.kpis import compute_figures
from sitegen.metrics.periods import Period

OCT = Period(date(2026, 10, 1), date(2026, 10, 31))
OCT_1_2 = Period(date(2026, 10, 1), date(2026, 10, 2))


def _figures(tmp_path, tables: dict[str, list[dict]], period: Period = OCT, diagnostics: Diagnostics | None = None):
    for name, rows in tables.items():
        write_csv(tmp_path / "data" / f"{name}.csv", rows)
    return compute_figures(client_facts(load_client_data(tmp_path / "data", diagnostics or Diagnostics())), period)


def _without(rows: list[dict], *columns: str) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def test_an_ads_export_without_revenue_likes_or_views_gives_na_not_zero(tmp_path):
    ads = [dict(date="2026-10-01", campaign="A", spend="100", impressions="10000", clicks="200", conversions="4"),
           dict(date="2026-10-02", campaign="B", spend="50", impressions="5000", clicks="50", conversions="1")]
    f = _figures(tmp_path, {"ads": ads})
    assert f.values["spend"] == 150 and f.values["cpa"] == 30 and f.values["ctr"] == 250 / 15000
    for kpi in ("revenue", "roas", "roi", "paid_likes", "likes", "views", "video_views", "engagement_rate",
                "cost_per_like", "conversions_per_1k_likes"):
        assert f.values[kpi] is None, kpi
        assert f.reasons[kpi] == NOT_IN_DATA, kpi
    assert f.sources["cpa"] == ("ads.spend", "ads.conversions")


def test_videos_without_saves_give_na_saves_and_save_rate(tmp_path):
    f = _figures(tmp_path, {"videos": _without(TABLES["videos"], "saves")}, OCT_1_2)
    assert f.values["saves"] is None and f.values["save_rate"] is None
    assert f.reasons["save_rate"] == NOT_IN_DATA
    # likes 1200, comments 60, shares 25 (saves unknown) over 15,000 views
    assert f.values["engagements"] == 1285 and f.values["engagement_rate"] == 1285 / 15000
    assert f.notes["engagements"] == f"without saves ({NOT_IN_DATA})"
    assert f.notes["engagement_rate"] == f"without saves ({NOT_IN_DATA})"


def test_a_month_whose_export_lacks_a_column_is_na_and_the_file_is_flagged(tmp_path):
    september = dict(date="2026-09-30", campaign="A", spend="10", revenue="40")
    october = dict(date="2026-10-01", campaign="A", spend="20")
    write_csv(tmp_path / "data" / "ads-09.csv", [september])
    diagnostics = Diagnostics()
    f = _figures(tmp_path, {"ads-10": [october]}, OCT, diagnostics)
    assert f.values["spend"] == 20 and f.values["revenue"] is None and f.values["roi"] is None
    [warning] = diagnostics.warnings
    assert "ads-10.csv" in warning and "no 'revenue' column, which other ads files have" in warning
    facts = client_facts(load_client_data(tmp_path / "data", Diagnostics()))
    quarter = compute_figures(facts, Period(date(2026, 9, 1), date(2026, 10, 31)))
    assert quarter.values["revenue"] == 40  # the rows that have it
    assert compute_figures(facts, Period(date(2026, 9, 1), date(2026, 9, 30))).values["roi"] == 3.0


def test_account_days_alone_give_likes_views_comments_and_shares(tmp_path):
    account = [dict(date="2026-10-01", likes="30", video_views="1000", comments="5", shares="2"),
               dict(date="2026-10-02", likes="12", video_views="500", comments="-3", shares="0")]
    f = _figures(tmp_path, {"account": account})
    assert (f.values["likes"], f.values["views"], f.values["comments"], f.values["shares"]) == (42, 1500, 2, 2)
    assert f.values["like_rate"] == 42 / 1500
    assert f.sources["likes"] == ("account.likes",) and f.sources["views"] == ("account.video_views",)
    assert f.values["saves"] is None and f.values["spend"] is None


def test_per_video_data_wins_over_account_days_never_both(tmp_path):
    account = [dict(date="2026-10-01", likes="99999", video_views="99999", comments="7")]
    f = _figures(tmp_path, {"account": account, "videos": TABLES["videos"]}, OCT_1_2)
    assert f.values["likes"] == 1200 and f.sources["likes"] == ("videos.likes",)
    assert f.values["comments"] == 60 and f.sources["comments"] == ("videos.comments",)


def test_net_follower_change_may_be_negative_and_gives_growth(tmp_path):
    account = [dict(date="2026-10-01", net_followers="5"), dict(date="2026-10-02", net_followers="-8")]
    f = _figures(tmp_path, {"account": account})
    assert f.values["follower_growth"] == -3 and f.values["follower_growth_rate"] is None
    assert f.sources["follower_growth"] == ("account.net_followers",)


def test_one_studio_download_merges_its_days_without_a_warning(tmp_path):
    overview = tmp_path / "data" / "Overview.csv"
    write_csv(overview, [{"Date": "2026-10-01", "Video Views": "1000", "Likes": "30", "Comments": "-1"},
                         {"Date": "2026-10-02", "Video Views": "500", "Likes": "10", "Comments": "2"}])
    write_csv(tmp_path / "data" / "FollowerHistory.csv", [
        {"Date": "2026-09-30", "Followers": "100", "Difference in followers from previous day": "0"},
        {"Date": "2026-10-01", "Followers": "104", "Difference in followers from previous day": "4"},
        {"Date": "2026-10-02", "Followers": "101", "Difference in followers from previous day": "-3"}])
    diagnostics = Diagnostics()
    data = load_client_data(tmp_path / "data", diagnostics)
    assert diagnostics.warnings == []
    assert len(data["account"]) == 3  # a row a day
    f = compute_figures(client_facts(data), OCT)
    assert (f.values["likes"], f.values["comments"], f.values["follower_growth"]) == (40, 1, 1)


def test_the_same_day_with_different_figures_is_a_warning_when_the_later_file_is_a_guess(tmp_path):
    write_csv(tmp_path / "data" / "a.csv", [dict(date="2026-10-01", followers="100")])
    write_csv(tmp_path / "data" / "b.csv", [dict(date="2026-10-01", followers="120", likes="5")])
    diagnostics = Diagnostics()
    data = load_client_data(tmp_path / "data", diagnostics)
    [warning] = diagnostics.warnings
    assert "b.csv: 1 day of a.csv with other account figures in this file: this file's are used" in warning
    assert "both were downloaded on" in warning and "put each file's download date in its name" in warning
    assert data["account"]["followers"].tolist() == [120] and data["account"]["likes"].tolist() == [5]
    [note] = next(f for f in data.files if f.path.name == "a.csv").notes
    assert "(restated by b.csv: 2026-10-01 followers 100 → 120)" in note


def test_a_restated_day_is_a_note_when_the_download_days_tell(tmp_path):
    write_csv(tmp_path / "data" / "Overview 2026-10-05.csv", [dict(date="2026-10-01", followers="100")])
    write_csv(tmp_path / "data" / "Overview 2026-10-02.csv", [dict(date="2026-10-01", followers="120", likes="5")])
    diagnostics = Diagnostics()
    data = load_client_data(tmp_path / "data", diagnostics)
    assert diagnostics.warnings == []
    assert data["account"]["followers"].tolist() == [100] and data["account"]["likes"].tolist() == [5]
    [note] = next(f for f in data.files if f.path.name == "Overview 2026-10-02.csv").notes
    assert note == ("1 account row also in Overview 2026-10-05.csv: counted once, with that file's figures "
                    "where it has them (restated by Overview 2026-10-05.csv: 2026-10-01 followers 120 → 100)")


def test_shop_totals_and_code_shares(tmp_path):
    write_csv(tmp_path / "data" / "shopify.csv", [
        {"Name": "#1", "Financial Status": "paid", "Subtotal": "50.00", "Total": "55", "Discount Code": "SAVE10",
         "Created at": "2026-10-01 10:00:00 +0000", "Lineitem quantity": "1", "Refunded Amount": "0",
         "Cancelled at": "", "Currency": "USD"},
        {"Name": "#2", "Financial Status": "paid", "Subtotal": "150.00", "Total": "160", "Discount Code": "",
         "Created at": "2026-10-02 10:00:00 +0000", "Lineitem quantity": "1", "Refunded Amount": "0",
         "Cancelled at": "", "Currency": "USD"}])
    f = compute_figures(client_facts(load_client_data(tmp_path / "data", Diagnostics())), OCT)
    assert (f.values["code_orders"], f.values["code_revenue"]) == (1, 50)
    assert (f.values["shop_orders"], f.values["shop_revenue"]) == (2, 200)
    assert (f.values["code_order_share"], f.values["code_revenue_share"]) == (0.5, 0.25)


def test_a_month_of_orders_without_a_code_has_code_revenue_zero(tmp_path):
    write_csv(tmp_path / "data" / "shopify.csv", [
        {"Name": "#1", "Financial Status": "paid", "Subtotal": "150.00", "Total": "160", "Discount Code": "",
         "Created at": "2026-10-02 10:00:00 +0000", "Lineitem quantity": "1", "Refunded Amount": "0",
         "Cancelled at": "", "Currency": "USD"}])
    f = compute_figures(client_facts(load_client_data(tmp_path / "data", Diagnostics())), OCT)
    assert (f.values["code_orders"], f.values["code_revenue"], f.values["code_revenue_share"]) == (0, 0, 0)
    assert (f.values["shop_orders"], f.values["shop_revenue"]) == (1, 150)


def test_code_orders_alone_say_the_shop_totals_need_a_shop_export(tmp_path):
    f = _figures(tmp_path, {"orders": TABLES["orders"]}, OCT_1_2)
    assert f.values["code_orders"] == 7
    assert f.values["shop_orders"] is None and f.reasons["shop_orders"] == NO_SHOP_EXPORT
    assert f.values["code_order_share"] is None


def test_the_page_and_kpis_json_say_why(tmp_path):
    ads = [dict(date="2026-10-01", campaign="A", spend="100", clicks="5")]
    project = make_project(tmp_path / "p", {"ads": ads}, {"2026-10.md": "---\nperiod: 2026-10\n---\n"})
    assert build(project, tmp_path / "out").returncode == 0
    document = json.loads((tmp_path / "out/acme/2026-10/kpis.json").read_text())
    assert document["kpis"]["roi"]["value"] is None and document["kpis"]["roi"]["missing"] == NOT_IN_DATA
    assert document["kpis"]["cpc"]["sources"] == ["ads.spend", "ads.clicks"]
    page = (tmp_path / "out/acme/2026-10/index.html").read_text()
    assert '<div class="card kpi-revenue">' in page
    card = page.split('<div class="card kpi-revenue">')[1].split('<div class="card ')[0]
    assert '<div class="card-value">–</div>' in card and '<div class="card-reason">not in your data</div>' in card
    assert "kpi-shop_orders" not in page  # no shop export: its cards are left out


OPTIONAL = sorted((kind, column) for kind in ("ads", "videos", "account", "orders", "hashtags")
                  for column in KINDS[kind].optional if column in {c for row in TABLES[kind] for c in row})


@settings(max_examples=len(OPTIONAL), deadline=None, derandomize=True)
@given(st.sampled_from(OPTIONAL))
def test_deleting_an_optional_column_never_turns_a_kpi_into_zero(tmp_path_factory, dropped):
    """Without one optional column, every KPI is as before, n/a, or marked as lacking an input; none becomes a 0
    that the full data does not give."""
    kind, column = dropped
    full = _figures(tmp_path_factory.mktemp("full"), TABLES, OCT_1_2)
    tables = {**TABLES, kind: _without(TABLES[kind], column)}
    less = _figures(tmp_path_factory.mktemp("less"), tables, OCT_1_2)
    for kpi, value in less.values.items():
        before = full.values[kpi]
        assert value == pytest.approx(before) or value is None or kpi in less.notes, (kpi, value, before)
        assert value != 0 or before == 0, (kpi, dropped)
