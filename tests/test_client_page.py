"""A client's page leads with its trends across periods: charts of likes, engagement, revenue, ROAS, conversions
per 1k likes and follower growth per report, and a table of periods with each report's figures, targets met
and missed, and alerts, all as the reports computed them."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest
from helpers import REPO, make_project
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.metrics.alerts import Alert
from sitegen.metrics.catalogue import KPI_IDS, KPIS
from sitegen.metrics.periods import Period
from sitegen.metrics.report import ReportKpis
from sitegen.render.client_charts import CLIENT_CHART_KINDS, PeriodRow, client_chart_spec, in_period_order
from sitegen.render.client_trends import PERIOD_KPIS
from sitegen.render.formatting import Formatter

FJORD = "fjord-outdoor"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("client-page") / "site"
    build(REPO, BuildOptions(output=out))
    return out


def _text(cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


def periods_table(page: str) -> list[list[str]]:
    """The table of periods' body rows, as the HTML of their cells."""
    table = re.search(r'<table class="data-table table-periods">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody>", 1)[1]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_client_page_leads_with_trend_charts_then_the_reports(demo_site: Path) -> None:
    page = (demo_site / FJORD / "index.html").read_text()
    assert page.index('id="trends"') < page.index("table-periods") < page.index('class="card-list"')
    figures = re.findall(r'<figure class="chart" id="(chart-\d)">(.*?)</figure>', page, re.S)
    assert len(figures) == len(CLIENT_CHART_KINDS) == 4
    for _id, figure in figures:
        assert 'class="chart-view"' in figure and '<details class="chart-data">' in figure
        image = re.search(r'<img class="chart-static" src="([^"]+)"', figure).group(1)
        assert (demo_site / FJORD / image).read_text().startswith("<svg")
    # the bundle and the script that draws the charts, from the site's root one level up
    assert '<script src="../assets/vendor/vega-bundle.js"></script>' in page
    assert '<script src="../assets/report.js"></script>' in page
    assert '<script type="application/json" id="chart-locale">' in page


def test_the_likes_chart_has_one_row_per_report_in_period_order(demo_site: Path) -> None:
    page = (demo_site / FJORD / "index.html").read_text()
    spec = re.search(r'<script type="application/json" id="chart-1-spec">(.*?)</script>', page, re.S).group(1)
    rows = json.loads(spec)["datasets"]["rows"]
    assert rows == [{"report": "August 2026", "likes": 26830.0, "engagement_rate": pytest.approx(0.04952, abs=1e-5)},
                    {"report": "September 2026", "likes": 79575.0, "engagement_rate": pytest.approx(0.07812, abs=1e-5)},
                    {"report": "October 2026", "likes": 40440.0, "engagement_rate": pytest.approx(0.05582, abs=1e-5)}]


def test_periods_table_shows_each_reports_figures_hand_checked(demo_site: Path) -> None:
    """Fjord & Sons, October 2026, read off its kpis.json: likes 40440, engagement rate 0.0558207, revenue
    17761.94, ROAS 1.80575, conversions per 1k likes 10.7319, follower growth 1180; of its 6 targets, ROI
    (0.806 < 1.5), reply rate (0.719 < 0.85) and CTR (0.98% < 1%) are missed."""
    rows = [[_text(c) for c in row] for row in periods_table((demo_site / FJORD / "index.html").read_text())]
    assert [r[0] for r in rows] == ["August 2026 1 Aug 2026 – 31 Aug 2026", "September 2026 1 Sept 2026 – 30 Sept 2026",
                                    "October 2026 1 Oct 2026 – 31 Oct 2026"]
    assert rows[2][1:7] == ["40,440", "5.58%", "£17,761.94", "1.81×", "10.7", "1,180"]
    assert rows[2][7] == "3 of 6 met missed ROI, Reply rate, CTR"
    assert rows[0][7] == "1 of 6 met missed Engagement rate, ROI, Likes, Reply rate, CTR"


@pytest.mark.parametrize("client", [FJORD, "harbor-coffee", "nordlicht-kosmetik"])
def test_periods_table_agrees_with_every_reports_kpis_json(demo_site: Path, client: str) -> None:
    locale, currency = {FJORD: ("en_GB", "GBP"), "harbor-coffee": ("en_US", "USD"),
                        "nordlicht-kosmetik": ("de_DE", "EUR")}[client]
    fmt = Formatter(locale, currency)
    rows = periods_table((demo_site / client / "index.html").read_text())
    for row in rows:
        slug = re.search(r'href="([^"/]+)/index.html"', row[0]).group(1)
        kpis = json.loads((demo_site / client / slug / "kpis.json").read_text())["kpis"]
        assert [_text(c) for c in row[1:7]] == [_text(fmt.kpi(k, kpis[k]["value"])) for k in PERIOD_KPIS]
        targets = {k: v for k, v in kpis.items() if v["target"] is not None}
        met = sum(v["attainment"] is not None and v["attainment"] >= 1 for v in targets.values())
        assert re.match(rf"{met}\D+{len(targets)}\b", _text(row[7])), (slug, _text(row[7]))


@pytest.mark.parametrize("client", [FJORD, "nordlicht-kosmetik"])
def test_each_period_lists_the_alerts_of_its_report(demo_site: Path, client: str) -> None:
    rows = periods_table((demo_site / client / "index.html").read_text())
    assert any("<li" in row[8] for row in rows)
    for row in rows:
        slug = re.search(r'href="([^"/]+)/index.html"', row[0]).group(1)
        report = (demo_site / client / slug / "index.html").read_text()
        highlights = re.search(r'<section class="section summary".*?<ul class="alerts">(.*?)</ul>', report, re.S)
        expected = [t for t in re.findall(r'<li class="alert [^"]*">(.*?)</li>', highlights.group(1), re.S)]
        listed = re.findall(r'<li class="alert-[^"]*">(.*?)</li>', row[8], re.S)
        assert sorted(listed) == sorted(expected)
        counts = [int(n) for n in re.findall(r"(\d+) \w+", _text(row[8].split("</summary>")[0]))]
        assert sum(counts) == len(listed)


def _kpis(values: dict[str, float | None], targets: dict[str, float] | None = None,
          month: int = 10) -> ReportKpis:
    period = Period(date(2026, month, 1), date(2026, month, 28))
    return ReportKpis(period, None, {**dict.fromkeys(KPI_IDS), **values}, dict.fromkeys(KPI_IDS), targets or {})


def test_data_in_the_client_page_stays_text(tmp_path: Path) -> None:
    """A client name, a report title and an alert's subject with markup in them are shown as text."""
    from sitegen.render.client_trends import client_trends
    from sitegen.render.themes import page_environment, resolve_theme

    root = make_project(tmp_path, client_toml='name = "<b>Bold</b> & Co"\n', reports={"2026-10.md": (
        '---\ntitle: "<i>October</i></script>"\nperiod: "2026-10"\n---\nText.\n')})
    build(root, BuildOptions(output=tmp_path / "out"))
    page = (tmp_path / "out" / "acme" / "index.html").read_text()
    assert "<b>Bold" not in page and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page
    assert "<i>October" not in page and "&lt;i&gt;October&lt;/i&gt;" in page
    assert page.count("</script>") == page.count("<script")  # the title in a chart's spec does not end it
    # an alert whose subject (a campaign's name, from data) holds markup
    env = page_environment(resolve_theme(root, "default"), "en")
    row = PeriodRow("Oct", "2026-10", Period(date(2026, 10, 1), date(2026, 10, 31)), _kpis({"likes": 10.0}),
                    (Alert("viral_not_converting", "warning", "<img src=x onerror=alert(1)>", None, 0.5, 3.0),))
    trends = client_trends(env, Formatter("en_US", "USD"), [row], {n: None for n in CLIENT_CHART_KINDS}, {}, "acme/")
    text = str(trends.context["periods"]["rows"][0]["alerts"]["texts"][0]["text"])
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_a_chart_is_empty_when_no_report_has_its_figures_and_n_a_is_null() -> None:
    rows = [PeriodRow("Sep", "2026-09", Period(date(2026, 9, 1), date(2026, 9, 30)),
                      _kpis({"revenue": None, "roas": None, "likes": 0.0}, month=9), ()),
            PeriodRow("Oct", "2026-10", Period(date(2026, 10, 1), date(2026, 10, 31)),
                      _kpis({"revenue": 120.5, "roas": None, "likes": 40.0}), ())]
    assert client_chart_spec("client_conversions", rows) is None  # n/a in every report
    revenue = json.loads(client_chart_spec("client_revenue", rows))["datasets"]["rows"]
    assert revenue == [{"report": "Sep", "revenue": None, "roas": None},
                       {"report": "Oct", "revenue": 120.5, "roas": None}]
    likes = json.loads(client_chart_spec("client_likes", rows))["datasets"]["rows"]
    assert [r["likes"] for r in likes] == [0.0, 40.0]  # a zero is a value, drawn


def test_reports_sharing_a_title_stay_apart_and_come_in_period_order() -> None:
    week = [PeriodRow("Week", slug, Period(start, end), _kpis({"likes": likes}), ())
            for slug, start, end, likes in [("w2", date(2026, 10, 8), date(2026, 10, 14), 2.0),
                                             ("w1", date(2026, 10, 1), date(2026, 10, 7), 1.0)]]
    spec = json.loads(client_chart_spec("client_likes", in_period_order(week)))
    assert spec["datasets"]["rows"] == [{"report": "Week (w1)", "likes": 1.0, "engagement_rate": None},
                                        {"report": "Week (w2)", "likes": 2.0, "engagement_rate": None}]


values = st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(values, values), min_size=1, max_size=12))
def test_every_chart_row_is_its_reports_value(figures) -> None:
    """One row per report, each value the report's own (n/a as null); no row at all only when every value is n/a."""
    rows = [PeriodRow(f"R{i}", f"r{i}", Period(date(2026, 1, 1), date(2026, 1, 31)),
                      _kpis({"revenue": revenue, "roas": roas}), ()) for i, (revenue, roas) in enumerate(figures)]
    spec = client_chart_spec("client_revenue", rows)
    if all(v is None for pair in figures for v in pair):
        assert spec is None
        return
    drawn = json.loads(spec)["datasets"]["rows"]
    assert [(r["revenue"], r["roas"]) for r in drawn] == figures
    assert all(KPIS[s.kpi] for s in CLIENT_CHART_KINDS["client_revenue"].series)


def test_client_page_tables_sort_by_their_numbers(demo_site: Path) -> None:
    """Every number cell of the periods table and the charts' data tables carries its raw value, so the page
    sorts "$987.00" below "$12,000.00" and a minus sign counts."""
    page = (demo_site / FJORD / "index.html").read_text()
    kpis = json.loads((demo_site / FJORD / "2026-10" / "kpis.json").read_text())["kpis"]
    row = re.findall(r"<tr>(.*?)</tr>", re.search(r'<table class="data-table table-periods">(.*?)</table>',
                                                  page, re.S).group(1), re.S)[-1]
    keys = [float(v) for v in re.findall(r'<td class="[a-z]+" data-value="([^"]+)"', row)]
    assert keys == [pytest.approx(kpis[k]["value"]) for k in PERIOD_KPIS]
    tables = re.findall(r'<table class="data-table table-chart-client_[a-z_0-9]+">(.*?)</table>', page, re.S)
    assert len(tables) == 4
    for table in tables:
        for cells in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
            numbers = re.findall(r'<td class="(?!text)[a-z]+"( data-value="[^"]*")?', cells)
            assert numbers and all(numbers), cells
