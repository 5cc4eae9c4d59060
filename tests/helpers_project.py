"""Helpers for writing tiny sitegen projects into a tmp folder and running the real CLI on them.

Imported by the tests as `from helpers_project import ...` (pytest puts tests/ on sys.path because the
folder has no __init__.py). The data rows below are a few lines of each canonical kind, written by the
tests themselves so nothing depends on files outside the repository.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# A few rows of every canonical kind (columns as in sitegen/kinds.py), all in October 2026.
CSV = {
    "ads": (
        "date,campaign,spend,impressions,reach,clicks,video_views,likes,comments,shares,conversions,revenue\n"
        "2026-10-01,Autumn Sale,82.25,13775,9642,209,4948,88,9,4,1,57.44\n"
        "2026-10-02,Autumn Sale,131.59,23043,16130,395,10058,286,20,10,27,884.40\n"
        "2026-10-03,Retargeting,129.47,11646,8152,172,4833,56,9,4,3,138.98\n"
    ),
    "videos": (
        "video_id,posted_at,title,views,likes,comments,shares,saves,new_followers,creator,paid\n"
        "7458906761674860773,2026-10-01 10:52:00,POV: finally found it,119638,12247,671,182,682,174,"
        "@sophie.styles,True\n"
        "7174818618369403105,2026-10-02 12:51:00,Q&A: your questions,3460,392,4,9,5,10,,False\n"
        "7641653787188484381,2026-10-03 21:26:00,3 mistakes,4269,499,12,17,12,13,,False\n"
    ),
    "account": (
        "date,followers,profile_views\n"
        "2026-10-01,22314,750\n"
        "2026-10-02,22333,117\n"
        "2026-10-03,22371,559\n"
    ),
    "community": (
        "received_at,channel,direction,video_id,responded_at,sentiment,lead\n"
        "2026-10-01 15:46:00,comment,inbound,7458906761674860773,,positive,False\n"
        "2026-10-01 08:43:00,comment,outbound,7458906761674860773,,,False\n"
        "2026-10-02 20:33:00,comment,inbound,7174818618369403105,2026-10-02 21:40:00,negative,False\n"
    ),
    "orders": (
        "date,code,orders,revenue,source\n"
        "2026-10-01,GLOW10,3,111.24,@sophie.styles\n"
        "2026-10-02,SOPHIE15,6,192.62,@sophie.styles\n"
        "2026-10-03,SOPHIE15,6,281.57,@sophie.styles\n"
    ),
    "hashtags": (
        "date,hashtag,posts,views\n"
        "2026-10-01,#harborcoffee,28,46859\n"
        "2026-10-02,#harborcoffee,23,14146\n"
        "2026-10-03,#harborcoffee,11,9021\n"
    ),
}

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


def make_project(root: Path, client: str = "acme", kinds: tuple[str, ...] = ("ads", "videos", "account"),
                 report: str | None = REPORT, site_toml: str | None = SITE_TOML,
                 client_toml: str | None = CLIENT_TOML) -> Path:
    """A small valid project: sitegen.toml, one client with data files of `kinds` and one report."""
    root.mkdir(parents=True, exist_ok=True)
    if site_toml is not None:
        write(root / "sitegen.toml", site_toml)
    folder = root / "content" / client
    if client_toml is not None:
        write(folder / "client.toml", client_toml)
    for kind in kinds:
        write(folder / "data" / f"{kind}.csv", CSV[kind])
    if report is not None:
        write(folder / "2026-10.md", report)
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
