"""JSON Lines files (`.jsonl`, `.ndjson`): one object per line, as Airbyte's local and file destinations and
most export tools write records. Row numbers in messages are line numbers; blank lines are skipped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sitegen.data.readers.base import RawTable, Reader
from sitegen.data.readers.json_table import objects_table, utf8_text
from sitegen.errors import SitegenError


class JsonLinesReader(Reader):
    suffixes = (".jsonl", ".ndjson")

    def read(self, path: Path) -> RawTable:
        return read_json_lines(path)


def read_json_lines(path: Path) -> RawTable:
    rows, numbers = [], []
    for number, line in enumerate(utf8_text(path.read_bytes(), path).split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SitegenError(f"invalid JSON: {exc.msg}", path, number, exc.colno) from None
        except RecursionError:
            raise SitegenError("found arrays or objects nested too deeply, expected one object per line", path,
                               number) from None
        if not isinstance(row, dict):
            raise SitegenError(f"found {_what(row)}, expected one JSON object per line", path, number)
        rows.append(row)
        numbers.append(number)
    if not rows:
        raise SitegenError("no data rows, expected one JSON object per line", path)
    return objects_table(rows, np.array(numbers, dtype=np.int64), path)


def _what(value) -> str:
    return "an array" if isinstance(value, list) else "text" if isinstance(value, str) else repr(value)
