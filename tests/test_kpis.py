import json
import math
from datetime import date
from pathlib import Path

import pytest
from helpers import DATA, shared_samples, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_data import EXPECTED, TABLES

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.metrics.catalogue import KPI_IDS
from sitegen.metrics.facts import client_facts
from sitegen.metrics.kpis import compute_kpis
from sitegen.metrics.periods import Period, comparison_period, month
from sitegen.metrics.ratios import ratio
from sitegen.metrics.report import report_kpis

OCT_1_2 = Period(date(2026, 10, 1), date(2026, 10, 2))


def facts_for(tmp_path: Path, tables: dict[str, list[dict]]):
    for kind, rows in tables.items():
        write_csv(tmp_path / "data" / f"{kind}.csv", rows)
    return client_facts(load_client_data(tmp_path / "data", Diagnostics()))


@pytest.fixture
def tiny(tmp_path):
    return facts_for(tmp_path, TABLES)


def test_catalogue_is_complete():
    assert set(EXPECTED) == set(KPI_IDS)


@pytest.mark.parametrize("kpi", sorted(EXPECTED))
def test_every_kpi_matches_hand_computed_value(tiny, kpi):
    values = compute_kpis(tiny, OCT_1_2)
    if EXPECTED[kpi] is None:
        assert values[kpi] is None, kpi
    else:
        assert values[kpi] == pytest.approx(EXPECTED[kpi], rel=1e-12), kpi


def _reproduces_expected_kpis(data_dir: Path, expected: dict) -> None:
    facts = client_facts(load_client_data(data_dir, Diagnostics()))
    for label, kpis in expected.items():
        year, mon = map(int, label.split("-"))
        values = compute_kpis(facts, month(year, mon))
        for kpi, value in kpis.items():
            if value is None:
                assert values[kpi] is None, (label, kpi)
            else:
                assert values[kpi] == pytest.approx(value, rel=1e-9), (label, kpi)


def test_canonical_data_reproduces_expected_kpis(canonical_dir):
    """tests/data/canonical: its KPIs computed independently from the definitions (docs/user-guide/kpis.md)."""
    _reproduces_expected_kpis(canonical_dir, json.loads((DATA / "canonical" / "expected_kpis.json").read_text())
                              ["canonical"])


def test_shared_canonical_sample_reproduces_expected_kpis(tmp_path):
    """The larger canonical sample of ../shared/samples, with KPIs computed independently too."""
    samples = shared_samples() / "canonical"
    for path in samples.glob("*.csv"):
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    _reproduces_expected_kpis(tmp_path / "data", json.loads((samples / "expected_kpis.json").read_text())["canonical"])


def test_money_totals_are_exact_to_the_cent(canonical_dir):
    facts = client_facts(load_client_data(canonical_dir, Diagnostics()))
    assert compute_kpis(facts, month(2026, 10))["revenue"] == 1600.0  # a naive float sum gives 1599.9999999999998


def test_zero_denominators_are_none(tmp_path):
    facts = facts_for(tmp_path, {"ads": [dict(date="2026-10-01", campaign="A", spend="0", impressions="0",
                                              clicks="0", conversions="0", revenue="0", likes="0")]})
    values = compute_kpis(facts, OCT_1_2)
    for kpi in ("cpm", "ctr", "cpc", "cpa", "roas", "roi", "cost_per_like", "conversion_rate",
                "conversions_per_1k_likes", "revenue_per_1k_likes", "likes_per_conversion", "engagement_rate"):
        assert values[kpi] is None, kpi
    assert values["spend"] == 0


def test_missing_kinds_are_none_not_zero(tmp_path):
    facts = facts_for(tmp_path, {"ads": TABLES["ads"]})
    values = compute_kpis(facts, OCT_1_2)
    assert values["spend"] == 150
    assert values["organic_likes"] is None and values["likes"] == 400
    assert values["reply_rate"] is None and values["code_orders"] is None and values["follower_growth"] is None


def test_period_without_data_is_all_none(tiny):
    values = compute_kpis(tiny, month(2025, 1))
    assert all(v is None for v in values.values())


def test_follower_growth_adds_up_over_consecutive_periods(tiny):
    first = compute_kpis(tiny, Period(date(2026, 10, 1), date(2026, 10, 1)))["follower_growth"]
    second = compute_kpis(tiny, Period(date(2026, 10, 2), date(2026, 10, 2)))["follower_growth"]
    assert first + second == compute_kpis(tiny, OCT_1_2)["follower_growth"] == 30


def test_report_kpis_change_and_attainment(tiny):
    report = report_kpis(tiny, OCT_1_2, Period(date(2026, 9, 29), date(2026, 9, 30)), {"cpa": 20.0, "likes": 2000})
    assert report.previous["spend"] == 999
    assert report.change("spend") == pytest.approx((150 - 999) / 999)
    assert report.attainment("likes") == pytest.approx(0.8) and report.target_met("likes") is False
    assert report.attainment("cpa") == pytest.approx(20 / 15) and report.target_met("cpa") is True
    assert report.change("dm_leads") is None  # previous period had no leads: change is n/a


def test_breakdowns(tiny):
    report = report_kpis(tiny, OCT_1_2, None, {})
    campaigns = report.tables["campaigns"].set_index("campaign")
    assert campaigns.loc["A", "roas"] == 4.0 and math.isnan(campaigns.loc["B", "cpa"])
    sources = report.tables["sources"].set_index("source")
    assert sources.loc["A", "code_roi"] == 0.5 and math.isnan(sources.loc["@c", "code_roi"])
    videos = report.tables["videos"]
    assert list(videos["title"]) == ["One", "Two"]
    assert list(videos["negative_comments"]) == [1.0, 1.0]
    days = report.tables["days"]
    assert list(days["likes"]) == [1300.0, 300.0]


def test_comparison_periods():
    assert comparison_period(month(2026, 10), "previous") == month(2026, 9)
    assert comparison_period(month(2026, 3), "previous") == month(2026, 2)
    assert comparison_period(OCT_1_2, "previous") == Period(date(2026, 9, 29), date(2026, 9, 30))
    assert comparison_period(month(2024, 2), "previous_year") == Period(date(2023, 2, 1), date(2023, 2, 28))
    assert comparison_period(month(2026, 10), "none") is None


def test_ratio_never_returns_nan_or_inf():
    assert ratio(1.0, 0.0) is None and ratio(None, 1.0) is None and ratio(0.0, 0.0) is None
    assert ratio(1e308, 1e-308) is None


# --- properties ----------------------------------------------------------------------------------

day = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 11, 30))
amount = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)
count = st.integers(min_value=0, max_value=10**7)
ad_rows = st.lists(st.fixed_dictionaries({
    "date": day, "campaign": st.sampled_from(["A", "B", "<b>C</b>"]), "spend": amount, "impressions": count,
    "clicks": count, "video_views": count, "likes": count, "comments": count, "shares": count,
    "conversions": count, "revenue": amount}), min_size=1, max_size=40)
video_rows = st.lists(st.fixed_dictionaries({
    "video_id": st.integers(7 * 10**18, 8 * 10**18).map(str), "posted_at": day.map(lambda d: f"{d} 12:00"),
    "views": count, "likes": count, "comments": count, "shares": count, "saves": count,
    "trend": st.sampled_from(["", "sound"]), "creator": st.sampled_from(["", "@x"])}), max_size=20,
    unique_by=lambda row: row["video_id"])  # a file holds one row per video


def _facts_from_rows(ads, videos):
    frames = {}
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_csv(data / "ads.csv", [{k: str(v) for k, v in r.items()} for r in ads])
        if videos:
            write_csv(data / "videos.csv", [{k: str(v) for k, v in r.items()} for r in videos])
        frames = load_client_data(data, Diagnostics())
    return client_facts(frames)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ads=ad_rows, videos=video_rows)
def test_parts_sum_to_totals_and_no_nan(ads, videos):
    facts = _facts_from_rows(ads, videos)
    period = month(2026, 10)
    report = report_kpis(facts, period, comparison_period(period, "previous"), {})
    values = report.values
    for value in list(values.values()) + list(report.previous.values()):
        assert value is None or math.isfinite(value)
    if values["spend"] is None:
        return
    campaigns = report.tables["campaigns"]
    assert campaigns["spend"].sum() == pytest.approx(values["spend"], abs=1e-6)
    assert campaigns["likes"].sum() == pytest.approx(values["paid_likes"])
    days = report.tables["days"]
    assert days["likes"].sum() == pytest.approx(values["likes"])
    assert days["spend"].sum() == pytest.approx(values["spend"], abs=1e-6)
    if values["organic_likes"] is not None:
        assert report.tables["videos"]["likes"].sum() == pytest.approx(values["organic_likes"])
    shown = report.tables["videos"]
    for table, column in (("creators", "creator"), ("trends", "trend")):  # a row per creator or trend
        assert report.tables[table]["likes"].sum() == pytest.approx(shown["likes"][shown[column].notna()].sum())
        assert report.tables[table]["videos"].sum() == shown[column].notna().sum()
    expected_spend = sum(float(r["spend"]) for r in ads if r["date"].month == 10)
    assert values["spend"] == pytest.approx(expected_spend, abs=1e-6)
    assert values["likes"] == values["paid_likes"] + (values["organic_likes"] or 0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ads=ad_rows)
def test_months_add_up_to_the_quarter(ads):
    facts = _facts_from_rows(ads, [])
    quarter = compute_kpis(facts, Period(date(2026, 9, 1), date(2026, 11, 30)))
    months = [compute_kpis(facts, month(2026, m)) for m in (9, 10, 11)]
    for kpi in ("spend", "impressions", "clicks", "conversions", "revenue", "likes", "views"):
        parts = sum(m[kpi] or 0 for m in months)
        assert parts == pytest.approx(quarter[kpi] or 0, abs=1e-6), kpi
    if quarter["spend"]:  # ratio of sums, not mean of ratios
        assert quarter["roas"] == pytest.approx(quarter["revenue"] / quarter["spend"])


def test_outbound_interactions_are_comments_and_likes_only(tmp_path):
    """The brief: outbound comments and likes on other accounts' content; outbound DMs and mentions are not."""
    rows = [dict(received_at=f"2026-10-02 09:0{i}", channel=channel, direction="outbound", video_id="",
                 author="@other", responded_at="", sentiment="", lead="")
            for i, channel in enumerate(["comment", "comment", "like", "dm", "mention"])]
    facts = facts_for(tmp_path, {"community": rows})
    assert compute_kpis(facts, month(2026, 10))["outbound_interactions"] == 3
