"""Currency markers in money cells (`€100`, `100 EUR`, `US$ 1,234.56`, `1.234,56 €`, `usd100`) and in a `currency`
column, and the ISO 4217 currencies they can mean, from Babel's CLDR data (no table of symbols of our own).

A marker is an ISO code (any case) or a currency symbol: the symbol of a currency in English (`$`, `€`, `£`, `¥`,
`CA$`, `R$`, `₹` ...) or in an official language of a country that uses it (`Rp` in Indonesia, `zł` in Poland,
`kr` in Sweden, `$` in Canada). A symbol of one ASCII letter (`R`, `K`, `Q`) is not read as a marker: `100K` is
more often a typo than kyat. What a symbol means in a row is decided by `resolve`: the client's currency when it
is one of its symbols, then the row's own currency, then the currency whose English symbol it is.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import list_currencies

_SPACE = " \t\u00a0\u202f"
# a marker starts with neither a digit, a space, a sign nor a decimal mark, and holds no digit or space;
# character classes only (no \d or \s, which RE2 and Python's re read differently), so Arrow and Python agree
_MARK = f"[^0-9{_SPACE}.,+\\-][^0-9{_SPACE}]*"
_PREFIX = f"^(?P<mark>{_MARK})[{_SPACE}]*(?P<amount>.*[0-9].*)$"
_SUFFIX = f"^(?P<amount>.*[0-9])[{_SPACE}]*(?P<mark>{_MARK})$"


def split_markers(cells: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(each cell's currency marker or None, the cells without it): a cell with one marker that `is_marker`
    knows, before or after its amount, loses it; any other cell is left as it is (and read, or refused, as
    written). `cells`: trimmed Arrow strings without nulls."""
    marks = np.full(len(cells), None, dtype=object)
    if not len(cells):
        return marks, cells
    before = pc.extract_regex(cells, _PREFIX)
    after = pc.extract_regex(cells, _SUFFIX)
    has_before = before.is_valid().to_numpy(zero_copy_only=False)
    one = has_before ^ after.is_valid().to_numpy(zero_copy_only=False)
    if not one.any():
        return marks, cells
    which = pa.array(has_before)
    found = pc.if_else(which, before.field("mark"), after.field("mark")).to_numpy(zero_copy_only=False)
    known = one.copy()
    known[one] = [is_marker(m) for m in found[one]]
    if not known.any():
        return marks, cells
    marks[known] = found[known]
    amounts = pc.if_else(which, before.field("amount"), after.field("amount"))
    return marks, pc.if_else(pa.array(known), amounts, cells)


def markers_of(written: np.ndarray) -> np.ndarray:
    """The marker of each money cell as written (object array; None stays None): `split_markers` again, for the
    cells of a file the conversion cache kept."""
    out = np.full(len(written), None, dtype=object)
    where = np.flatnonzero(written != None)  # noqa: E711 (elementwise)
    if len(where):
        out[where] = split_markers(pc.utf8_trim_whitespace(pa.array(written[where].tolist(), pa.string())))[0]
    return out


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def code_of(text: str) -> str | None:
    """The ISO code a marker or a currency cell writes (`EUR`, `eur`), else None."""
    code = text.upper()
    return code if len(code) == 3 and code in _codes() else None


@cache
def _english() -> dict[str, str]:
    """English symbol -> its currency ($ -> USD, £ -> GBP, ¥ -> JPY, CA$ -> CAD ...)."""
    return {symbol: code for code, symbol in Locale("en").currency_symbols.items()
            if symbol != code and code in _codes() and not _one_letter(symbol)}


def _one_letter(symbol: str) -> bool:
    return len(symbol) == 1 and symbol.isascii() and symbol.isalpha()


@cache
def _current_users() -> dict[str, tuple[str, ...]]:
    """Currency -> the countries that use it today (CLDR: no end date), in CLDR's order."""
    users: dict[str, list[str]] = {}
    for territory, spans in get_global("territory_currencies").items():
        for code, _start, end, tender in spans:
            if end is None and tender:
                users.setdefault(code, []).append(territory)
    return {code: tuple(territories) for code, territories in users.items()}


@cache
def symbols_of(currency: str) -> frozenset[str]:
    """Every way of writing a currency that `resolve` reads as it: its code, its English symbol and its symbol in
    the official languages of the countries that use it (CAD: CA$ and $; JPY: ¥ and ￥; IDR: Rp)."""
    symbols = {currency, Locale("en").currency_symbols.get(currency, currency)}
    languages = get_global("territory_languages")
    for territory in _current_users().get(currency, ()):
        for language, info in languages.get(territory, {}).items():
            if info.get("official_status") in ("official", "de_facto_official"):
                symbols.add(_symbol(currency, f"{language}_{territory}"))
    return frozenset(s for s in symbols if not _one_letter(s))


def _symbol(currency: str, ident: str) -> str:
    """The currency's symbol in a locale (its code where Babel has no such locale)."""
    try:
        return Locale.parse(ident).currency_symbols.get(currency, currency)
    except (UnknownLocaleError, ValueError):
        return currency


@cache
def _local() -> dict[str, frozenset[str]]:
    """Symbol -> the currencies it is written for in their countries (kr -> DKK, NOK, SEK). Made only when a cell
    holds a marker that is neither a code nor an English symbol (about half a second, once a process)."""
    found: dict[str, set[str]] = {}
    for code in sorted(_current_users()):
        for symbol in symbols_of(code):
            if symbol != code:
                found.setdefault(symbol, set()).add(code)
    return {symbol: frozenset(codes) for symbol, codes in found.items()}


@cache
def is_marker(text: str) -> bool:
    """Whether a cell's prefix or suffix is a currency marker."""
    return code_of(text) is not None or text in _english() or text in _local()


def resolve(marker: str, preferred: tuple[str, ...]) -> str | frozenset[str]:
    """The currency a marker means in a row: a preferred currency (the client's, then the row's) it is a symbol
    of, else its code or the currency whose English symbol it is, else its only candidate; the candidates when
    it stays ambiguous (`kr`: DKK, NOK or SEK)."""
    code = code_of(marker)
    if code is not None:
        return code
    for currency in preferred:
        if marker in symbols_of(currency):
            return currency
    english = _english().get(marker)
    if english is not None:
        return english
    found = _local().get(marker, frozenset())
    return next(iter(found)) if len(found) == 1 else found
