"""`sitegen check`: load and validate every client's data, and say what was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sitegen.data.kinds import KINDS
from sitegen.data.load import DataFile, load_client_data
from sitegen.data.spelled_dates import YEARLESS
from sitegen.errors import Diagnostics, SitegenError, count_text, flat
from sitegen.project.discover import discover
from sitegen.render.macro_checks import commentary_errors, intro_errors


@dataclass
class ClientCheck:
    slug: str
    name: str
    files: list[DataFile] = field(default_factory=list)
    errors: list[SitegenError] = field(default_factory=list)

    def as_dict(self, root: Path) -> dict:
        return {"client": self.name, "slug": self.slug, "errors": [str(e) for e in self.errors],
                "files": [{"path": _rel(f.path, root), "kind": f.kind, "rows": f.rows,
                           "first": f.first.isoformat() if f.first else None,
                           "last": f.last.isoformat() if f.last else None, "notes": f.notes} for f in self.files]}


@dataclass
class CheckResult:
    root: Path
    clients: list[ClientCheck]
    warnings: list[str]
    site_errors: list[SitegenError] = field(default_factory=list)  # the site's own pages (index.md)

    @property
    def errors(self) -> list[SitegenError]:
        return [*self.site_errors, *(e for c in self.clients for e in c.errors)]


def check_project(project_dir: Path) -> CheckResult:
    """Every client's data loaded and its commentary's macros checked as `build` checks them (no rendering)."""
    diagnostics = Diagnostics()
    project = discover(Path(project_dir), diagnostics)
    clients = []
    for client in project.clients:
        result = ClientCheck(client.slug, client.name)
        try:
            result.files = load_client_data(client.data_dir, diagnostics, options=client.load_options).files
        except SitegenError as exc:
            result.errors = flat([exc])
        result.errors += [e for report in client.reports for e in commentary_errors(report)]
        clients.append(result)
    site_errors = intro_errors(project.index_md) if project.index_md else []
    return CheckResult(project.root, clients, diagnostics.warnings, site_errors)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def summary_lines(result: CheckResult) -> list[str]:
    lines = []
    for client in result.clients:
        rows = sum(f.rows for f in client.files)
        firsts = [f.first for f in client.files if f.first]
        lasts = [f.last for f in client.files if f.last]
        span = f", {min(firsts)} to {max(lasts)}" if firsts else ""
        status = f", {count_text(client.errors)}" if client.errors else ""
        lines.append(f"{client.name} ({client.slug}): {len(client.files)} files, {rows:,} rows{span}{status}")
        for kind in KINDS:
            mine = [f for f in client.files if f.kind == kind]
            if mine:
                first = min((f.first for f in mine if f.first), default=None)
                last = max((f.last for f in mine if f.last), default=None)
                when = f"  {first} to {last}" if first else ""
                lines.append(f"  {kind:<10} {len(mine):>3} file{'s' if len(mine) != 1 else ' '} "
                             f"{sum(f.rows for f in mine):>9,} rows{when}")
        for f in client.files:
            if f.notes:
                # the days a file was placed on, where it writes them without a year or not at all
                placed = f" ({f.first} to {f.last})" if f.first and any(
                    n.startswith((YEARLESS, "no date column")) for n in f.notes) else ""
                lines.append(f"    {_rel(f.path, result.root)}{placed}: {'; '.join(f.notes)}")
    return lines
