"""Which clients a build redoes, and in what order they come: every client's output in the project's order,
reused from the build cache when its keys did not change, built here when only pages need rendering, and
built by the worker pool when its data must be loaded.

The stages that build a client (data, metrics, render: pandas, pyarrow, Altair) are imported only when a
client has to be built (`_builders`): a build that finds nothing changed does without them."""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from types import ModuleType

from sitegen.build.cache import BuildCache
from sitegen.build.executors import LOCAL
from sitegen.build.outputs import ClientOutput, Sink
from sitegen.build.plan import ClientPlan, FileDigests, PlanLater
from sitegen.i18n import language
from sitegen.project.model import Client, Project
from sitegen.render.palette import client_palette
from sitegen.render.themes import Theme, page_environment

PARALLEL_FROM_REPORTS = 60  # reports from which worker processes repay their start-up


def _builders() -> ModuleType:
    from sitegen.build import workers  # deferred: see the module's docstring (tests/test_layering.py)

    return workers


def workers_for(requested: int | None, clients: Sequence[Client]) -> int:
    """Worker processes: one per core when there are enough reports to repay their start-up."""
    if requested is not None:
        return max(1, requested)
    reports = sum(len(c.reports) for c in clients)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, len(clients)) if reports >= PARALLEL_FROM_REPORTS else 1


def client_outputs(project: Project, theme: Theme, jobs: int | None, cache: BuildCache | None = None,
                   prune: bool = True, executor: str | None = None, sink: Sink | None = None) -> Iterator[ClientOutput]:
    """Every client's output, in the project's order, built in this process or in worker processes.

    With a cache, a client whose keys all match is reused as it is, one that only needs pages re-rendered is
    done here, and the clients that need their data loaded go to the pool, whose local workers write their
    files into `sink` themselves (ClientOutput.written)."""
    if cache is None:  # the keys still go into the record of published figures (render.published)
        files = FileDigests()
        files.ask_sources(s for c in project.clients for s in c.sources)
        templates = template_keys(BuildCache(), project, theme)
        yield from _builders().outputs(project, [(c, _later(templates, c, files)) for c in project.clients],
                                       theme, workers_for(jobs, project.clients), executor, sink)
        return
    cache.files.ask_sources(s for c in project.clients for s in c.sources)
    templates = template_keys(cache, project, theme)
    if prune:  # (not when only some clients are built: the others stay cached)
        cache.prune(c.slug for c in project.clients)
    fresh = {c.slug for c in project.clients if cache.clients.get(c.slug) is None}  # built whatever their keys
    plans: dict[str, ClientPlan | PlanLater] = {c.slug: cache.plan(project, c, templates, client_palette(c))
                                                for c in project.clients if c.slug not in fresh}
    reasons = {c.slug: _reasons(c, plans.get(c.slug), cache.clients.get(c.slug)) for c in project.clients}
    loading = [c for c in project.clients if c.slug in fresh or _needs_data(plans[c.slug], cache.clients[c.slug])]
    pooling = len(loading) > 1 and (workers_for(jobs, loading) > 1 or executor not in (None, LOCAL))
    for client in project.clients:  # the pool's workers work out the keys of fresh clients themselves
        if client.slug in fresh:
            plans[client.slug] = _later(templates, client, cache.files) if pooling else \
                cache.plan(project, client, templates, client_palette(client))
    # the pool's outputs arrive in project order too, so each is passed on as soon as it is there
    pooled = _builders().outputs(project, [(c, plans[c.slug]) for c in loading], theme, workers_for(jobs, loading),
                                 executor, sink) if pooling else iter(())
    in_pool = {c.slug for c in loading} if pooling else set()
    for client in project.clients:
        out = next(pooled) if client.slug in in_pool else _here(project, client, theme, plans[client.slug], cache)
        if out.digests:
            cache.files.known.update(out.digests)
            out.digests = None
        out.reasons = reasons[client.slug]
        if not out.errors:
            cache.keep(client.slug, out)
        yield out


def _later(templates: dict[str, str], client: Client, files: FileDigests) -> PlanLater:
    return PlanLater(templates, client_palette(client), files.answers(client.sources))


def _here(project: Project, client: Client, theme: Theme, plan: ClientPlan, cache: BuildCache) -> ClientOutput:
    previous = cache.clients.get(client.slug)
    if previous is not None and previous.plan == plan and not previous.errors:
        # nothing changed: the last output as it is (maybe only its head, if read from disk)
        return dataclasses.replace(previous, work=defaultdict(int), timings=defaultdict(float))
    return _builders().build_client(project, client, theme, plan, cache.full(client.slug))


def template_keys(cache: BuildCache, project: Project, theme: Theme) -> dict[str, str]:
    seen = cache.templates[0]
    keys = cache.template_keys(page_environment(theme, language(project.site.locale)), theme)
    if cache.templates[0] != seen:
        # Jinja reloads a template when its mtime changes; the keys follow its bytes, which can change within
        # one mtime tick: templates compiled before are not used for pages kept under the new keys
        page_environment.cache_clear()
    return keys


def whole(project: Project, theme: Theme, cache: BuildCache, head: ClientOutput) -> ClientOutput:
    """A reused client's files, for writing them: read from the cache, or built again if that fails."""
    found = cache.full(head.slug)
    if found is not None:
        return dataclasses.replace(found, work=head.work, timings=head.timings, reasons=head.reasons)
    client = next(c for c in project.clients if c.slug == head.slug)
    keys = cache.template_keys(page_environment(theme, language(project.site.locale)), theme)
    out = _builders().build_client(project, client, theme, cache.plan(project, client, keys, client_palette(client)))
    out.reasons = ["its cached pages could not be read: built again"]
    return out


def _reasons(client: Client, plan: ClientPlan | None, previous: ClientOutput | None) -> list[str]:
    """Why this client's parts are built again (for `build --explain`); empty when nothing is."""
    if previous is None or previous.plan is None:
        return ["not built before (or its cache was dropped): everything"]
    old = previous.plan
    if old.data != plan.data:
        changed = [name for name, value in plan.sources if (name, value) not in old.sources]
        if changed and old.files == plan.files:
            return [f"source {', '.join(changed)} changed: loading the data and recomputing every report"]
        return ["its data files changed: loading them and recomputing every report"]
    lines = []
    old_reports = {page: numbers for numbers, page in old.reports}
    old_numbers = {numbers for numbers, _ in old.reports}
    for report, (numbers, page) in zip(client.reports, plan.reports):
        if page in old_reports:
            continue
        if numbers not in old_numbers:
            lines.append(f"{report.path.name}: new, or its period, comparison, targets or settings changed: "
                         "numbers recomputed, page rendered")
        else:
            lines.append(f"{report.path.name}: its text or the templates changed: page rendered from cached numbers")
    if old.index != plan.index:
        lines.append("client page: report titles or numbers, settings or templates changed: rendered")
    return lines


def _needs_data(plan: ClientPlan, previous: ClientOutput | None) -> bool:
    """Whether building this client loads its data files (the slow part, worth a worker process)."""
    if previous is None or previous.plan is None or previous.plan.data != plan.data:
        return True
    if previous.facts is not None:
        return False
    known = {r.keys[0] for r in previous.report_outputs if r.keys}
    return any(numbers not in known for numbers, _ in plan.reports)

