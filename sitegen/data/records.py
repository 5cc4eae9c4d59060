"""API records as sync tools store them (Airbyte's `source-tiktok-marketing`, dlt, Fivetran), made flat rows.

The record in Airbyte's `_airbyte_data` and the `dimensions` and `metrics` objects of a TikTok integrated-report
row become columns. A row that a later sync sent again (Airbyte re-reads the last days of every sync: its
attribution window) counts once, in its latest version; the sync tools' own columns are then left out. Cells
stay as read (text, numbers, None): `readers.as_text` makes them the text every reader gives."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from sitegen.data.synced_names import is_metadata, nested_field
from sitegen.errors import SitegenError

NESTED = ("dimensions", "metrics")  # expanded in this order: a field in both must agree
ID_COLUMNS = ("ad_id", "adgroup_id", "campaign_id", "advertiser_id")  # a report row's ID: the first one it has
TIME_COLUMNS = ("stat_time_day", "stat_time_hour")
SYNC_TIMES = ("_airbyte_extracted_at", "_airbyte_emitted_at")  # when the row was read from the API
# a record as Airbyte's connectors send it (the protocol's AirbyteRecordMessage, as in a connector's
# integration_tests/expected_records.jsonl): its stream, the row in `data`, and when it was read
MESSAGE = ("stream", "data", "emitted_at")


def flatten_records(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`frame`: rows as read, a column per top-level field, cells as read (dicts, JSON text, str, int, float,
    None), indexed by each row's number in messages. Returns the rows flat (each nested field a column of its
    own, rows replaced by a later sync left out, the index kept) and notes on what was done, for `sitegen check`.
    Raises SitegenError with the row and column but no file: the caller names its file or source."""
    notes, expanded, dims = [], [], []
    if _is_message(frame):
        frame, stream = _unwrapped(frame)
        notes.append(f"Airbyte record messages of the stream {stream}")
    if "_airbyte_data" in frame.columns:
        frame, _ = _expanded(frame, "_airbyte_data")
        expanded.append("_airbyte_data")
    for name in NESTED:
        if name in frame.columns and _holds_objects(frame[name]):
            frame, fields = _expanded(frame, name)
            expanded.append(name)
            dims = fields if name == "dimensions" else dims
    if expanded:
        notes.append(f"synced records: the fields of {' and '.join(expanded)} read as columns")
    key = _key_columns(list(frame.columns), dims)
    if key:
        frame, kept = _latest(frame, key)
        notes += kept
    metadata = [c for c in frame.columns if is_metadata(c)]
    if metadata:
        frame = frame.drop(columns=metadata)
        notes.append(f"sync columns left out: {', '.join(map(str, metadata))}")
    return frame, notes


def flat_already(columns: list[str]) -> bool:
    """Whether `flatten_records` leaves rows of these columns as they are: no record, sync or key column."""
    names = [str(c) for c in columns]
    return not ("_airbyte_data" in names or any(n in NESTED for n in names) or _key_columns(names, [])
                or any(is_metadata(n) for n in names) or set(MESSAGE) <= set(names))


def _is_message(frame: pd.DataFrame) -> bool:
    return set(MESSAGE) <= set(frame.columns) and _holds_objects(frame["data"])


def _unwrapped(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Record messages as rows of Airbyte's raw tables (`_airbyte_data`, `_airbyte_emitted_at`); one stream only: a
    connector's output holds every stream it read, which are different kinds of rows."""
    streams = frame["stream"].astype(object).where(frame["stream"].notna(), "(no stream)")
    first = streams.iloc[0]
    other = streams[streams != first]
    if len(other):
        names = list(dict.fromkeys(streams))
        raise SitegenError(f"found records of {len(names)} streams ({', '.join(map(str, names[:6]))}"
                           f"{', ...' if len(names) > 6 else ''}), expected one stream per file: keep one stream's "
                           f"lines, e.g. jq -c 'select(.stream == \"{first}\")'", None, other.index[0], "stream")
    unwrapped = frame.drop(columns=[c for c in ("stream", "namespace", "meta") if c in frame.columns])
    return unwrapped.rename(columns={"data": "_airbyte_data", "emitted_at": "_airbyte_emitted_at"}), str(first)


def _holds_objects(cells: pd.Series) -> bool:
    """Whether a column holds objects (dicts, or JSON text of them) rather than plain values."""
    if cells.dtype != object and not pd.api.types.is_string_dtype(cells.dtype):
        return False
    return any(isinstance(c, dict) or (isinstance(c, str) and c.lstrip().startswith("{")) for c in cells)


def _expanded(frame: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """The frame with `column`'s objects as columns in its place (a field the frame has already, such as the
    copies of `stat_time_day` Airbyte adds, must agree with it), and the fields."""
    inner = pd.DataFrame(_objects(frame[column]), index=frame.index, dtype=object)
    inner.columns = [str(c) for c in inner.columns]
    shared = [c for c in inner.columns if c in frame.columns and c != column]
    frame = frame.copy()
    for name in shared:
        _check_same(frame[name], inner[name], column, name)
        frame[name] = frame[name].where(_text(frame[name]).notna(), inner[name])
    at = list(frame.columns).index(column)
    own = inner.drop(columns=shared)
    parts = [p for p in (frame.iloc[:, :at], own, frame.iloc[:, at + 1:]) if len(p.columns)]
    return (pd.concat(parts, axis=1) if parts else own), list(inner.columns)


def _objects(cells: pd.Series) -> list[dict]:
    """Each cell as the object it holds ({} for an empty cell)."""
    found = []
    for row, cell in zip(cells.index, cells.tolist()):
        value = cell
        if isinstance(cell, str | bytes):
            if not cell.strip():
                found.append({})
                continue
            try:
                value = json.loads(cell)
            except json.JSONDecodeError as exc:
                raise SitegenError(f"invalid JSON in {cells.name}: {exc.msg} (character {exc.pos + 1})", None,
                                   row, cells.name) from None
            except RecursionError:
                raise SitegenError(f"found objects nested too deeply in {cells.name}", None, row,
                                   cells.name) from None
        if isinstance(value, dict):
            found.append(value)
        elif _plain(value) is None:
            found.append({})
        else:
            raise SitegenError(f"found {_plain(value)!r}, expected an object of a record's fields in "
                               f"{cells.name}", None, row, cells.name)
    return found


def _check_same(have: pd.Series, nested: pd.Series, column: str, name: str) -> None:
    a, b = _text(have), _text(nested)
    differ = a.notna() & b.notna() & (a != b)
    if differ.any():
        row = differ.idxmax()
        raise SitegenError(f"found {a[row]!r} in {name} but {b[row]!r} in {column}.{name}, expected the same value",
                           None, row, name)


def _key_columns(columns: list[str], dims: list[str]) -> list[str]:
    """The columns that name a report row (its primary key): the fields of its `dimensions`, else its ID and
    day or hour; [] when the rows have no such key."""
    named: dict[str, str] = {}
    for column in columns:  # a column of its own before a flattened copy (`dimensions__ad_id`)
        named.setdefault(str(column), column)
    for column in columns:
        field = nested_field(column)
        if field is not None:
            named.setdefault(field, column)
    if dims:
        return [named[d] for d in dims if d in named]
    ident = next((named[c] for c in ID_COLUMNS if c in named), None)
    time = next((named[c] for c in TIME_COLUMNS if c in named), None)
    if ident is None or time is None:
        return []
    return [ident, time, *([named["country_code"]] if "country_code" in named else [])]


def _latest(frame: pd.DataFrame, key: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The frame with one row per key: the latest sync's (a row sent again with the same values counts once); two
    versions of a row from one sync are an error."""
    keys = pd.DataFrame({c: _text(frame[c]).fillna("") for c in key}, index=frame.index)
    repeated = keys.duplicated(keep=False)
    if not repeated.any():
        return frame, []
    sync = next((c for c in SYNC_TIMES if c in frame.columns), None)
    rows = frame[repeated]
    work = pd.DataFrame({"group": keys[repeated].groupby(key, sort=False).ngroup().to_numpy(),
                         "time": _sync_order(rows[sync]) if sync else np.full(len(rows), -math.inf)},
                        index=rows.index)
    newest = work["time"] == work.groupby("group")["time"].transform("max")
    copy = _copies(rows, work, keys, key, sync)
    keep = np.ones(len(frame), dtype=bool)
    keep[np.flatnonzero(repeated.to_numpy())] = (newest & ~copy).to_numpy()
    notes, names = [], ", ".join(key)
    replaced, copies = int((~newest).sum()), int((newest & copy).sum())
    if replaced:
        notes.append(f"{replaced} {_rows(replaced)} re-sent by a later sync replaced by the latest version (one row "
                     f"per {names}, the latest by {sync})")
    if copies:
        notes.append(f"{copies} {_rows(copies)} sent twice with the same values counted once (one row per {names})")
    return frame[keep], notes


def _copies(rows: pd.DataFrame, work: pd.DataFrame, keys: pd.DataFrame, key: list[str], sync: str | None) -> pd.Series:
    """Which rows repeat an earlier row of the same key and sync time; such rows that differ are an error (which
    one holds the figures cannot be told). Only rows that share a sync time are compared, value by value."""
    tied = work.duplicated(["group", "time"], keep=False)
    copy = pd.Series(False, index=work.index)
    if not tied.any():
        return copy
    values = [c for c in rows.columns if not is_metadata(c)]
    texts = pd.DataFrame({c: _text(rows.loc[tied, c]).fillna("\0") for c in values})
    same = work[tied].assign(values=pd.util.hash_pandas_object(texts, index=False).to_numpy())
    versions = same.groupby(["group", "time"])["values"].transform("nunique")
    if (versions > 1).any():
        row = versions[versions > 1].index[0]
        twin = same[(same["group"] == same.at[row, "group"]) & (same["time"] == same.at[row, "time"])]
        other = twin.index[(twin["values"] != same.at[row, "values"]).to_numpy()][0]
        column = next(c for c in texts.columns if texts.at[row, c] != texts.at[other, c])
        here, there = (None if texts.at[r, column] == "\0" else texts.at[r, column] for r in (row, other))
        named = ", ".join(f"{k} {v}" for k, v in zip(key, keys.loc[row]))
        when = f"the same {sync}" if sync else "no sync time to tell the latest"
        raise SitegenError(f"found two versions of the row with {named} (rows {row} and {other}) with {when}: "
                           f"{column} is {here!r} and {there!r}; expected one version per sync", None, other, column)
    copy[tied] = same.duplicated(["group", "time", "values"]).to_numpy()
    return copy


def _sync_order(cells: pd.Series) -> np.ndarray:
    """Sync times as comparable numbers: epoch milliseconds (numbers or quoted) or timestamps, -inf when empty."""
    if pd.api.types.is_datetime64_any_dtype(cells):
        stamps, numbers = pd.to_datetime(cells, utc=True), pd.Series(np.nan, index=cells.index)
    else:
        plain = _text(cells)
        numbers = pd.to_numeric(plain, errors="coerce")
        stamps = pd.to_datetime(plain.where(numbers.isna()), utc=True, format="ISO8601", errors="coerce")
        bad = plain.notna() & numbers.isna() & stamps.isna()
        if bad.any():
            row = bad.idxmax()
            raise SitegenError(f"found {plain[row]!r}, expected a sync time (milliseconds since 1970, or a date and "
                               "time like 2024-03-04T10:15:00Z)", None, row, cells.name)
    since = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(1, "ms")
    return numbers.fillna(since).fillna(-math.inf).to_numpy(dtype=float)


def _text(cells: pd.Series) -> pd.Series:
    """Each cell as comparable text (1800.0 and "1800" alike), None when empty."""
    return cells.map(_plain).astype(object)


def _plain(value) -> str | None:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    text = str(value).strip()
    return text or None


def _rows(count: int) -> str:
    return "row" if count == 1 else "rows"
