"""Helpers for writing small sitegen projects into a tmp folder and running the real CLI on them.

Imported by the tests as `from helpers import ...` (pyproject.toml puts tests/ on sys.path). The projects
are made of the one tiny dataset (`tiny_data`), written by the tests themselves, and of the small export
files in tests/data/: nothing depends on files outside the repository. The larger samples of a workspace's
`../shared/samples` are used only when they are there (`shared_samples`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_data import TABLES

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"  # small files in the formats of real exports, written for the tests
SHARED_SAMPLES = REPO.parent / "shared" / "samples"  # beside a workspace's clone only


def shared_samples() -> Path:
    """The larger samples of ../shared/samples; the test is skipped when a clone has nothing beside it."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("needs ../shared/samples beside the repository (the larger real exports)")
    return SHARED_SAMPLES


REPORT = """\
---
title: "October 2026"
period: "2026-10"
---
A quiet month: ROI was {{ kpi("roi") }} ({{ delta("likes") }} likes).

## Charts
{{ chart("likes_daily") }}

{{ table("top_videos", limit=5) }}
"""

SITE_TOML = """\
title = "Test reports"
locale = "en_US"
currency = "USD"
"""

CLIENT_TOML = """\
name = "Acme"
currency = "EUR"
"""


def write(path: Path, text: str | bytes) -> Path:
    """Write `text` (UTF-8 when it is a str) to `path`, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def csv_bytes(rows: list[dict]) -> bytes:
    """Rows (dicts) as a CSV file with a header of every key, in the order they first appear."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(k for row in rows for k in row)))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_csv(path: Path, rows: list[dict]) -> Path:
    return write(path, csv_bytes(rows))


def make_project(root: Path, tables: dict[str, list[dict]] | None = None, reports: dict[str, str] | None = None,
                 *, client: str = "acme", client_toml: str | None = None, site_toml: str | None = None) -> Path:
    """A small valid project: one client with a CSV file per kind of `tables` (default: the tiny dataset's ads,
    videos and account) and its report files (default: one report of 2026-10); sitegen.toml and client.toml
    when given."""
    tables = {k: TABLES[k] for k in ("ads", "videos", "account")} if tables is None else tables
    folder = root / "content" / client
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for kind, rows in tables.items():
        write_csv(folder / "data" / f"{kind}.csv", rows)
    if site_toml is not None:
        write(root / "sitegen.toml", site_toml)
    if client_toml is not None:
        write(folder / "client.toml", client_toml)
    for name, text in ({"2026-10.md": REPORT} if reports is None else reports).items():
        write(folder / name, text)
    return root


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error: ")]

    @property
    def warning_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("warning: ")]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CI"] = "1"
    env.pop("NO_COLOR", None)
    return env


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> Run:
    """`python -m sitegen ARGS` as a subprocess, as a user would run it (CI=1: no progress bar)."""
    proc = subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], capture_output=True, text=True,
                          env={**cli_env(), **(env or {})}, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def build(project: Path, output: Path, *extra: str, env: dict[str, str] | None = None) -> Run:
    return run_cli("build", project, "--output", output, *extra, env=env)


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative POSIX path -> sha256 of every file below `folder`."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Location:
    """One `error: path:row:column: message` line, split up."""

    line: str
    path: str
    row: int | None
    column: str | None
    message: str


_ROW_COLUMN = re.compile(r"^(?:(?P<row>\d+):)?(?:(?P<column>[^:\s]+):)? (?P<message>.*)$")


def error_for(run: Run, file: Path, project: Path | None = None) -> Location:
    """The first error line that names `file` (by an absolute path, or one relative to the project or
    the working folder), parsed into its location parts. Fails the test when there is none."""
    name = file.name
    for line in run.error_lines:
        rest = line[len("error: "):]
        at = rest.find(f"{name}:")
        if at < 0:
            continue
        path = rest[:at + len(name)]
        candidates = [Path(path)] if Path(path).is_absolute() else [Path.cwd() / path] + (
            [project / path] if project else [])
        if not any(c.resolve() == file.resolve() for c in candidates):
            continue
        match = _ROW_COLUMN.match(rest[at + len(name) + 1:])
        if match:
            row = int(match["row"]) if match["row"] else None
            return Location(line, path, row, match["column"], match["message"])
    raise AssertionError(f"no error line names {file}; stderr was:\n{run.stderr}")


GERMAN_HEADERS = {"Campaign name": "Kampagnenname", "Ad Group Name": "Anzeigengruppenname", "Date": "Datum",
                  "Ad Name": "Anzeigenname", "Cost": "Kosten", "Impression": "Impressionen",
                  "Clicks (Destination)": "Klicks (Ziel)", "Conversions": "Konversionen", "Currency": "Währung",
                  "Reach": "Reichweite", "Video views": "Videoaufrufe", "Paid likes": "Bezahlte Likes",
                  "Total complete payment value": "Umsatz"}


def german_resave(source: Path, target: Path) -> Path:
    """The export as a German spreadsheet saves it: ';', 1.234,56, 31.10.2026, German headers, cp1252."""
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([GERMAN_HEADERS.get(h, h) for h in rows[0]])
    for row in rows[1:]:
        cells = []
        for cell in row:
            if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
                cell = f"{cell[8:]}.{cell[5:7]}.{cell[:4]}"
            elif cell.replace(".", "", 1).isdigit():
                whole, _, frac = cell.partition(".")
                whole = f"{int(whole):,}".replace(",", ".")
                cell = whole + ("," + frac if frac else "")
            cells.append(cell)
        writer.writerow(cells)
    target.write_bytes(out.getvalue().encode("cp1252", errors="replace"))
    return target


def shown_cell(value):
    """A table cell as tests compare it: the kind of missing value counts (None, pd.NA, NaN, NaT)."""
    if value is None or value is pd.NA:
        return repr(value)
    if isinstance(value, float) and np.isnan(value):
        return "nan"
    if isinstance(value, np.datetime64) and np.isnat(value):
        return "NaT"
    return (type(value).__name__, value)


def table_problems(a: pd.DataFrame, b: pd.DataFrame, kind: str) -> list[str]:
    """How two typed tables differ: columns, dtypes, values (to the bit) and the kinds of missing values."""
    if list(a.columns) != list(b.columns) or len(a) != len(b) or not a.index.equals(b.index):
        return [f"{kind}: shape {a.shape} {list(a.columns)} vs {b.shape} {list(b.columns)}"]
    problems = []
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype != y.dtype:
            problems.append(f"{kind}.{column}: dtype {x.dtype} vs {y.dtype}")
        elif x.dtype == object:
            cells = [(shown_cell(p), shown_cell(q)) for p, q in zip(x, y) if shown_cell(p) != shown_cell(q)]
            if cells:
                problems.append(f"{kind}.{column}: {cells[:3]}")
        elif not np.array_equal(x.to_numpy().view("int64"), y.to_numpy().view("int64")):
            problems.append(f"{kind}.{column}: values {x.tolist()[:5]} vs {y.tolist()[:5]}")
    return problems
