"""Where per-client work runs: this process, a local process pool, or a Dask cluster.

An executor maps a picklable function over picklable tasks and yields the results in task order;
everything after that (gathering pages, writing the site) happens in the submitting process.

Executor specs (`sitegen build --executor SPEC`):

- `local` (the default): this process, or a process pool with `--jobs` workers (forked when that is
  safe: it starts a worker in milliseconds; spawned otherwise).
- `dask-local`: a `distributed.LocalCluster` of `jobs` worker processes (one thread each, started
  with spawn) that lives for the build.
- `dask://HOST:PORT` or `tcp://HOST:PORT`: the running Dask scheduler at that address.

Dask workers read the project's files by path: the project folder must be on a filesystem every
worker sees at the same path, and every worker needs the same sitegen installed (at the same path:
the built-in themes are read from it). A worker checks both before each task and fails with a
one-line error naming its host. A worker process runs one sitegen task at a time (rendering keeps
per-process state), so start workers as `dask worker ADDRESS --nworkers N --nthreads 1`. `dask` and
`distributed` are imported only when a Dask executor is used (`pip install "sitegen[dask]"`)."""

from __future__ import annotations

import importlib.util
import multiprocessing
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sitegen.errors import SitegenError
from sitegen.storage import code_fingerprint

LOCAL = "local"
DASK_LOCAL = "dask-local"
FORMS = "'local', 'dask-local' or 'dask://HOST:PORT' (also 'tcp://HOST:PORT')"
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before giving up
WORKER_TIMEOUT = 30.0  # seconds to wait for a scheduler without workers to get one
INSTALL_HINT = 'Dask is not installed: pip install "sitegen[dask]"'


def check_executor(spec: str | None) -> str:
    """The executor spec as given, or a one-line error naming the forms accepted (or how to get Dask)."""
    spec = spec or LOCAL
    if _parse(spec)[0] != LOCAL and importlib.util.find_spec("distributed") is None:
        raise SitegenError(f"--executor {spec}: {INSTALL_HINT}")
    return spec


def _parse(spec: str) -> tuple[str, str | None]:
    """(LOCAL, None), (DASK_LOCAL, None) or ("scheduler", "tcp://HOST:PORT")."""
    if spec in (LOCAL, DASK_LOCAL):
        return spec, None
    scheme = spec.partition("://")[0].lower() if "://" in spec else ""
    if scheme in ("dask", "tcp"):
        try:
            url = urlsplit(spec)
            host, port = url.hostname, url.port
        except ValueError:
            host = port = None
        if host and port and url.path in ("", "/") and not url.query and not url.fragment:
            host = f"[{host}]" if ":" in host else host
            return "scheduler", f"tcp://{host}:{port}"
        raise SitegenError(f"--executor: {spec!r} is not a scheduler address; expected 'dask://HOST:PORT' "
                           "(or 'tcp://HOST:PORT'), e.g. dask://127.0.0.1:8786")
    raise SitegenError(f"--executor: unknown executor {spec!r}; expected {FORMS}")


def run_tasks(function: Callable[[Any], Any], tasks: Sequence[Any], jobs: int, executor: str | None = None,
              initializer: Callable[[], None] | None = None, fork_safe: bool = False) -> Iterator[Any]:
    """`function(task)` for every task, in order; `fork_safe`: the caller holds no state a forked worker
    could hang on (a local pool is then forked if nothing else speaks against it)."""
    kind, address = _parse(check_executor(executor))
    if kind != LOCAL:
        yield from _run_dask(function, tasks, jobs, address, initializer)
        return
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield function(task)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(start_method(fork_safe)),
                               initializer=initializer)
    try:
        # one task at a time: results stream in order, and no worker idles while another finishes a batch
        yield from pool.map(function, tasks)
    finally:  # (stopped early, by an error here or in the caller: the tasks not started are dropped)
        pool.shutdown(wait=True, cancel_futures=True)


def start_method(fork_safe: bool) -> str:
    """fork saves each worker its imports, but a forked child can hang on a lock another thread
    held at the fork (a preview server's, a progress bar's) or on vl-convert's engine: spawn then."""
    if fork_safe and threading.active_count() == 1 and sys.platform == "linux" \
            and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


# --- Dask -------------------------------------------------------------------------------------------


def _run_dask(function: Callable[[Any], Any], tasks: Sequence[Any], jobs: int, address: str | None,
              initializer: Callable[[], None] | None) -> Iterator[Any]:
    """Submit every task to a Dask cluster, then hand the results back in task order.

    `address` None starts a LocalCluster of `jobs` worker processes for this call and closes it after."""
    if not tasks:
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SitegenError(f"--executor: {INSTALL_HINT} ({exc})") from None
    with ExitStack() as stack:
        if address is None:
            import logging

            # spawn, not fork: a forked worker hangs once vl-convert's engine has started in this process
            stack.enter_context(dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}))
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, jobs), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # no 8787 clash
                silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster, set_as_default=False))
        else:
            client = stack.enter_context(_connect(Client, address))
            try:  # with no worker, the tasks would wait for one forever
                client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            except TimeoutError:
                raise SitegenError(f"--executor: the Dask scheduler at {address} has no workers (waited "
                                   f"{WORKER_TIMEOUT:g} s); start some with `dask worker {address}`") from None
        job = partial(_on_worker, function, initializer, _folders(tasks), code_fingerprint())
        futures = client.map(job, list(tasks), pure=False)
        for i, future in enumerate(futures):
            try:
                result = future.result()
            except ImportError as exc:  # the worker's Python lacks sitegen (or one of its dependencies)
                raise SitegenError(f"a Dask worker could not import what sitegen needs ({exc}); every worker "
                                   f"needs the same sitegen installed: pip install \"sitegen[dask]\"") from None
            futures[i] = None  # the cluster can forget a result once it is here
            yield result


def _connect(client_class, address: str):
    """A Client of the scheduler at `address`, or a one-line error when it cannot be reached."""
    host, _, port = address.removeprefix("tcp://").rpartition(":")
    try:  # a refused or unroutable address fails here at once, not after the Client's retries
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise SitegenError(f"--executor: cannot reach the Dask scheduler at {address}: "
                           f"{exc.strerror or exc.__class__.__name__}; is `dask scheduler` running there?") from None
    import asyncio  # (only here: importing it would cost every build)

    try:  # something listens there: is it a Dask scheduler? (a failed Client would linger on exit)
        asyncio.run(_handshake(address))
    except Exception as exc:
        detail = "it speaks another protocol" if isinstance(exc, MemoryError) else _first_line(exc)
        raise SitegenError(f"--executor: {address} does not answer as a Dask scheduler ({detail}); "
                           "the scheduler listens on port 8786 unless told otherwise (8787 is its dashboard)") \
            from None
    try:
        return client_class(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:
        raise SitegenError(f"--executor: cannot connect to the Dask scheduler at {address} "
                           f"({_first_line(exc)})") from None


async def _handshake(address: str) -> None:
    from distributed.comm import connect

    comm = await connect(address, timeout=CONNECT_TIMEOUT)
    await comm.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__


def _folders(tasks: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    """(what, folder) for every folder the tasks read by path: a Project's `root`, a Theme's `dirs`."""
    folders: set[tuple[str, str]] = set()
    for task in tasks:
        for part in task if isinstance(task, tuple) else (task,):
            root = getattr(part, "root", None)
            if isinstance(root, Path):
                folders.add(("project folder", str(root)))
            dirs = getattr(part, "dirs", None)
            if isinstance(dirs, list):
                folders.update(("theme folder", str(d)) for d in dirs if isinstance(d, Path))
    return tuple(sorted(folders, key=lambda f: (f[0] != "project folder", f[1])))


_LOCK = threading.Lock()  # one task at a time in a worker process: rendering keeps per-process state
_initialized: set[str] = set()


def _on_worker(function: Callable[[Any], Any], initializer: Callable[[], None] | None,
               folders: tuple[tuple[str, str], ...], fingerprint: str, task: Any) -> Any:
    """Runs on a Dask worker: check that it has the same sitegen and sees the project, then `function(task)`."""
    if code_fingerprint() != fingerprint:
        raise SitegenError(f"the Dask worker on host {socket.gethostname()!r} runs a different sitegen than the "
                           "machine that submitted the build: install the same sitegen everywhere and restart the "
                           "workers after installing or upgrading it")
    for what, folder in folders:
        if not Path(folder).is_dir():
            raise SitegenError(f"the Dask worker on host {socket.gethostname()!r} cannot see the {what} {folder}: "
                               "the project must be on a filesystem shared with every worker, at the same path "
                               "(and sitegen installed at the same path)")
    with _LOCK:
        if initializer is not None:
            name = f"{initializer.__module__}.{initializer.__qualname__}"
            if name not in _initialized:
                initializer()
                _initialized.add(name)
        return function(task)
