"""A month's target (client.toml, sitegen.toml) pro-rated for a report of another length: sums only, by the days
of each calendar month the period covers; a report's own target as it is."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from helpers import REPORT, build, make_project
from hypothesis import given
from hypothesis import strategies as st

from sitegen.metrics.catalogue import KPIS
from sitegen.metrics.periods import Period, month
from sitegen.metrics.report import ReportKpis
from sitegen.metrics.targets import SUM_KPIS, months_covered, report_targets
from sitegen.render.formatting import Formatter
from sitegen.render.report_page import PageContext

MONTHLY = {"follower_growth": 4000.0, "spend": 3100.0, "roi": 1.5, "cpa": 20.0, "reply_rate": 0.9}


def test_a_week_in_october_gets_seven_thirty_firsts():
    targets, prorated = report_targets(MONTHLY, {}, Period(date(2026, 10, 1), date(2026, 10, 7)))
    assert targets["follower_growth"] == pytest.approx(4000 * 7 / 31)  # 903.23
    assert targets["spend"] == pytest.approx(700.0)  # 3100 × 7/31
    assert (targets["roi"], targets["cpa"], targets["reply_rate"]) == (1.5, 20.0, 0.9)  # rates: as they are
    assert prorated == {"follower_growth": 4000.0, "spend": 3100.0}


def test_a_week_across_two_months_takes_each_months_days():
    week = Period(date(2026, 9, 28), date(2026, 10, 4))  # 3 of September's 30 days, 4 of October's 31
    assert months_covered(week) == pytest.approx(3 / 30 + 4 / 31)
    targets, _ = report_targets({"likes": 9300.0}, {}, week)
    assert targets["likes"] == pytest.approx(930 + 1200)  # 9300 × 0.1 + 9300 × 4/31


def test_february_and_a_quarter():
    assert months_covered(Period(date(2028, 2, 1), date(2028, 2, 14))) == pytest.approx(14 / 29)  # a leap year
    assert months_covered(Period(date(2026, 10, 1), date(2026, 12, 31))) == 3.0


def test_a_reports_own_target_is_taken_as_it_is():
    targets, prorated = report_targets(MONTHLY, {"follower_growth": 500.0}, Period(date(2026, 10, 1),
                                                                                  date(2026, 10, 7)))
    assert targets["follower_growth"] == 500.0 and "follower_growth" not in prorated


def test_sum_kpis_are_counts_and_amounts():
    assert set(KPIS) >= SUM_KPIS
    assert all(KPIS[k].unit in ("count", "money") and KPIS[k].higher_is_better for k in SUM_KPIS)
    assert not SUM_KPIS & {"roi", "cpa", "cpm", "cpc", "cost_per_like", "reply_rate", "roas"}


@given(st.dates(date(1990, 1, 1), date(2100, 12, 1)), st.floats(0, 1e9))
def test_a_whole_calendar_month_keeps_its_target(day, target):
    period = month(day.year, day.month)
    targets, prorated = report_targets({"likes": target, "roi": 2.0}, {}, period)
    assert targets == {"likes": target, "roi": 2.0} and prorated == {}


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 400), st.integers(0, 400))
def test_adjacent_periods_add_up(start, first, second):
    """Two reports that follow each other get, together, the target of the two as one."""
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second + 1)
    whole, a, b = Period(start, end), Period(start, middle), Period(middle + timedelta(days=1), end)
    assert months_covered(whole) == pytest.approx(months_covered(a) + months_covered(b))
    assert months_covered(whole) == pytest.approx(whole.days / 30.4375, rel=0.1)


def test_the_card_says_pro_rated():
    week = Period(date(2026, 10, 1), date(2026, 10, 7))
    targets, prorated = report_targets({"follower_growth": 4000.0}, {}, week)
    values = dict.fromkeys(KPIS)
    kpis = ReportKpis(week, None, {**values, "follower_growth": 1000.0}, values, targets, prorated=prorated)
    card = PageContext(None, Formatter("en", "EUR"), kpis, {}, []).card("follower_growth")
    assert (card["target"], card["prorated"], card["attainment"], card["status"]) == ("903", "4,000", "111%",
                                                                                      "beaten")


def test_a_weekly_report_pro_rates_the_clients_monthly_target(tmp_path):
    week = '---\ntitle: "Week 40"\nperiod: {start: 2026-10-01, end: 2026-10-07}\n---\nText.\n'
    own = '---\ntitle: "Week 41"\nperiod: {start: 2026-10-08, end: 2026-10-14}\ntargets: {likes: 10}\n---\nText.\n'
    project = make_project(tmp_path / "p", reports={"w40.md": week, "w41.md": own, "2026-10.md": REPORT},
                           client_toml='locale = "de_DE"\n[targets]\nlikes = 3100\nroi = 1.5\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out" / "acme"
    page = (out / "w40" / "index.html").read_text(encoding="utf-8")
    assert "Ziel 700 (anteilig von 3.100 pro Monat)" in page
    likes = json.loads((out / "w40" / "kpis.json").read_text(encoding="utf-8"))["kpis"]["likes"]
    assert (likes["target"], likes["monthly_target"]) == (700, 3100)
    roi = json.loads((out / "w40" / "kpis.json").read_text(encoding="utf-8"))["kpis"]["roi"]
    assert roi["target"] == 1.5 and "monthly_target" not in roi
    own_likes = json.loads((out / "w41" / "kpis.json").read_text(encoding="utf-8"))["kpis"]["likes"]
    assert own_likes["target"] == 10 and "monthly_target" not in own_likes
    assert "anteilig" not in (out / "w41" / "index.html").read_text(encoding="utf-8")
    month_likes = json.loads((out / "2026-10" / "kpis.json").read_text(encoding="utf-8"))["kpis"]["likes"]
    assert month_likes["target"] == 3100 and "monthly_target" not in month_likes
