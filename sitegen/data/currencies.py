"""Every amount in the client's currency: each money cell's currency checked, and converted where the project
gives exchange rates (`fx`).

An amount's currency is its cell's marker (`€100`, `100 EUR`, see `currency_marks`), else its row's currency
column, else the client's. A marker that contradicts its row's currency column is an error; so is an amount in
another currency than the client's, unless the project gives exchange rates: then it is converted with the rate
in force on its row's day, and a missing rate is an error. Each error names its cell. The client's currency is
client.toml's; without one there, the one currency the data names (else the site's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sitegen.data import exchange, fx
from sitegen.data.cells import MAX_CELL_ERRORS, more_cells_error
from sitegen.data.currency_marks import code_of, resolve
from sitegen.data.distinct import Cells, Typed
from sitegen.data.kinds import TIME_COLUMN, Kind
from sitegen.errors import SitegenError, raise_all

CLIENT = "the client's currency"
CURRENCY_COLUMN = "currency"
NO_RATES = "to read amounts in other currencies, give exchange rates ([fx] in client.toml or sitegen.toml)"
_NONE, _UNKNOWN = -1, -2  # a row without a currency of its own; a currency cell or marker that names none


@dataclass(frozen=True)
class Money:
    currency: str  # the client's: every amount ends in it
    rates: fx.ExchangeRates | None = None

    @property
    def base(self) -> str:
        return (self.rates.base if self.rates else None) or self.currency


def named_currencies(typed: Iterable[Typed], preferred: str) -> set[str]:
    """The currencies the data names: its currency columns' cells and its money cells' markers, read as for a
    client in `preferred` (a cell that names no currency, or several, is left out here and refused later)."""
    named: set[str] = set()
    for t in typed:
        named.update(c for c in (_cell_currency(cell, preferred) for cell in t.currencies) if isinstance(c, str))
        for markers in t.markers.values():
            found = set(markers[markers != None].tolist())  # noqa: E711 (elementwise)
            named.update(c for c in (resolve(m, (preferred,)) for m in found) if isinstance(c, str))
    return named


def client_currency(currency: str, fixed: bool, named: set[str]) -> str:
    """client.toml's currency (`fixed`), else the data's when it names one, else the site's."""
    return next(iter(named)) if not fixed and len(named) == 1 else currency


def _cell_currency(cell: str, client: str) -> str | frozenset[str]:
    """What a currency column's cell names: a code (any case) or a symbol, read as in a money cell."""
    code = code_of(cell)
    return code if code is not None else resolve(cell, (client,)) if cell else frozenset()


@dataclass
class _Problems:
    """Cells whose currency is wrong, by (column, file): their spreadsheet rows and the messages of the first."""

    money: Money
    found: dict[tuple[str, Path], list[tuple[np.ndarray, list[str]]]] = field(default_factory=dict)

    def add(self, column: str, path: Path, rows: np.ndarray, message) -> None:
        """`rows`: spreadsheet rows; `message(i)`: the message for the i-th of them."""
        if len(rows):
            shown = [message(i) for i in range(min(len(rows), MAX_CELL_ERRORS))]
            self.found.setdefault((column, path), []).append((rows, shown))

    def raise_all(self, kind: Kind) -> None:
        order = [*kind.columns, CURRENCY_COLUMN]
        errors: list[SitegenError] = []
        for column in order:
            listed = 0
            for (col, path), parts in self.found.items():
                if col != column:
                    continue
                lines = sorted((int(r), m) for rows, shown in parts for r, m in zip(rows, shown))
                take = lines[:max(0, MAX_CELL_ERRORS - listed)]
                listed += len(take)
                errors += [SitegenError(m, path, r, column, cells=1) for r, m in take]
                more = sum(len(rows) for rows, _ in parts) - len(take)
                if more:
                    errors.append(more_cells_error(more, "money", path, column, bool(take), self._wanted(column)))
        errors.sort(key=lambda e: (str(e.file), e.row or 1 << 62, order.index(e.column)))
        raise_all(errors)

    def _wanted(self, column: str) -> str:
        return f"{self.money.currency} ({CLIENT})" if column == CURRENCY_COLUMN else \
            f"an amount in {self.money.currency} ({CLIENT})"


@dataclass
class _Used:
    """The rates that converted amounts, with the days of the rows each converted."""

    days: dict[tuple[str, int], list[np.ndarray]] = field(default_factory=dict)

    def add(self, currency: str, index: np.ndarray, days: np.ndarray) -> None:
        for k in np.unique(index):
            self.days.setdefault((currency, int(k)), []).append(np.unique(days[index == k].astype("datetime64[D]")))

    def rates(self, money: Money) -> list[fx.RateUsed]:
        out = []
        for (currency, k), parts in sorted(self.days.items()):
            rate = [r for r in money.rates.rates if r.currency == currency][k]
            days = tuple(d.item() for d in np.unique(np.concatenate(parts)))
            out.append(fx.RateUsed(money.base, currency, rate.day, rate.rate, days))
        return out


def settle_money(kind: Kind, origins: list[tuple[Path, np.ndarray]], typed: list[Typed],
                 money: Money) -> list[fx.RateUsed]:
    """Check each money cell's currency and convert the amounts in other currencies (each file's `Typed` gets the
    converted amounts, and a note); raises every cell in a wrong currency at once. The rates used, for the page."""
    if not any(t.currency is not None or t.marks for t in typed):  # every amount is in the client's currency
        return []
    columns = [c for c, ctype in kind.columns.items() if ctype == "money"]
    problems, used = _Problems(money), _Used()
    for (path, numbers), t in zip(origins, typed):
        if columns and (t.currency is not None or t.marks):
            _File(kind, t, path, numbers, money, problems, used).settle([c for c in columns if c in t.columns])
    problems.raise_all(kind)
    return used.rates(money)


class _File:
    """One file's amounts: their currencies as ids into `names` (0: the client's), checked and converted."""

    def __init__(self, kind: Kind, t: Typed, path: Path, numbers: np.ndarray, money: Money, problems: _Problems,
                 used: _Used):
        self.kind, self.t, self.path, self.numbers, self.money = kind, t, path, numbers, money
        self.problems, self.used = problems, used
        self.names = [money.currency]
        self.row = self._row_currencies()
        self.days = t.columns[TIME_COLUMN[kind.name]].array() if TIME_COLUMN[kind.name] in t.columns else None
        self.foreign = np.zeros(t.rows, dtype=bool)  # rows in another currency by their currency column
        self.missing = np.zeros(t.rows, dtype=bool)  # such rows without a rate for their day
        self.converted: dict[str, int] = {}

    def _id(self, name: str | frozenset[str]) -> int:
        if not isinstance(name, str):
            return _UNKNOWN
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def _row_currencies(self) -> np.ndarray:
        """Each row's currency id by its currency column (_NONE: blank or no column); a cell that names no currency
        is an error."""
        cells = self.t.currency
        if cells is None:
            return np.full(self.t.rows, _NONE, dtype=np.int64)
        ids = np.array([_NONE if v is None else self._id(_cell_currency(v, self.money.currency))
                        for v in cells.values], dtype=np.int64)
        row = ids if cells.codes is None else ids[cells.codes]
        bad = np.flatnonzero(row == _UNKNOWN)
        self.problems.add(CURRENCY_COLUMN, self.path, self.numbers[bad],
                          lambda i: f"found {self._cell(bad[i])!r}, expected a currency code like "
                                    f"{self.money.currency}")
        return row

    def _cell(self, row: int) -> str:
        cells = self.t.currency
        return cells.values[row if cells.codes is None else cells.codes[row]]

    def settle(self, columns: list[str]) -> None:
        for column in columns:
            self._column(column)
        self._foreign_rows()
        for currency, n in sorted(self.converted.items()):
            self.t.notes.append(f"{n:,} amount{'s' if n > 1 else ''} converted from {currency} into "
                                f"{self.money.currency} ({self.money.rates.source})")

    def _column(self, column: str) -> None:
        amounts = self.t.columns[column].array()
        mark = self._mark_ids(column)
        marked = mark != _NONE
        unclear = np.flatnonzero(mark == _UNKNOWN)
        self._refuse(column, unclear, lambda i: self._unclear(column, unclear[i]))
        clash = (mark >= 0) & (self.row >= 0) & (mark != self.row)
        rows = np.flatnonzero(clash)
        self._refuse(column, rows, lambda i: f"an amount in {self.names[self.row[rows[i]]]} (the row's currency)")
        currency = np.where(marked, mark, np.where(self.row >= 0, self.row, 0))
        foreign = ~np.isnan(amounts) & (currency > 0) & ~clash
        self.foreign |= foreign & ~marked
        if self.money.rates is None:
            rows = np.flatnonzero(foreign & marked)
            self._refuse(column, rows, lambda i: f"an amount in {self.money.currency} ({CLIENT}); {NO_RATES}")
            return
        out = self._convert(column, amounts, currency, np.flatnonzero(foreign), marked)
        if out is not None:
            self.t.columns[column] = Cells(None, out)

    def _mark_ids(self, column: str) -> np.ndarray:
        """Each row's currency id by its cell's marker (_NONE: no marker; _UNKNOWN: it could be several)."""
        cells = self.t.marks.get(column)
        out = np.full(self.t.rows, _NONE, dtype=np.int64)
        if cells is None:
            return out
        marked = np.flatnonzero(cells.values != None)  # noqa: E711 (elementwise)
        markers = self.t.markers[column][marked]
        distinct = sorted(set(markers))
        own = sorted({int(r) for r in np.unique(self.row) if r >= 0})  # the row currencies that may decide
        table = np.array([[self._id(resolve(m, (self.money.currency, *([self.names[r]] if r >= 0 else []))))
                           for r in [_NONE, *own]] for m in distinct], dtype=np.int64)
        column_of = np.zeros(len(self.names), dtype=np.int64)
        column_of[own] = np.arange(1, len(own) + 1)
        marker_of = np.full(len(cells.values), -1, dtype=np.int64)
        marker_of[marked] = np.searchsorted(distinct, markers)
        codes = marker_of if cells.codes is None else marker_of[cells.codes]
        rows = np.flatnonzero(codes >= 0)
        own_row = self.row[rows]
        out[rows] = table[codes[rows], np.where(own_row >= 0, column_of[np.maximum(own_row, 0)], 0)]
        return out

    def _written(self, column: str, rows: np.ndarray) -> np.ndarray:
        cells = self.t.marks[column]
        return cells.values[rows if cells.codes is None else cells.codes[rows]]

    def _refuse(self, column: str, rows: np.ndarray, wanted) -> None:
        """Refuse money cells with a marker (`rows`, of the file); `wanted(i)`: what the i-th should be."""
        if len(rows):
            found = self._written(column, rows[:MAX_CELL_ERRORS])
            self.problems.add(column, self.path, self.numbers[rows],
                              lambda i: f"found {found[i]!r}, expected {wanted(i)}")

    def _unclear(self, column: str, row: int) -> str:
        cells = self.t.marks[column]
        marker = self.t.markers[column][row if cells.codes is None else cells.codes[row]]
        options = sorted(resolve(marker, ()))
        if not options:
            return f"an amount in {self.money.currency} ({CLIENT}); {marker!r} names no currency: write the ISO code"
        return (f"an amount in {self.money.currency} ({CLIENT}); {marker!r} could be {', '.join(options[:-1])} or "
                f"{options[-1]}: write the ISO code (like {options[0]} 100)")

    def _rates(self, currency: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(each row's rate of the currency, its index in the currency's rates; -2 for the base, -1: none)."""
        if currency == self.money.base:
            return np.ones(len(rows)), np.full(len(rows), -2)
        if self.days is None:
            return np.full(len(rows), np.nan), np.full(len(rows), -1)
        index = exchange.rate_index(self.money.rates, currency, self.days[rows])
        rates = exchange.rate_values(self.money.rates, currency, np.maximum(index, 0))
        return np.where(index >= 0, rates, np.nan), index

    def _no_rate(self, currency: str, row: int) -> str:
        """Why a row's amount in `currency` cannot be converted: the rate that is missing for its day."""
        lacking = currency if self._rates(currency, np.array([row]))[1][0] == -1 else self.money.currency
        day = "its day" if self.days is None or np.isnat(self.days[row]) else str(self.days[row])[:10]
        return f"{self.money.rates.source} has no {lacking} rate on or before {day}"

    def _convert(self, column: str, amounts: np.ndarray, currency: np.ndarray, rows: np.ndarray,
                 marked: np.ndarray) -> np.ndarray | None:
        """The column's amounts with `rows` converted from their currencies (None: none was); rows without a rate
        for their day are refused (marked cells here, the others' currency cells by `_foreign_rows`)."""
        out = None
        for x in np.unique(currency[rows]).tolist():
            name, these = self.names[x], rows[currency[rows] == x]
            divide, by = self._rates(name, these)
            multiply, times = self._rates(self.money.currency, these)
            missing = (by == -1) | (times == -1)
            gone = these[missing & marked[these]]
            self._refuse(column, gone, lambda i, n=name, g=gone: f"an amount in {self.money.currency} ({CLIENT}); "
                                                                 f"{self._no_rate(n, g[i])}")
            self.missing[these[missing & ~marked[these]]] = True
            ok = ~missing
            if ok.any():
                out = amounts.copy() if out is None else out
                digits = exchange.minor_digits(self.money.currency)
                out[these[ok]] = exchange.convert(amounts[these[ok]], multiply[ok], divide[ok], digits)
                self.converted[name] = self.converted.get(name, 0) + int(ok.sum())
                for which, index in ((name, by[ok]), (self.money.currency, times[ok])):
                    if which != self.money.base:
                        self.used.add(which, index, self.days[these[ok]])
        return out

    def _foreign_rows(self) -> None:
        """Rows in another currency by their currency column that cannot be converted: their currency cell."""
        if self.money.rates is None:
            rows = np.flatnonzero(self.foreign)
            self.problems.add(CURRENCY_COLUMN, self.path, self.numbers[rows],
                              lambda i: f"found {self._cell(rows[i])!r}, expected {self.money.currency} ({CLIENT}); "
                                        f"{NO_RATES}")
            return
        rows = np.flatnonzero(self.missing)
        self.problems.add(CURRENCY_COLUMN, self.path, self.numbers[rows],
                          lambda i: f"found {self._cell(rows[i])!r}, expected {self.money.currency} ({CLIENT}) or "
                                    f"a rate: {self._no_rate(self.names[self.row[rows[i]]], rows[i])}")
