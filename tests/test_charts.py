import json
from datetime import date

import pandas as pd
import pytest
import vl_convert
from helpers import write_csv
from tiny_data import TABLES

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.metrics.facts import client_facts
from sitegen.metrics.periods import Period
from sitegen.metrics.report import report_kpis
from sitegen.render.charts import CHART_KINDS, chart_spec, columns_json, report_charts


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
