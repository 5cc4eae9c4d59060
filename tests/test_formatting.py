"""sitegen.formatting writes exactly what Babel writes, only faster."""

from __future__ import annotations

import math
from datetime import date

import pytest
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.render.formatting import Formatter, _percent_pattern, currency_format, decimal_format, percent_format

LOCALES = ["en_US", "en_GB", "de_DE", "de_CH", "fr_FR", "fr_CH", "en_IN", "ja_JP", "sv_SE", "nl_NL", "pt_BR",
           "ar_EG", "he_IL", "fa_IR", "es_ES", "it_IT", "pl_PL", "ru_RU", "tr_TR", "da_DK", "nb_NO", "fi_FI"]
CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY", "INR", "SEK", "BHD", "KWD", "CLF", "XXX", "ZZZ"]

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e7, max_value=1e7),
    st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False).map(float),  # 2.675, 0.125, ...
    st.integers(min_value=-10**20, max_value=10**20).map(lambda i: i / 1000),
    st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from([0.0, -0.0, 0, -1e-9, 1e-9, 0.5, -0.5, 1.5, 2.5, 0.005, 0.015, 0.125, 1e15, 1e16, 1e21, 1e22,
                     123456789.0, -123456789.987, 1e-7, 5e-324, 1.7976931348623157e308]),
)


def _babel(kind: str, value, locale: str, arg):
    try:
        if kind == "decimal":
            return format_decimal(value, format="#,##0" + ("." + "0" * arg if arg else ""), locale=locale)
        if kind == "percent":
            return format_percent(value, format=_percent_pattern(locale, arg), locale=locale)
        return format_currency(value, arg, locale=locale)
    except Exception as exc:  # the same error is expected
        return type(exc)


def _ours(kind: str, value, locale: str, arg):
    try:
        if kind == "decimal":
            return decimal_format(locale, arg)(value)
        if kind == "percent":
            return percent_format(locale, arg)(value)
        return currency_format(locale, arg)(value)
    except Exception as exc:
        return type(exc)


@settings(max_examples=3000, deadline=None)
@given(value=numbers, locale=st.sampled_from(LOCALES), kind=st.sampled_from(["decimal", "percent", "money"]),
       digits=st.integers(0, 4), currency=st.sampled_from(CURRENCIES))
@example(value=-0.0, locale="en_US", kind="decimal", digits=0, currency="USD")
@example(value=-0.001, locale="de_DE", kind="percent", digits=1, currency="USD")
@example(value=2.675, locale="en_US", kind="decimal", digits=2, currency="USD")
@example(value=1e30, locale="en_US", kind="money", digits=0, currency="USD")
def test_numbers_are_babels(value, locale, kind, digits, currency):
    arg = currency if kind == "money" else digits
    expected = _babel(kind, value, locale, arg)
    assert _ours(kind, value, locale, arg) == expected
    assert _ours(kind, value, locale, arg) == expected  # remembered the second time


@pytest.mark.parametrize("locale", LOCALES)
def test_formatter_matches_babel_for_every_locale(locale):
    fmt = Formatter(locale, "EUR")
    for value in [0.0, -0.0, 1234567.891, -0.049, 0.0449, 12.5, 1e12, 3]:
        assert fmt.number(value) == format_decimal(value, format="#,##0", locale=locale)
        assert fmt.number(value, 1) == format_decimal(value, format="#,##0.0", locale=locale)
        assert fmt.money(value) == format_currency(value, "EUR", locale=locale)
        assert fmt.percent(value, 2) == format_percent(value, format=_percent_pattern(locale, 2), locale=locale)
        assert fmt.multiple(value) == format_decimal(value, format="#,##0.00", locale=locale) + "×"
    for value in [float("nan"), float("inf"), -math.inf]:
        assert fmt.number(value) == format_decimal(value, format="#,##0", locale=locale)


@given(day=st.dates(), locale=st.sampled_from(LOCALES), style=st.sampled_from(["short", "medium", "long", "full"]))
def test_dates_are_babels(day, locale, style):
    fmt = Formatter(locale, "USD")
    assert fmt.date(day, style) == format_date(day, format=style, locale=locale)
    assert fmt.date(day, style) == format_date(day, format=style, locale=locale)


def test_datetimes_and_none():
    from datetime import datetime

    fmt = Formatter("de_DE", "EUR")
    assert fmt.date(datetime(2026, 3, 1, 23, 59)) == format_date(date(2026, 3, 1), format="medium", locale="de_DE")
    assert fmt.date(None) == fmt.number(None) == fmt.money(None) == fmt.percent(None) == "–"


@settings(max_examples=3000, deadline=None)
@given(value=numbers, locale=st.sampled_from(["en_US", "de_DE"]), digits=st.integers(0, 4),
       kind=st.sampled_from(["decimal", "percent", "money"]), currency=st.sampled_from(CURRENCIES))
def test_integer_rounding_is_decimals(value, locale, digits, kind, currency):
    number_format = (decimal_format(locale, digits) if kind == "decimal" else percent_format(locale, digits)
                     if kind == "percent" else currency_format(locale, currency))
    if not (type(value) is int or (type(value) is float and math.isfinite(value))):
        return
    fast = number_format._rounded(value)
    try:
        slow = number_format._rounded_decimal(value)
    except Exception as exc:
        slow = type(exc)
    assert fast is None or fast == slow
    if type(value) is float and abs(value) < 1e12:
        assert fast is not None
