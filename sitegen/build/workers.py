"""Clients built in worker processes (a local pool, or a Dask cluster: see `executors`), or here when one
process is enough. Each task carries only its own client; a local worker writes its client's files into the
build's staging folder and its build cache itself (`Sink`), and sends back only a summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pyarrow

from sitegen.build import cache_disk
from sitegen.build.client import build_client
from sitegen.build.executors import LOCAL, run_tasks
from sitegen.build.outputs import ClientOutput, Sink, timed
from sitegen.build.plan import ClientPlan, PlanLater
from sitegen.build.writer import file_stamp, write_files
from sitegen.i18n import language
from sitegen.project.model import Client, Project
from sitegen.render.assets import engine_started
from sitegen.render.charts import ChartTemplates, preload, templates
from sitegen.render.palette import client_palette
from sitegen.render.themes import Theme

Task = tuple[Project, Client, Theme, ClientPlan | PlanLater | None, ChartTemplates, Sink | None]


def outputs(project: Project, clients: list[tuple[Client, ClientPlan | PlanLater | None]], theme: Theme, jobs: int,
            executor: str | None = None, sink: Sink | None = None) -> Iterator[ClientOutput]:
    """Each client's output, in order, as soon as it is there."""
    # each task carries the project with only its own client: all of them would make the pickling quadratic
    tasks = [(dataclasses.replace(project, clients=(client,)), client, theme, plan) for client, plan in clients]
    if (jobs <= 1 and executor in (None, LOCAL)) or len(tasks) <= 1:
        for project_of, client, theme_of, plan in tasks:
            if isinstance(plan, PlanLater):
                plan = plan.make(project_of, client)[0]
            yield build_client(project_of, client, theme_of, plan)
        return
    made: ChartTemplates = {}  # made here once rather than in every worker (which then never imports altair)
    for client, _plan in clients:
        made.update(templates(client_palette(client), language(client.locale)))
    if executor not in (None, LOCAL):
        sink = None  # a Dask worker may be another machine: its pages come back here
    yield from run_tasks(_build_client_job, [(*task, made, sink) for task in tasks], jobs, executor,
                         initializer=_worker_init, fork_safe=not engine_started())


def _build_client_job(task: Task) -> ClientOutput:
    project, client, theme, plan, chart_templates, sink = task
    preload(chart_templates)
    digests = None
    if isinstance(plan, PlanLater):
        plan, digests = plan.make(project, client)
    out = build_client(project, client, theme, plan)
    out.facts = None  # about a megabyte a client: not worth sending back to the parent
    if sink is not None and not out.errors:
        with timed(out.timings, "write"):
            written = write_files(sink.folder, out.files)
            if sink.store is not None and out.work:
                cache_disk.save_client(sink.store, out, lambda path: file_stamp(sink.folder / path))
        # what the parent still needs: what was built and why (the cache keeps it as the client's head)
        out = dataclasses.replace(out, files=[], index=[], report_outputs=[], written=written)
    out.digests = digests
    return out


def _worker_init() -> None:
    """One thread per worker: the pool already keeps every core busy (pyarrow would add its own threads)."""
    pyarrow.set_cpu_count(1)
