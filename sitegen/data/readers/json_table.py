"""JSON files: an array of objects (or {"rows": [...]}, {"data": [...]}), one row per object. Records that sync
tools wrote (Airbyte's `_airbyte_data`, nested `metrics` and `dimensions`) are made flat rows (`records`)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.readers.as_text import cell_text, cells_text
from sitegen.data.readers.base import RawTable, Reader, check_width
from sitegen.data.records import flatten_records
from sitegen.errors import SitegenError


class JsonReader(Reader):
    suffixes = (".json",)

    def read(self, path: Path) -> RawTable:
        return read_json(path)


def read_json(path: Path) -> RawTable:
    try:
        data = json.loads(utf8_text(path.read_bytes(), path))
    except json.JSONDecodeError as exc:
        raise SitegenError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except RecursionError:
        raise SitegenError("found arrays or objects nested too deeply, expected an array of objects (one per row)",
                           path) from None
    if isinstance(data, dict):
        data = data.get("rows", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SitegenError('expected a JSON array of objects (or {"rows": [...]})', path)
    if not data:
        raise SitegenError("no data rows, expected at least one object", path)
    return objects_table(data, np.arange(1, len(data) + 1, dtype=np.int64), path)


def utf8_text(raw: bytes, path: Path) -> str:
    """A JSON file's bytes as text; bytes that are not UTF-8 are an error at their line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = exc.start + (3 if raw.startswith(codecs.BOM_UTF8) else 0)  # (utf-8-sig counts after its BOM)
        line_start = raw.rfind(b"\n", 0, at) + 1
        line, column = raw.count(b"\n", 0, at) + 1, len(raw[line_start:at].decode("utf-8", "replace")) + 1
        raise SitegenError(f"found byte 0x{raw[at]:02X}, which is not UTF-8 text, expected a JSON file in "
                           "UTF-8 (save it as UTF-8)", path, line, column) from None


def objects_table(rows: list[dict], numbers: np.ndarray, path: Path) -> RawTable:
    """Objects, one per row (`numbers`: each one's row number in messages), as a table of text cells; synced
    records made flat."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    check_width(len(columns), path, None)
    frame = pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=columns, index=numbers, dtype=object)
    try:
        flat, notes = flatten_records(frame)
    except SitegenError as exc:
        raise SitegenError(exc.message, path, exc.row, exc.column) from None
    check_width(len(flat.columns), path, None)
    text = pd.DataFrame({c: cells_text(flat[c].tolist(), _cell) for c in flat.columns}, dtype=object)
    return RawTable(text, flat.index.to_numpy(dtype=np.int64), 0, notes)


def _cell(value) -> str:
    """A value as text; an object or array inside a row as the JSON it was written as."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else cell_text(value)
