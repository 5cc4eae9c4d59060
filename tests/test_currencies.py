"""Money knows its currency (issue 17): markers in money cells are read and checked against the row's and the
client's currency, a currency column is each row's currency, and amounts in other currencies are converted with
the project's exchange rates ([fx]) into the client's currency, to the cent, with the rates stated on the page."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from helpers import build, error_for, make_project, write, write_csv
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_data import TABLES

from sitegen.data.currency_marks import resolve, split_markers, symbols_of
from sitegen.data.exchange import convert, convert_exactly
from sitegen.data.fx import ExchangeRates, Rate
from sitegen.data.load import load_client_data
from sitegen.data.options import LoadOptions
from sitegen.errors import Diagnostics, SitegenError, error_lines
from sitegen.project.discover import discover

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


# --- loading -------------------------------------------------------------------------------------------------


def _load(folder: Path, rows: list[dict], **options):
    write_csv(folder / "ads.csv", rows)
    return load_client_data(folder, Diagnostics(), options=LoadOptions(**options))


def _errors(folder: Path, rows: list[dict], **options) -> list[str]:
    with pytest.raises(SitegenError) as caught:
        _load(folder, rows, **options)
    return [line.replace(str(folder) + "/", "") for line in error_lines(caught.value)]


def _ads(*spends: str, currencies: list[str] | None = None, days: list[str] | None = None) -> list[dict]:
    rows = [{"date": (days or ["2026-10-03"] * len(spends))[i], "campaign": "A", "spend": s}
            for i, s in enumerate(spends)]
    for row, code in zip(rows, currencies or []):
        row["Currency"] = code
    return rows


USD = {"currency": "USD", "currency_set": True}
RATES = ExchangeRates("EUR", (Rate("JPY", date(2026, 10, 1), 161.2), Rate("USD", date(2026, 10, 1), 1.07),
                              Rate("USD", date(2026, 10, 15), 1.08)), "[fx] in client.toml")


def test_euro_and_dollar_in_one_column_are_an_error_for_a_dollar_client(tmp_path):
    lines = _errors(tmp_path, _ads("€100", "$100"), **USD)
    assert lines == ["ads.csv:2:spend: found '€100', expected an amount in USD (the client's currency); to read "
                     "amounts in other currencies, give exchange rates ([fx] in client.toml or sitegen.toml)"]


def test_a_code_after_the_amount_is_read_not_dropped(tmp_path):
    assert _errors(tmp_path, _ads("100 EUR"), **USD)[0].startswith("ads.csv:2:spend: found '100 EUR', expected an "
                                                                    "amount in USD (the client's currency)")
    data = _load(tmp_path, _ads("100 EUR", "EUR 2.5", "€1,000.25"), currency="EUR", currency_set=True)
    assert data["ads"]["spend"].tolist() == [100.0, 2.5, 1000.25]


def test_a_currency_column_mixing_currencies_is_an_error_naming_the_cell(tmp_path):
    lines = _errors(tmp_path, _ads("100", "1000", currencies=["EUR", "JPY"]), currency="EUR", currency_set=True)
    assert lines == ["ads.csv:3:currency: found 'JPY', expected EUR (the client's currency); to read amounts in "
                     "other currencies, give exchange rates ([fx] in client.toml or sitegen.toml)"]


def test_markers_of_the_clients_currency_read_as_plain_amounts(tmp_path):
    data = _load(tmp_path, _ads("$1,234.56", "USD 7", "8 usd", "9", "US$ 10"), **USD)
    assert data["ads"]["spend"].tolist() == [1234.56, 7.0, 8.0, 9.0, 10.0]
    assert data.currency == "USD" and data.fx == []


def test_without_a_currency_in_client_toml_the_datas_one_currency_wins(tmp_path):
    data = _load(tmp_path, _ads("€5", "6"))
    assert (data.currency, data.currencies, data["ads"]["spend"].tolist()) == ("EUR", {"EUR"}, [5.0, 6.0])
    data = _load(tmp_path, _ads("5", "6", currencies=["IDR", "IDR"]))
    assert data.currency == "IDR"


def test_other_mistakes_name_their_cell(tmp_path):
    rows = _ads("¥7", "kr 7", "9", currencies=["EUR", "EUR", "Rupiah"])
    assert _errors(tmp_path, rows, currency="EUR", currency_set=True) == [
        "ads.csv:2:spend: found '¥7', expected an amount in EUR (the row's currency)",
        "ads.csv:3:spend: found 'kr 7', expected an amount in EUR (the client's currency); 'kr' could be DKK, NOK "
        "or SEK: write the ISO code (like DKK 100)",
        "ads.csv:4:currency: found 'Rupiah', expected a currency code like EUR",
    ]


def test_many_cells_in_another_currency_are_listed_then_counted(tmp_path):
    with pytest.raises(SitegenError) as caught:
        _load(tmp_path, _ads(*[f"€{i}" for i in range(30)]), **USD)
    lines = [str(e).replace(str(tmp_path) + "/", "") for e in caught.value.errors]
    assert len(lines) == 22 and lines[-1] == ("ads.csv:spend: 9 more cells in this column that are not an amount "
                                              "in USD (the client's currency) (not listed one by one)")
    assert sum(e.cells for e in caught.value.errors) == 30


def test_amounts_are_converted_with_the_rate_in_force_on_their_day(tmp_path):
    # 1 EUR = 1.07 USD from Oct 1, 1.08 from Oct 15; 1 EUR = 161.2 JPY from Oct 1; the client is in USD
    rows = _ads("100 EUR", "¥1000", "€50.55", "JPY 333", "12.34", "0.01 EUR",
                days=["2026-10-03", "2026-10-03", "2026-10-20", "2026-10-20", "2026-10-20", "2026-10-14"])
    data = _load(tmp_path, rows, fx=RATES, **USD)
    # 100 × 1.07 = 107; 1000 × 1.07 / 161.2 = 6.6377 -> 6.64; 50.55 × 1.08 = 54.594 -> 54.59;
    # 333 × 1.08 / 161.2 = 2.2310 -> 2.23; 12.34 as it is; 0.01 × 1.07 = 0.0107 -> 0.01
    assert data["ads"]["spend"].tolist() == [107.0, 6.64, 54.59, 2.23, 12.34, 0.01]
    assert round(data["ads"]["spend"].sum(), 2) == 182.81
    assert [(r.currency, r.day, r.rate, r.days) for r in data.fx] == [
        ("JPY", date(2026, 10, 1), 161.2, (date(2026, 10, 3), date(2026, 10, 20))),
        ("USD", date(2026, 10, 1), 1.07, (date(2026, 10, 3), date(2026, 10, 14))),
        ("USD", date(2026, 10, 15), 1.08, (date(2026, 10, 20),)),
    ]
    assert "3 amounts converted from EUR into USD ([fx] in client.toml)" in data.files[0].notes
    assert "2 amounts converted from JPY into USD ([fx] in client.toml)" in data.files[0].notes


def test_converted_amounts_round_half_up_to_the_minor_unit(tmp_path):
    half = ExchangeRates(None, (Rate("USD", date(2026, 1, 1), 2.0),))  # 1 EUR = 2 USD: $0.25 is 0.125 EUR
    data = _load(tmp_path, _ads("$0.25", "$0.01"), currency="EUR", currency_set=True, fx=half)
    assert data["ads"]["spend"].tolist() == [0.13, 0.01]  # half up (banker's rounding and a float would say 0.12)
    yen = ExchangeRates("JPY", (Rate("USD", date(2026, 1, 1), 0.0067),))
    data = _load(tmp_path, _ads("$1", "$2.5"), currency="JPY", currency_set=True, fx=yen)
    assert data["ads"]["spend"].tolist() == [149.0, 373.0]  # 1 / 0.0067 = 149.25; 2.5 / 0.0067 = 373.13: no cents


def test_a_row_before_the_first_rate_is_an_error_naming_the_cell(tmp_path):
    rows = _ads("€5", "6", days=["2026-09-30", "2026-09-30"], currencies=["", "JPY"])
    assert _errors(tmp_path, rows, fx=RATES, **USD) == [
        "ads.csv:2:spend: found '€5', expected an amount in USD (the client's currency); [fx] in client.toml has no "
        "USD rate on or before 2026-09-30",
        "ads.csv:3:currency: found 'JPY', expected USD (the client's currency) or a rate: [fx] in client.toml has "
        "no JPY rate on or before 2026-09-30",
    ]


def test_the_cache_keeps_amounts_as_written_and_converts_after_it(tmp_path):
    """A big file is cached typed; its markers and currency column are kept with it, so a cache hit is checked and
    converted with the rates of this build."""
    folder, cache = tmp_path / "data", tmp_path / "cache"
    rows = [{"date": "2026-10-03", "campaign": f"campaign {i}", "spend": f"€{i}.5", "Currency": "EUR"}
            for i in range(60_000)]
    write_csv(folder / "ads.csv", rows)
    options = LoadOptions(currency="USD", currency_set=True, fx=RATES)
    first = load_client_data(folder, Diagnostics(), cache_dir=cache, options=options)
    assert list(cache.rglob("*.parquet")), "the file was not cached"
    cheaper = ExchangeRates("EUR", (Rate("USD", date(2026, 10, 1), 2.0),))
    again = load_client_data(folder, Diagnostics(), cache_dir=cache,
                             options=LoadOptions(currency="USD", currency_set=True, fx=cheaper))
    assert first["ads"]["spend"].iloc[1] == 1.61 and again["ads"]["spend"].iloc[1] == 3.0  # 1.5 × 1.07; 1.5 × 2
    with pytest.raises(SitegenError, match="found '€0.5', expected an amount in USD"):
        load_client_data(folder, Diagnostics(), cache_dir=cache, options=LoadOptions(currency="USD", currency_set=True))


# --- properties ----------------------------------------------------------------------------------------------

_FACTOR = st.decimals(Decimal("0.0001"), 10**5, places=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.decimals(0, 10**12, places=2), _FACTOR, _FACTOR), min_size=1, max_size=20),
       st.integers(0, 3))
def test_converting_in_floats_gives_the_exact_decimal_result(rows, digits):
    """The fast path (floats, decimals only near a half) against the plain way (decimals for every amount)."""
    amounts, multiply, divide = (np.array([float(r[i]) for r in rows]) for i in range(3))
    assert convert(amounts, multiply, divide, digits).tolist() == \
        convert_exactly(amounts, multiply, divide, digits).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=20), st.sampled_from([1, 2, 4, 5, 8]),
       st.integers(0, 3))
def test_halves_round_up_as_in_decimal(halves, factor, digits):
    """Amounts whose converted value is exactly a half of the minor unit (×factor, /1): the cases floats get wrong."""
    amounts = np.array([float(Decimal(2 * n + 1) / Decimal(2 * factor) / Decimal(10) ** digits) for n in halves])
    ones, times = np.ones(len(halves)), np.full(len(halves), float(factor))
    assert convert(amounts, times, ones, digits).tolist() == convert_exactly(amounts, times, ones, digits).tolist()


_AMOUNT = st.decimals(0, 10**7, places=2)
_STYLES = ["{a}", "{s}{a}", "{a} {c}", "{c}{a}", "{lc} {a}", "{s} {a:,}"]
_SYMBOL = {"USD": "$", "EUR": "€", "JPY": "¥", "GBP": "£", "IDR": "Rp"}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(_SYMBOL)), st.lists(st.tuples(_AMOUNT, st.sampled_from(_STYLES)), min_size=1,
                                                   max_size=8))
def test_a_marker_of_the_clients_currency_changes_nothing(tmp_path_factory, currency, cells):
    folder = tmp_path_factory.mktemp("marks")
    plain = [str(a) for a, _ in cells]
    marked = [style.format(a=a, s=_SYMBOL[currency], c=currency, lc=currency.lower()) for a, style in cells]
    options = {"currency": currency, "currency_set": True}
    assert _load(folder, _ads(*marked), **options)["ads"]["spend"].tolist() == \
        _load(folder, _ads(*plain), **options)["ads"]["spend"].tolist()


_ROWS = st.lists(st.tuples(_AMOUNT, st.sampled_from(["USD", "EUR", "JPY"]), st.integers(1, 31)), min_size=1,
                 max_size=12)
_RATE = st.decimals(Decimal("0.001"), 500, places=3)


@settings(max_examples=40, deadline=None)
@given(_ROWS, _RATE, _RATE, st.sampled_from(["USD", "EUR"]), st.booleans())
def test_totals_are_the_sums_of_their_converted_rows(tmp_path_factory, rows, usd, jpy, client, column):
    """Each row converted by hand in decimal (amount × client's rate / row's rate, base EUR, half up to the cent):
    the loaded amounts are those, and the period's spend KPI is their sum."""
    folder = tmp_path_factory.mktemp("fx")
    rates = {"EUR": Decimal(1), "USD": usd, "JPY": jpy}
    fx = ExchangeRates("EUR", (Rate("JPY", date(2026, 1, 1), float(jpy)), Rate("USD", date(2026, 1, 1), float(usd))))
    cells = [(str(a), c) if column else (f"{a} {c}", "") for a, c, _ in rows]
    ads = _ads(*[c for c, _ in cells], days=[f"2026-10-{d:02d}" for _, _, d in rows],
               currencies=[c for _, c in cells] if column else None)
    data = _load(folder, ads, currency=client, currency_set=True, fx=fx)
    by_hand = [a if c == client else (a * rates[client] / rates[c]).quantize(Decimal("0.01"), ROUND_HALF_UP)
               for a, c, _ in rows]
    assert data["ads"]["spend"].tolist() == [float(v) for v in by_hand]
    from sitegen.metrics.facts import client_facts
    from sitegen.metrics.periods import Period
    from sitegen.metrics.report import report_kpis

    kpis = report_kpis(client_facts(data), Period(date(2026, 10, 1), date(2026, 10, 31)), None, {})
    assert round(kpis.values["spend"], 2) == float(sum(by_hand))  # right to the cent (float sums, not conversion)


# --- settings ------------------------------------------------------------------------------------------------


def _discover(root: Path) -> list[str]:
    try:
        discover(root, Diagnostics())
    except SitegenError as exc:
        return [line.replace(str(root) + "/", "") for line in error_lines(exc)]
    return []


@pytest.mark.parametrize(("site", "client", "expected"), [
    ("[fx]\nrates = { \"2026-10-01\" = { USD = 1.07 } }\n", "", "sitegen.toml: fx: set base, the currency"),
    ("", "[fx]\nrates = { \"2026-10-01\" = { USD = -1 } }\n",
     "fx.rates.2026-10-01.USD: Input should be greater than 0"),
    ("", "[fx]\nrates = { \"2026-10-01\" = { EURO = 1 } }\n", "unknown currency 'EURO'"),
    ("", "[fx]\nbase = \"EUR\"\nrates = { \"2026-10-01\" = { EUR = 2 } }\n", "a rate for the base EUR itself"),
    ("", "[fx]\nrates = { \"October\" = { USD = 1 } }\n", "fx.rates.October"),
])
def test_fx_settings_are_checked(tmp_path, site, client, expected):
    make_project(tmp_path, site_toml=site, client_toml=client)
    assert any(expected in line for line in _discover(tmp_path)), _discover(tmp_path)


def test_a_rates_file_is_read_and_its_bad_cells_named(tmp_path):
    make_project(tmp_path, client_toml='currency = "USD"\n[fx]\nbase = "EUR"\nfile = "fx.csv"\n'
                 'rates = { "2026-10-01" = { USD = 1.07 } }\n')
    write(tmp_path / "content/acme/fx.csv", "date,currency,rate\n2026-10-01,jpy,161.2\n2026-10-02,USD,0\n"
          "2026-10-xx,GBP,0.9\n2026-10-01,USD,1.1\n")
    assert _discover(tmp_path) == [
        "content/acme/fx.csv:3:rate: found '0', expected a number > 0 (units of the currency one unit of the base "
        "buys)",
        "content/acme/fx.csv:4:date: found '2026-10-xx', expected a date like 2026-10-01",
        "content/acme/fx.csv:5:rate: found a second USD rate for 2026-10-01 (the other: [fx] in client.toml)",
    ]
    write(tmp_path / "content/acme/fx.csv", "date,currency,rate\n2026-10-01,jpy,161.2\n")
    (client,) = discover(tmp_path, Diagnostics()).clients
    assert client.fx == ExchangeRates("EUR", (Rate("JPY", date(2026, 10, 1), 161.2),
                                              Rate("USD", date(2026, 10, 1), 1.07)), "[fx] in client.toml")


def test_a_rates_file_that_cannot_be_read_is_one_error(tmp_path):
    make_project(tmp_path, client_toml='[fx]\nfile = "nope.csv"\n')
    assert _discover(tmp_path) == ["content/acme/client.toml: fx.file: cannot read 'nope.csv' (FileNotFoundError), "
                                   "expected a UTF-8 CSV file with the columns date, currency, rate"]
    write(tmp_path / "content/acme/nope.csv", "day,code,value\n")
    assert _discover(tmp_path) == ["content/acme/nope.csv:1: found the columns 'day', 'code', 'value', expected "
                                   "date, currency, rate"]


def test_a_clients_fx_replaces_the_sites(tmp_path):
    make_project(tmp_path, site_toml='[fx]\nbase = "EUR"\nrates = { "2026-01-01" = { USD = 1.1 } }\n')
    (client,) = discover(tmp_path, Diagnostics()).clients
    assert client.fx.base == "EUR" and client.fx.source == "[fx] in sitegen.toml"
    write(tmp_path / "content/acme/client.toml", '[fx]\nrates = { "2026-01-01" = { JPY = 150 } }\n')
    (client,) = discover(tmp_path, Diagnostics()).clients
    assert client.fx == ExchangeRates(None, (Rate("JPY", date(2026, 1, 1), 150.0),), "[fx] in client.toml")


# --- the site ------------------------------------------------------------------------------------------------


def _mixed_project(root: Path, client_toml: str) -> Path:
    ads = [{**row, "Currency": "JPY" if i == 1 else "EUR"} for i, row in enumerate(TABLES["ads"])]
    return make_project(root, {"ads": ads, "videos": TABLES["videos"], "account": TABLES["account"]},
                        client_toml=client_toml)


FX_TOML = 'name = "Acme"\nlocale = "{locale}"\ncurrency = "EUR"\n[fx]\nrates = {{ "2026-01-01" = {{ JPY = 161.2 }} }}\n'


def test_the_page_and_kpis_json_state_the_rates_used(tmp_path):
    project = _mixed_project(tmp_path / "project", FX_TOML.format(locale="en_US"))
    run = build(project, tmp_path / "site")
    assert run.returncode == 0, run.stderr
    report = tmp_path / "site/acme/2026-10"
    document = json.loads((report / "kpis.json").read_text(encoding="utf-8"))
    assert document["fx"] == [{"base": "EUR", "currency": "JPY", "rate": 161.2, "date": "2026-01-01"}]
    assert document["kpis"]["spend"]["value"] == 100.31  # 100 EUR + 50 JPY (0.31 EUR: 50 / 161.2 = 0.3102)
    page = (report / "index.html").read_text(encoding="utf-8")
    assert ('<p class="fx muted">Amounts in other currencies converted into EUR at 1 EUR = 161.2 JPY (rate of '
            'Jan 1, 2026).</p>') in page


def test_the_statement_is_translated(tmp_path):
    project = _mixed_project(tmp_path / "project", FX_TOML.format(locale="de_DE"))
    run = build(project, tmp_path / "site")
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "site/acme/2026-10/index.html").read_text(encoding="utf-8")
    assert "Beträge in anderen Währungen wurden zu diesen Kursen in EUR umgerechnet: 1 EUR = 161,2 JPY (Kurs vom " \
           "01.01.2026)." in page


def test_a_report_without_conversions_says_nothing_of_rates(tmp_path):
    project = make_project(tmp_path / "project", client_toml=FX_TOML.format(locale="en_US"))
    run = build(project, tmp_path / "site")
    assert run.returncode == 0, run.stderr
    report = tmp_path / "site/acme/2026-10"
    assert "fx" not in json.loads((report / "kpis.json").read_text(encoding="utf-8"))
    assert 'class="fx' not in (report / "index.html").read_text(encoding="utf-8")


def test_a_new_rate_rebuilds_the_numbers(tmp_path):
    project = _mixed_project(tmp_path / "project", FX_TOML.format(locale="en_US"))
    assert build(project, tmp_path / "site").returncode == 0
    write(project / "content/acme/client.toml", FX_TOML.format(locale="en_US").replace("161.2", "50"))
    run = build(project, tmp_path / "site")
    assert run.returncode == 0, run.stderr
    document = json.loads((tmp_path / "site/acme/2026-10/kpis.json").read_text(encoding="utf-8"))
    assert document["kpis"]["spend"]["value"] == 101.0 and document["fx"][0]["rate"] == 50


def test_the_cli_names_the_cell_of_a_missing_rate(tmp_path):
    project = _mixed_project(tmp_path / "project", FX_TOML.format(locale="en_US").replace("2026-01-01", "2026-10-03"))
    run = build(project, tmp_path / "site")
    assert run.returncode == 2
    where = error_for(run, project / "content/acme/data/ads.csv", project)
    assert (where.row, where.column) == (3, "currency")
    assert where.message == ("found 'JPY', expected EUR (the client's currency) or a rate: [fx] in client.toml has "
                             "no JPY rate on or before 2026-10-02")
