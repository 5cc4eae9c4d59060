from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from helpers import write_csv
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics
from sitegen.metrics.alerts import report_alerts
from sitegen.metrics.baselines import baseline, robust_z
from sitegen.metrics.facts import client_facts
from sitegen.metrics.periods import month
from sitegen.metrics.report import report_kpis
from sitegen.metrics.thresholds import AlertThresholds

START = date(2026, 9, 1)
SPIKE, BOUGHT, CRISIS = date(2026, 10, 10), date(2026, 10, 20), date(2026, 10, 25)


def _account():
    rows = []
    for i in range(61):
        day = START + timedelta(days=i)
        likes, views = 100 + (i % 7) * 5, 1000 + (i % 7) * 50
        if day == SPIKE:  # a real spike: views and likes both jump
            likes, views = 1500, 15000
        if day == BOUGHT:  # likes jump, views do not
            likes = 1200
        rows.append(dict(date=day.isoformat(), followers=str(1000 + i), new_followers="1", likes=str(likes),
                         video_views=str(views)))
    return rows


def _community():
    rows = []
    for i in range(61):
        day = START + timedelta(days=i)
        negative = 20 if day == CRISIS else i % 2
        rows += [dict(received_at=f"{day} 10:00", channel="comment", direction="inbound", video_id="7001",
                      sentiment="negative") for _ in range(negative)]
        rows.append(dict(received_at=f"{day} 11:00", channel="comment", direction="inbound", video_id="7001",
                         sentiment="positive"))
    return rows


def _ads():
    return [dict(date="2026-10-05", campaign="Likes only", spend="500", likes="10000", conversions="1", revenue="10"),
            dict(date="2026-10-05", campaign="Sales", spend="500", likes="1000", conversions="100", revenue="3000")]


@pytest.fixture(scope="module")
def alerts(tmp_path_factory):
    data = tmp_path_factory.mktemp("alerts") / "data"
    write_csv(data / "account.csv", _account())
    write_csv(data / "community.csv", _community())
    write_csv(data / "ads.csv", _ads())
    write_csv(data / "videos.csv", [dict(video_id="7001", posted_at="2026-08-01 10:00", views="5000", likes="100",
                                         title="Price update")])
    facts = client_facts(load_client_data(data, Diagnostics()))
    kpis = report_kpis(facts, month(2026, 10), month(2026, 9), {"spend": 2000.0, "cpa": 50.0})
    return report_alerts(facts, kpis, AlertThresholds(), ["spend", "likes"])


def _of(alerts, kind):
    return [a for a in alerts if a.kind == kind]


def test_spike_on_the_viral_day_only(alerts):
    spikes = _of(alerts, "spike")
    assert {(a.subject, a.day) for a in spikes} == {("likes", SPIKE), ("likes", BOUGHT)}
    first = next(a for a in spikes if a.day == SPIKE)
    assert first.value == 1500 and 100 <= first.baseline <= 130


def test_suspicious_likes_when_views_stay_flat(alerts):
    [alert] = _of(alerts, "suspicious_likes")
    assert alert.day == BOUGHT and alert.value == pytest.approx(1.2, rel=0.1)


def test_crisis_day_and_video(alerts):
    crises = _of(alerts, "crisis")
    assert any(a.day == CRISIS and a.value == 20 and a.detail == ("Price update",) for a in crises)
    assert all(a.day in (CRISIS, None) for a in crises)
    assert alerts[0].severity == "critical"  # the most severe first


def test_viral_but_not_converting(alerts):
    [alert] = _of(alerts, "viral_not_converting")
    assert alert.subject == "Likes only"
    assert alert.value == pytest.approx(0.1) and alert.baseline == pytest.approx(101 / 11000 * 1000)


def test_targets_and_large_changes(alerts):
    assert {(a.kind, a.subject) for a in alerts if a.kind.startswith("target")} == {
        ("target_missed", "spend"), ("target_beaten", "cpa")}
    assert [a.subject for a in _of(alerts, "large_change")] == []  # no ads in September: no change to report


def test_robust_z_is_finite_for_flat_history():
    z, median = robust_z(10.0, __import__("numpy").array([5.0] * 10))
    assert median == 5.0 and z == pytest.approx(5 / 1.4826)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, 5.0])),
                max_size=80),
       st.integers(7, 40), st.sampled_from([1.0, 1e-9]), st.booleans())
def test_baseline_of_every_day_at_once_is_robust_z_day_by_day(points, window, min_mad, with_nan):
    """The vectorised baseline gives robust_z's numbers exactly, for series with gaps and repeats."""
    days = list(zip(np.cumsum([gap for gap, _ in points]).tolist(), [v for _, v in points]))  # gaps of 1-3 days
    values = [v for _, v in days]
    if with_nan and values:
        values[len(values) // 2] = float("nan")  # (taken one day at a time, like robust_z)
    series = pd.Series(values, index=pd.DatetimeIndex([pd.Timestamp(2026, 1, 1) + pd.Timedelta(days=d)
                                                       for d, _ in days]), dtype="float64")
    found = baseline(series, window, min_mad)
    stamps = series.index.as_unit("ns").asi8
    for i in range(len(series)):
        start = int(np.searchsorted(stamps, stamps[i] - window * 86_400_000_000_000))
        assert found.ok[i] == (i - start >= 7)
        if found.ok[i]:
            z, median = robust_z(float(values[i]), np.array(values[start:i]), min_mad)
            assert (found.z[i], found.median[i]) == (z, median) or (np.isnan(z) and np.isnan(found.z[i]))
    days, day_values, z, medians = found.days(stamps)
    assert days.tolist() == stamps[found.ok].tolist()
    np.testing.assert_array_equal(day_values, found.values[found.ok])
    np.testing.assert_array_equal(medians, found.median[found.ok])
    np.testing.assert_array_equal(z, found.z[found.ok])
