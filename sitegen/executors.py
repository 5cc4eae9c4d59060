"""Where per-client work runs: this process, a local process pool, or (later) a Dask cluster.

An executor maps a picklable function over picklable tasks and yields the results in task order;
everything after that (gathering pages, writing the site) happens in the submitting process."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sitegen.errors import SitegenError

LOCAL = "local"


def check_executor(spec: str | None) -> str:
    """The executor spec as given, or a one-line error naming the forms accepted."""
    spec = spec or LOCAL
    if spec == LOCAL:
        return spec
    raise SitegenError(f"--executor: unknown executor {spec!r}; expected 'local'")


def run_tasks(function: Callable[[Any], Any], tasks: Sequence[Any], jobs: int, executor: str | None = None,
              initializer: Callable[[], None] | None = None) -> Iterator[Any]:
    """`function(task)` for every task, in order."""
    check_executor(executor)
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield function(task)
        return
    # spawn, not fork: a forked worker can hang on state (threads, vl-convert's engine) of the parent
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=initializer) as pool:
        yield from pool.map(function, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))
