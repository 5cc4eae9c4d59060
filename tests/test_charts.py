import json
import re
from datetime import date

import pandas as pd
import pytest
import vl_convert
from helpers import write_csv
from tiny_data import TABLES

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.i18n import language
from sitegen.metrics.alerts import Alert
from sitegen.metrics.facts import client_facts
from sitegen.metrics.periods import Period
from sitegen.metrics.report import report_kpis
from sitegen.render.chart_alerts import chart_alerts
from sitegen.render.charts import ALERT_CHARTS, CHART_KINDS, chart_spec, columns_json, report_charts
from sitegen.render.d3_locale import d3_format_locale, d3_time_locale, short_date_format, short_number_expr


@pytest.fixture(scope="module")
def kpis(tmp_path_factory):
    data = tmp_path_factory.mktemp("charts") / "data"
    for kind, rows in TABLES.items():
        write_csv(data / f"{kind}.csv", rows)
    facts = client_facts(load_client_data(data, Diagnostics()))
    return report_kpis(facts, Period(date(2026, 10, 1), date(2026, 10, 2)), None, {})


def test_every_chart_renders_to_svg_with_its_data(kpis):
    charts = report_charts(kpis)
    assert set(charts) == set(CHART_KINDS)
    for name, spec_text in charts.items():
        assert spec_text is not None, name
        spec = json.loads(spec_text)
        assert spec["datasets"]["rows"], name
        svg = vl_convert.vegalite_to_svg(spec)
        assert "<svg" in svg and CHART_KINDS[name].title in svg, name


def test_spliced_rows_are_the_reports_rows(kpis):
    spec = json.loads(chart_spec("likes_daily", kpis))
    assert spec["datasets"]["rows"] == [
        {"date": "2026-10-01", "organic_likes": 1000.0, "paid_likes": 300.0},
        {"date": "2026-10-02", "organic_likes": 200.0, "paid_likes": 100.0}]
    assert spec["layer"][0]["data"] == {"name": "rows"}  # (the chart's alerts are a second layer)
    assert spec["datasets"]["alerts"] == []


def test_palette_reaches_the_spec(kpis):
    spec = json.loads(chart_spec("likes_daily", kpis, ("#111111", "#222222")))
    assert spec["config"]["range"]["category"] == ["#111111", "#222222"]


def test_empty_period_gives_no_chart(tmp_path):
    write_csv(tmp_path / "data" / "ads.csv", TABLES["ads"])
    facts = client_facts(load_client_data(tmp_path / "data", Diagnostics()))
    empty = report_kpis(facts, Period(date(2027, 1, 1), date(2027, 1, 31)), None, {})
    assert all(spec is None for spec in report_charts(empty).values())


def test_chart_rows_json_handles_missing_values_and_dates():
    frame = pd.DataFrame({"date": [pd.Timestamp("2026-10-01")], "x": [float("nan")], "y": [float("inf")],
                          "t": ['</script><b>"']})
    columns = {c: frame[c].to_numpy() for c in frame.columns}
    assert columns_json(columns) == '[{"date":"2026-10-01","x":null,"y":null,"t":"</script><b>\\""}]'


def test_chart_templates_are_kept_in_the_user_cache_and_a_damaged_one_is_built_again(tmp_path, monkeypatch):
    import subprocess
    import sys

    from sitegen.render import charts
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(tmp_path))
    made = charts.templates(("#111111", "#222222"), "de")
    assert set(made) == {(name, ("#111111", "#222222"), "de") for name in CHART_KINDS}
    (stored,) = (tmp_path / "chart-templates").glob("*.json")
    assert json.loads(stored.read_text()) == {name: text for (name, *_), text in made.items()}
    # another process reads them and never imports Altair
    script = ("import sys\nfrom sitegen.render import charts\n"
              "made = charts.templates(('#111111', '#222222'), 'de')\nprint(len(made), 'altair' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "SITEGEN_CACHE_DIR": str(tmp_path)})
    assert done.stdout.split() == [str(len(CHART_KINDS)), "False"], done.stderr
    stored.write_text('{"spend_daily": "damaged"}')
    monkeypatch.setattr(charts, "_TEMPLATES", {})
    assert charts.templates(("#111111", "#222222"), "de") == made
    assert json.loads(stored.read_text()) == {name: text for (name, *_), text in made.items()}


VEGA_DEFAULT_BLUE = "#4c78a8"


def test_every_chart_draws_in_the_palette_not_vegas_default_blue(kpis):
    palette = ("#123456", "#abcdef")
    for name, spec_text in report_charts(kpis, palette).items():
        spec = json.loads(spec_text)
        assert spec["config"]["mark"]["color"] == "#123456", name
        svg = vl_convert.vegalite_to_svg(spec).lower()
        assert VEGA_DEFAULT_BLUE not in svg, name
        assert "#123456" in svg or "#abcdef" in svg or name == "sentiment_daily", name  # (sentiment: its own)


def _alert(kind, subject, day=date(2026, 10, 2), value=40.0, baseline=4.0, detail=("<b>Pre-order</b>",)):
    return Alert(kind, "critical" if kind == "crisis" else "info", subject, day, value, baseline, detail)


def test_alerts_with_a_day_go_to_the_chart_of_their_metric_with_the_highlights_sentence():
    alerts = [_alert("crisis", "negative_comments"), _alert("crisis", "A video", day=None),
              _alert("spike", "likes"), _alert("spike", "new_followers"), _alert("suspicious_likes", "like_rate"),
              _alert("target_missed", "roi", day=None)]
    marked = chart_alerts(alerts, "de_DE", "EUR")
    assert {name: len(rows) for name, rows in marked.items()} == {
        "sentiment_daily": 1, "likes_daily": 2, "followers_daily": 1}
    crisis = marked["sentiment_daily"][0]
    assert crisis["date"] == "2026-10-02" and crisis["severity"] == "critical"
    # the highlights' German sentence, as plain text: data stays text (<b> is not markup here)
    assert crisis["text"].startswith("Mögliche Krise: 40 negative Kommentare (") and \
        crisis["text"].endswith("2026) — <b>Pre-order</b>"), crisis
    assert set(ALERT_CHARTS.values()) <= set(CHART_KINDS)


def test_alerts_are_spliced_as_a_second_dataset_and_drawn(kpis):
    rows = [{"date": "2026-10-02", "severity": "critical", "text": 'Crisis </script> "x"'}]
    spec = json.loads(chart_spec("sentiment_daily", kpis, alerts=rows))
    assert spec["datasets"]["alerts"] == rows and spec["datasets"]["rows"]
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.count("alert_rules_marks") == 1 and svg.count("alert_points_marks") == 1
    assert svg.count("alert_rules_marks\" aria-hidden=\"true\"") == 1  # (the highlights say it to screen readers)
    assert "__SITEGEN" not in chart_spec("likes_daily", kpis)  # no alerts: an empty dataset
    assert json.loads(chart_spec("likes_daily", kpis))["datasets"]["alerts"] == []
    assert "alerts" not in json.loads(chart_spec("top_videos", kpis))["datasets"]  # no dates, no alerts


def _drawn(name, kpis, locale, currency="EUR"):
    spec = json.loads(chart_spec(name, kpis, lang=language(locale)))
    return vl_convert.vegalite_to_svg(spec, format_locale=d3_format_locale(locale, currency),
                                      time_format_locale=d3_time_locale(locale))


def test_german_axes_use_german_short_numbers_and_day_month_ticks(kpis):
    funnel = _drawn("funnel", kpis, "de_DE")
    assert "~s" not in chart_spec("funnel", kpis, lang="de")  # d3's SI prefixes (0.1M) are not German
    assert re.search(r"Impressions: [\d,]+\u00a0(Mio\.|Mrd\.)|Impressions: [\d.]+<", funnel), funnel
    likes = _drawn("likes_daily", kpis, "de_DE")
    assert "1. Okt." in likes and "2. Okt." in likes
    assert "Oct 1" in _drawn("likes_daily", kpis, "en_US")


@pytest.mark.parametrize(("lang", "value", "shown"), [
    ("en", 1500.0, "1.5K"), ("en", 2_200_000.0, "2.2M"), ("en", 950.0, "950"), ("de", 1500.0, "1.500"),
    ("de", 2_200_000.0, "2,2\u00a0Mio."), ("de", 3e9, "3\u00a0Mrd."), ("de", 0.5, "0,5")])
def test_short_numbers_follow_the_languages_cldr_forms(lang, value, shown):
    locale = {"en": "en_US", "de": "de_DE"}[lang]
    spec = {"data": {"values": [{"v": value}]}, "mark": "text",
            "encoding": {"text": {"field": "s", "type": "nominal"}},
            "transform": [{"calculate": short_number_expr(lang, "datum.v"), "as": "s"}]}
    svg = vl_convert.vegalite_to_svg(spec, format_locale=d3_format_locale(locale, "EUR"))
    assert f">{shown}<" in svg


def test_date_ticks_are_the_languages_day_and_month():
    assert short_date_format("de") == "%-d. %b" and short_date_format("en") == "%b %-d"
