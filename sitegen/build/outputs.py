"""What building a client gives (`ClientOutput`): its files, its reports' numbers and pages, its warnings and
errors, and what the build cache keeps of it for the next build. Made in this process or in a worker."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.build.plan import ClientPlan
from sitegen.errors import SitegenError
from sitegen.render.files import OutputFile

if TYPE_CHECKING:  # (types only: a build that reuses every client never loads the stages that make them)
    from sitegen.metrics.alerts import Alert
    from sitegen.metrics.facts import ClientFacts
    from sitegen.metrics.report import ReportKpis


@dataclass(frozen=True)
class Sink:
    """Where a local worker writes its client's files (the staging folder) and build cache itself, so that only
    a small summary travels back and the parent does not become the build's bottleneck."""

    folder: Path
    store: Path | None  # the build cache's folder, when the build keeps its cache


@dataclass
class Computed:
    """A report's numbers: everything on its page that does not come from its prose."""

    kpis: ReportKpis
    alerts: list[Alert]
    charts: dict[str, str | None]  # chart name -> Vega-Lite spec (None: no rows in the period)
    missing_days: list[date]
    has_data: bool
    images: dict[str, str] = field(default_factory=dict)  # chart name -> static SVG


@dataclass
class ReportOutput:
    keys: tuple[str, str] | None  # (numbers key, page key) when a BuildCache planned this build
    computed: Computed | None  # None in a client's head as the build cache stores it
    files: list[OutputFile]
    untranslated: set[str] = field(default_factory=set)  # messages the page showed in English


@dataclass
class ClientOutput:
    """One client's share of the site."""

    slug: str
    files: list[OutputFile] = field(default_factory=list)
    reports: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[SitegenError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # CPU seconds per stage
    work: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # data loads, computed, rendered
    # what a BuildCache keeps for the next build
    plan: ClientPlan | None = None
    load_warnings: list[str] = field(default_factory=list)
    currency: str | None = None  # the data's: every amount was read in it (see data.currencies)
    data_span: tuple[date | None, date | None] = (None, None)  # first and last day with data
    facts: ClientFacts | None = None  # not sent back from worker processes
    report_outputs: list[ReportOutput] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why parts were built again (`--explain`)
    # what the published record (render.published) keeps: per report its figures, and the data files' hashes
    figures: list[dict] = field(default_factory=list)
    data_files: dict[str, dict] = field(default_factory=dict)  # name -> {"hash", "kind"}
    index: list[OutputFile] = field(default_factory=list)  # the client's index page and branding files
    index_untranslated: set[str] = field(default_factory=set)
    # a password-protected client's pages: path -> a keyed hash of the page before it was sealed, so that a page
    # rendered again to the same bytes keeps its ciphertext (render.sealed)
    seals: dict[str, str] = field(default_factory=dict)
    sealed_before: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # the last build's, while building
    written: list[tuple[str, int]] | None = None  # (path, size) of the files a worker wrote itself (see Sink)
    digests: dict[str, tuple[tuple[int, ...], str]] | None = None  # file hashes a worker made (PlanLater)


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the CPU seconds of this process spent in the block to `timings[stage]` (a busy machine does not
    inflate them; waiting on I/O is not counted)."""
    start = time.process_time()
    try:
        yield
    finally:
        timings[stage] += time.process_time() - start
