"""A shop's own order export as rows of the `orders` kind: one row per order, on its creation day in the client's
time zone, with its discount code (missing for an order without one) and its net sales.

Recognised by their columns, before the generic kinds (a Shopify export's "Tags" would otherwise be taken for the
German "Tag", a day):

- Shopify, Orders > Export: one row per line item; the order's fields (Financial Status, Subtotal, Currency,
  Refunded Amount ...) on its first row only; `Name` is the order number (#1081), `Created at` has a UTC offset
  ("2022-04-06 21:52:39 -0400"). Net sales: Subtotal (after discounts, before tax and shipping) less Refunded
  Amount, never below 0. Cancelled orders (`Cancelled at` set) and voided or expired payments are left out.
- WooCommerce, Analytics > Orders > Download: its columns are those of WooCommerce's OrdersReportTable
  (plugins/woocommerce/client/admin/client/analytics/report/orders/table.js) and, when the download is e-mailed,
  of Orders\\Controller::get_export_columns (plugins/woocommerce/src/Admin/API/Reports/Orders/Controller.php):
  Date, Order #, Status, Customer, Customer type, Product(s), Items sold, Coupon(s) (codes joined by ", "),
  Net sales ("N. Revenue" in older versions). A refund is a row of its own with the order's number and a negative
  Net sales on the refund's day: it is taken off its order's net sales. Analytics leaves out pending, failed and
  cancelled orders by default (woocommerce_excluded_report_order_statuses); so does sitegen, whatever the settings.

An order with several codes counts once, under its codes together ("SAVE10, FREESHIP"), so no order is counted
twice. A timestamp without a UTC offset is taken as the client's local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from sitegen.data import conventions as conv
from sitegen.data.currency_marks import split_markers
from sitegen.data.distinct import Source
from sitegen.data.encoded import Column
from sitegen.data.headers import header_key
from sitegen.data.kinds import Kind
from sitegen.data.readers import general_table
from sitegen.data.readers.base import NotPlain, TextTable
from sitegen.errors import SitegenError, raise_all

# The orders kind as shop exports fill it: an order without a code is an order all the same.
SHOP_ORDERS = Kind("orders", {"date": "date", "orders": "int"}, {"code": "text", "revenue": "money", "source": "text"},
                   events=True)

MAX_LISTED = 21  # bad cells listed per column, as for other files
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$")
_OFFSET = re.compile(r"(?:Z|UTC|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class ShopExport:
    name: str
    roles: dict[str, tuple[str, ...]]  # what a column means -> its headers, as the export writes them
    required: tuple[str, ...]  # roles the file must have
    telling: tuple[str, ...]  # headers of which the file has at least one: what tells the export
    left_out: frozenset[str]  # statuses of orders that did not happen
    refunds_as_rows: bool  # WooCommerce: a refund is a row with a negative net sales


SHOPIFY = ShopExport(
    "Shopify order export",
    {"order": ("Name",), "created": ("Created at",), "status": ("Financial Status",), "cancelled": ("Cancelled at",),
     "code": ("Discount Code",), "net": ("Subtotal",), "refunded": ("Refunded Amount",), "currency": ("Currency",)},
    ("order", "created"), ("Lineitem quantity", "Lineitem name", "Financial Status"),
    frozenset({"voided", "expired"}), refunds_as_rows=False)
WOOCOMMERCE = ShopExport(
    "WooCommerce Analytics orders export",
    {"order": ("Order #",), "created": ("Date",), "status": ("Status",), "code": ("Coupon(s)",),
     "net": ("Net sales", "N. Revenue")},
    ("order", "created"), ("Product(s)", "Items sold", "Coupon(s)", "Customer type"),
    frozenset({"cancelled", "failed", "pending", "checkout-draft", "trash", "auto-draft"}), refunds_as_rows=True)
EXPORTS = (SHOPIFY, WOOCOMMERCE)
_MAPPED = {"created": "date", "code": "code", "net": "revenue", "currency": "currency"}  # role -> column made of it


def shop_export(headers: list[str]) -> tuple[ShopExport, dict[str, str]] | None:
    """(the shop export a file's header is, role -> header as written), or None. Headers are compared as
    `headers.header_key` compares them (case, spacing and punctuation aside)."""
    by_key = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    for export in EXPORTS:
        found = {role: next((by_key[header_key(n)] for n in names if header_key(n) in by_key), None)
                 for role, names in export.roles.items()}
        if all(found[r] for r in export.required) and any(header_key(n) in by_key for n in export.telling):
            return export, {role: h for role, h in found.items() if h}
    return None


def derive_orders(table: TextTable, path: Path, export: ShopExport, columns: dict[str, str], timezone: str,
                  warnings: list[tuple[str, int | None, str | None]], cache_key: str | None = None, *,
                  day_first: bool = False) -> Source:
    """The export's orders as a `Source` of the orders kind (typed with SHOP_ORDERS), one row per order, whose row
    numbers are the spreadsheet rows of the orders' first rows (`day_first`: the client's locale writes the day
    before the month)."""
    try:
        numbers, cells = table.read(list(columns.values()))
    except NotPlain:  # the fast reader gave up half-way: the general one reads the file
        table = general_table(path)
        numbers, cells = table.read(list(columns.values()))
    frame = pd.DataFrame({role: _text(cells[header]) for role, header in columns.items()})
    rows = np.asarray(numbers)
    errors: list[SitegenError] = []
    net = _amounts(frame, "net", columns, rows, path, errors, negative=export.refunds_as_rows)
    refunded = _amounts(frame, "refunded", columns, rows, path, errors, negative=False)
    errors += _blank_errors(frame["order"], rows, path, columns["order"], "the order number")
    raise_all(errors)
    first, revenue, orphans = _orders(frame, export, columns, rows, path, net, refunded)
    days = _local_days(frame["created"].iloc[first], rows[first], path, columns["created"], timezone, warnings,
                       day_first)
    kept = ~_left_out(frame.iloc[first], export)
    codes = frame["code"].iloc[first].map(_codes).to_numpy() if "code" in frame else np.full(len(first), "")
    out = {"date": days[kept], "orders": np.full(int(kept.sum()), "1", dtype=object), "code": codes[kept]}
    if revenue is not None:
        out["revenue"] = np.array([repr(float(v)) for v in revenue[kept]], dtype=object)
    if "currency" in frame:
        out["currency"] = frame["currency"].iloc[first].to_numpy()[kept]
    if orphans is not None:
        warnings.append((f"{orphans[0]} refund row{'s' if orphans[0] > 1 else ''} of orders that are not in this "
                         f"file left out (those orders' net sales are not reduced; export a range that holds the "
                         f"orders)", orphans[1], columns["net"]))
    notes = [_note(export, len(frame), len(first), int((~kept).sum()), out["code"], revenue is not None, timezone)]
    mapping = {columns[role]: name for role, name in _MAPPED.items() if role in columns}
    return Source(path, SHOP_ORDERS, {k: pa.array(list(v), pa.string()) for k, v in out.items()},
                  rows[first][kept], list(table.notes) + notes, mapping, None, [], cache_key)


def _text(cells) -> pd.Series:
    if isinstance(cells, Column):
        cells = cells.uniques.take(pa.array(cells.codes))
    values = cells.to_pylist() if isinstance(cells, pa.Array | pa.ChunkedArray) else list(cells)
    return pd.Series(["" if v is None else str(v).strip() for v in values], dtype=object)


def _blank_errors(values: pd.Series, rows: np.ndarray, path: Path, header: str, what: str) -> list[SitegenError]:
    blank = np.flatnonzero((values == "").to_numpy())
    return [SitegenError(f"found an empty cell, expected {what}", path, int(rows[i]), header)
            for i in blank[:MAX_LISTED]]


def _amounts(frame: pd.DataFrame, role: str, columns: dict[str, str], rows: np.ndarray, path: Path,
             errors: list[SitegenError], negative: bool) -> np.ndarray | None:
    """A money column as numbers (NaN where blank), its bad cells added to `errors`; None when the file lacks it."""
    if role not in frame:
        return None
    text = frame[role].astype(conv.TEXT)
    blank = (text == "") | text.str.lower().isin(conv.NULL_TOKENS)
    decimal, _ = conv.detect_decimal(text[~blank], prefer_comma=False)
    values = pd.to_numeric(conv.normalise_numbers(text, decimal).where(~blank, None), errors="coerce")
    values = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~blank.to_numpy() & (~np.isfinite(values) | (False if negative else values < 0))
    wanted = "an amount" if negative else "an amount >= 0"
    marked = split_markers(pa.array(text.str.strip().fillna("").tolist(), pa.string()))[0] != None  # noqa: E711
    errors += [SitegenError(f"found {frame[role].iloc[i]!r}, expected {wanted}" + (
        " without a currency (the Currency column names each order's)" if marked[i] else ""), path, int(rows[i]),
        columns[role]) for i in np.flatnonzero(bad)[:MAX_LISTED]]
    return values


def _orders(frame: pd.DataFrame, export: ShopExport, columns: dict[str, str], rows: np.ndarray, path: Path,
            net: np.ndarray | None, refunded: np.ndarray | None):
    """(each order's row that carries its fields, in file order; each order's net sales or None; None or the number
    of refunds whose order is not in the file and the row of the first)."""
    key = frame["order"].to_numpy()
    refund = (net < 0) if export.refunds_as_rows and net is not None else np.zeros(len(frame), dtype=bool)
    fields = [r for r in ("status", "net", "currency", "cancelled", "refunded") if r in frame]
    carrier = ~refund & (frame[fields].ne("").any(axis=1).to_numpy() if fields else True)
    # an order's fields are on its first line item; a line item without them belongs to the order of its number
    carrier |= ~refund & ~pd.Series(key).isin(set(key[carrier])).to_numpy()
    order_rows = frame[carrier].drop_duplicates(subset=["order", "created", *fields])
    twice = order_rows["order"].duplicated(keep=False).to_numpy()
    if twice.any():
        at = order_rows.index[twice][:2]
        raise SitegenError(f"order {key[at[1]]!r} is listed twice with different order fields (also row "
                           f"{rows[at[0]]}), expected each order once", path, int(rows[at[1]]), columns["order"])
    first = order_rows.index.to_numpy()
    if net is None:
        return first, None, None
    own = np.nan_to_num(net[first])
    if refunded is not None:
        own = own - np.nan_to_num(refunded[first])
    orphans = None
    if refund.any():
        position = pd.Series(np.arange(len(first)), index=key[first])
        taken = position.reindex(key[refund]).to_numpy()
        np.add.at(own, taken[~np.isnan(taken)].astype(int), net[refund][~np.isnan(taken)])
        if np.isnan(taken).any():
            orphans = (int(np.isnan(taken).sum()), int(rows[np.flatnonzero(refund)[np.isnan(taken)][0]]))
    return first, np.round(np.maximum(own, 0), 6), orphans


def _local_days(stamps: pd.Series, rows: np.ndarray, path: Path, header: str, timezone: str,
                warnings: list[tuple[str, int | None, str | None]], day_first: bool = False) -> np.ndarray:
    """Each order's day ("2026-10-31") in the client's time zone: a time with a UTC offset is converted, one
    without is taken as local time already."""
    stamps = stamps.astype(conv.TEXT).reset_index(drop=True)
    order, guess = conv.detect_date_order(stamps[stamps != ""], *conv.preferred_order(".", day_first))
    if guess:
        warnings.append((guess, None, header))
    text = conv.normalise_dates(stamps, order).str.replace(r"\s+", " ", regex=True)
    shaped = text.str.match(_STAMP.pattern).fillna(False).to_numpy(dtype=bool)
    offset = shaped & text.str.contains(_OFFSET.pattern).fillna(False).to_numpy(dtype=bool)
    days = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if offset.any():
        aware = pd.to_datetime(text[offset].str.replace("UTC", "Z"), utc=True, errors="coerce", format="mixed")
        days[offset] = aware.dt.tz_convert(ZoneInfo(timezone)).dt.tz_localize(None).dt.normalize().to_numpy()
    local = shaped & ~offset
    if local.any():
        days[local] = pd.to_datetime(text[local], errors="coerce", format="mixed").dt.normalize().to_numpy()
    bad = np.flatnonzero(np.isnat(days))
    raise_all([SitegenError(f"found {'an empty cell' if stamps[i] == '' else repr(stamps[i])}, expected a date and "
                            f"time like 2026-10-31 14:05:00 -0400", path, int(rows[i]), header)
               for i in bad[:MAX_LISTED]])
    return np.datetime_as_string(days, unit="D").astype(object)


def _left_out(orders: pd.DataFrame, export: ShopExport) -> np.ndarray:
    """Orders that did not happen: cancelled, or a status the export's own analytics leave out."""
    out = np.zeros(len(orders), dtype=bool)
    if "status" in orders:
        out |= orders["status"].str.lower().str.removeprefix("wc-").isin(export.left_out).to_numpy()
    if "cancelled" in orders:
        out |= (orders["cancelled"] != "").to_numpy()
    return out


def _codes(cell: str) -> str:
    """An order's codes as one: "SAVE10,FREESHIP" and "SAVE10, FREESHIP" alike; "" for none."""
    return ", ".join(c.strip() for c in cell.split(",") if c.strip())


def _note(export: ShopExport, lines: int, orders: int, left_out: int, codes: np.ndarray, revenue: bool,
          timezone: str) -> str:
    without = int(sum(1 for c in codes if not c))
    net = "net sales as revenue" if revenue else "no net sales column: revenue n/a"
    return (f"{export.name}: {lines} rows, {orders} orders, {left_out} cancelled or not paid left out, {without} "
            f"without a discount code; {net}; days in {timezone} (times with a UTC offset converted)")
