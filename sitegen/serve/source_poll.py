"""`sitegen serve` and data from sources: a table changes without any file event, so the preview asks each source
for its fingerprint (`data.source_fingerprints`) at an interval and rebuilds when one changed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sitegen.data.source_connections import connections_kept
from sitegen.data.source_fingerprints import fingerprints
from sitegen.errors import Diagnostics, SitegenError
from sitegen.project.discover import discover


def source_fingerprints(project_dir: Path) -> dict[tuple[str, str], str]:
    """Each client's sources' fingerprints; empty when the project names none (or cannot be read now: the
    build says why)."""
    try:
        project = discover(project_dir, Diagnostics())
        with connections_kept():
            found = fingerprints(s for c in project.clients for s in c.sources)
            return {(c.slug, s.name): found[s] for c in project.clients for s in c.sources}
    except SitegenError:
        return {}


class SourcePoller:
    """Calls `changed` when a source's rows changed since the last look, every `interval` seconds."""

    def __init__(self, project_dir: Path, interval: float, changed: Callable[[], None]):
        self.project_dir, self.interval, self.changed = project_dir, interval, changed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sitegen-source-poll", daemon=True)
        self._last: dict[tuple[str, str], str] | None = None

    def start(self) -> None:
        if self.interval > 0:
            self._last = source_fingerprints(self.project_dir)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            now = source_fingerprints(self.project_dir)
            if now != self._last:
                self._last = now
                self.changed()
