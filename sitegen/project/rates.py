"""The exchange rates of `[fx]` (sitegen.toml or client.toml) and of the rates file it names, as the loader takes
them (`data.fx.ExchangeRates`)."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

from sitegen.data.fx import ExchangeRates, Rate
from sitegen.errors import SitegenError, raise_all
from sitegen.project.settings import FxSettings, check_currency

COLUMNS = ("date", "currency", "rate")


def exchange_rates(settings: FxSettings | None, config_path: Path) -> ExchangeRates | None:
    """The rates `[fx]` of `config_path` gives (None: it has no [fx]); a rates file's problems are raised, each
    with its row and column."""
    if settings is None:
        return None
    found = {(c, day): (rate, config_path, None) for day, table in settings.rates.items() for c, rate in table.items()}
    if settings.file:
        path = config_path.parent / settings.file
        errors: list[SitegenError] = []
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, ValueError) as exc:  # missing, a folder, not UTF-8, a NUL in the name
            raise SitegenError(f"fx.file: cannot read {settings.file[:200]!r} ({type(exc).__name__}), expected a "
                               f"UTF-8 CSV file with the columns {', '.join(COLUMNS)}", config_path) from None
        for currency, day, rate, row in _read(text, path, errors):
            if (currency, day) in found:
                errors.append(SitegenError(f"found a second {currency} rate for {day} (the other: "
                                           f"{_where(*found[(currency, day)][1:])})", path, row, "rate"))
            elif currency == settings.base:
                errors.append(SitegenError(f"found a rate for the base {currency} itself, expected other currencies",
                                           path, row, "currency"))
            else:
                found[(currency, day)] = (rate, path, row)
        raise_all(errors)
    rates = tuple(Rate(c, day, rate) for (c, day), (rate, _, _) in sorted(found.items()))
    return ExchangeRates(settings.base, rates, f"[fx] in {config_path.name}")


def _where(path: Path, row: int | None) -> str:
    return f"{path.name}:{row}" if row is not None else f"[fx] in {path.name}"


def _read(text: str, path: Path, errors: list[SitegenError]) -> list[tuple[str, date, float, int]]:
    """The rows of a rates file: (currency, day, rate, row); bad cells go to `errors`."""
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:  # a field over the csv module's limit
        raise SitegenError(f"not a CSV file the rates can be read from ({exc})", path) from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if any(c not in header for c in COLUMNS):
        raise SitegenError(f"found the columns {', '.join(map(repr, header)) or 'none'}, expected "
                           f"{', '.join(COLUMNS)}", path, 1)
    where = {c: header.index(c) for c in COLUMNS}
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in where.items()}
        parsed = _row(values, path, number, errors)
        if parsed is not None:
            out.append((*parsed, number))
    return out


def _row(values: dict[str, str], path: Path, row: int, errors: list[SitegenError]) -> tuple[str, date, float] | None:
    problems = []
    try:
        day = date.fromisoformat(values["date"])
    except ValueError:
        problems.append(("date", "a date like 2026-10-01"))
    try:
        currency = check_currency(values["currency"].upper())
    except ValueError:
        problems.append(("currency", "an ISO 4217 code like EUR"))
    try:
        rate = float(values["rate"])
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError
    except ValueError:
        problems.append(("rate", "a number > 0 (units of the currency one unit of the base buys)"))
    errors += [SitegenError(f"found {values[c]!r}, expected {wanted}", path, row, c) for c, wanted in problems]
    return None if problems else (currency, day, rate)
