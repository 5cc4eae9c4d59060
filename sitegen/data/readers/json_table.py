"""JSON files: an array of objects (or {"rows": [...]}, {"data": [...]}), one row per object."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.data.readers.as_text import cell_text
from sitegen.data.readers.base import RawTable, Reader, check_width
from sitegen.errors import SitegenError


class JsonReader(Reader):
    suffixes = (".json",)

    def read(self, path: Path) -> RawTable:
        return read_json(path)


def read_json(path: Path) -> RawTable:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise SitegenError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    if isinstance(data, dict):
        data = data.get("rows", data.get("data"))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SitegenError('expected a JSON array of objects (or {"rows": [...]})', path)
    if not data:
        raise SitegenError("no data rows, expected at least one object", path)
    columns = list(dict.fromkeys(k for r in data for k in r))
    check_width(len(columns), path, None)
    frame = pd.DataFrame([[cell_text(r.get(c)) for c in columns] for r in data], columns=columns, dtype=object)
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), 0)
