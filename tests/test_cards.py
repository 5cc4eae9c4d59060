"""KPI cards and kpis.csv speak the report's language: a change shown as zero has no arrow and no colour, and
kpis.csv's labels are the report's words while its KPI ids stay the same for machines."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given
from hypothesis import strategies as st

from sitegen.metrics.catalogue import KPI_IDS
from sitegen.metrics.periods import month
from sitegen.metrics.report import ReportKpis
from sitegen.render.exports import kpis_csv
from sitegen.render.formatting import Formatter
from sitegen.render.report_page import PageContext


def _kpis(values: dict, previous: dict) -> ReportKpis:
    return ReportKpis(month(2026, 10), month(2026, 9), {**dict.fromkeys(KPI_IDS), **values},
                      {**dict.fromkeys(KPI_IDS), **previous}, {})


def _card(values: dict, previous: dict, kpi: str, locale: str = "en") -> dict:
    return PageContext(None, Formatter(locale, "EUR"), _kpis(values, previous), {}, []).card(kpi)


def test_a_change_that_rounds_to_zero_has_no_arrow_and_no_colour():
    card = _card({"likes": 100_001}, {"likes": 100_000}, "likes")  # +0.001 %
    assert (card["change"], card["direction"], card["quality"]) == ("0.0%", "flat", "")
    card = _card({"spend": 99_999.0}, {"spend": 100_000.0}, "spend", "de")  # -0.001 %
    assert (card["change"], card["direction"], card["quality"]) == ("0,0\xa0%", "flat", "")
    card = _card({"reply_rate": 0.50049}, {"reply_rate": 0.5}, "reply_rate")  # +0.049 pp
    assert (card["change"], card["direction"], card["quality"]) == ("0.0\xa0pp", "flat", "")


def test_a_change_that_shows_keeps_its_arrow_and_colour():
    card = _card({"likes": 100_100}, {"likes": 100_000}, "likes")  # +0.1 %
    assert (card["change"], card["direction"], card["quality"]) == ("+0.1%", "up", "good")
    card = _card({"cpa": 10.1}, {"cpa": 10.0}, "cpa")  # +1 %, lower is better
    assert (card["direction"], card["quality"]) == ("up", "bad")


@given(st.floats(-1e9, 1e9), st.floats(1e-3, 1e9))
@example(100_001.0, 100_000.0)
def test_a_card_has_an_arrow_exactly_when_its_change_shows_a_digit(value, previous):
    card = _card({"likes": value}, {"likes": previous}, "likes")
    shown_zero = card["change"].lstrip("+-") == "0.0%"
    assert (card["direction"] == "flat") == shown_zero
    assert (card["quality"] == "") == shown_zero


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_kpis_csv_labels_are_in_the_reports_language_and_ids_stay():
    kpis = _kpis({"likes": 5.0}, {"likes": 4.0})
    english, german = _rows(kpis_csv(kpis, "en")), _rows(kpis_csv(kpis, "de"))
    assert english[0] == german[0] == ["kpi", "label", "unit", "value", "previous", "change", "target", "attainment"]
    assert [r[0] for r in english] == [r[0] for r in german]
    labels = {r[0]: r[1] for r in german[1:]}
    assert labels["likes"] == "Likes" and labels["spend"] == "Ausgaben"
    assert labels["follower_growth"] == "Follower-Wachstum"
    assert {r[0]: r[1] for r in english[1:]}["spend"] == "Spend"
    assert [r[2:] for r in english] == [r[2:] for r in german]
