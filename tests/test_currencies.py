"""Money knows its currency (issue 17): markers in money cells are read and checked against the row's and the
client's currency, a currency column is each row's currency, and amounts in other currencies are converted with
the project's exchange rates ([fx]) into the client's currency, to the cent, with the rates stated on the page."""

from __future__ import annotations

import pyarrow as pa
import pytest

from sitegen.data.currency_marks import resolve, split_markers, symbols_of

# --- markers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "marker", "amount"), [
    ("€100", "€", "100"), ("100 EUR", "EUR", "100"), ("usd100", "usd", "100"), ("US$ 1,234.56", "US$", "1,234.56"),
    ("1.234,56\u00a0€", "€", "1.234,56"), ("Rp 1.000", "Rp", "1.000"), ("100 kr.", "kr.", "100"), ("¥100", "¥", "100"),
    # not a marker: left as written, and refused as no amount
    ("12%", None, "12%"), ("100K", None, "100K"), ("R 5", None, "R 5"), ("€", None, "€"),
    ("€100 EUR", None, "€100 EUR"), ("100", None, "100"), ("NaN", None, "NaN"),
])
def test_markers_are_split_from_amounts(cell, marker, amount):
    marks, amounts = split_markers(pa.array([cell]))
    assert (marks[0], amounts[0].as_py()) == (marker, amount)


@pytest.mark.parametrize(("marker", "preferred", "currency"), [
    ("$", ("USD",), "USD"), ("$", ("CAD",), "CAD"), ("$", ("EUR",), "USD"), ("$", ("EUR", "AUD"), "AUD"),
    ("¥", ("CNY",), "CNY"), ("¥", ("EUR",), "JPY"), ("￥", ("EUR",), "JPY"), ("£", ("EUR",), "GBP"),
    ("eur", ("USD",), "EUR"), ("Rp", ("USD",), "IDR"), ("zł", ("EUR",), "PLN"), ("CA$", ("USD",), "CAD"),
    ("kr", ("SEK",), "SEK"), ("kr", ("EUR",), frozenset({"DKK", "NOK", "SEK"})),
])
def test_a_symbol_means_the_clients_currency_first(marker, preferred, currency):
    assert resolve(marker, preferred) == currency


def test_symbols_come_from_cldr():
    assert {"$", "CA$"} <= symbols_of("CAD") and {"¥", "￥"} <= symbols_of("JPY") and "Rp" in symbols_of("IDR")
