"""`build --executor dask-local` and `--executor dask://HOST:PORT`: the per-client work runs on Dask workers
and the site written on this machine is byte-identical to a local build; Dask's problems (no such
executor, no scheduler there, a worker that cannot see the project) are one-line errors, exit code 2.

One LocalCluster (two spawned worker processes) is shared by the module; it stands in for a remote
cluster, reached through its TCP address like `dask scheduler` on another machine would be."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import run_cli, tree_digest

from sitegen.build import BuildOptions, build, executors
from sitegen.build.executors import _on_worker, _parse, check_executor, run_tasks
from sitegen.demo import generate_many
from sitegen.errors import SitegenError, error_lines
from sitegen.storage import code_fingerprint

pytestmark = pytest.mark.slow  # a Dask LocalCluster and scheduler; the fast lane leaves them out

distributed = pytest.importorskip("distributed")

BAD_FILE = "content/client-0002/data/videos-2026-10.csv"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) \
            as local:
        yield local


@pytest.fixture(scope="module")
def address(cluster) -> str:
    return cluster.scheduler_address.replace("tcp://", "dask://", 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dask") / "project"
    generate_many(root, 3, 2)  # 3 clients x 2 report months (static_charts off: the default)
    return root


@pytest.fixture(scope="module")
def local_site(project, tmp_path_factory) -> dict[str, str]:
    output = tmp_path_factory.mktemp("local") / "site"
    build(project, BuildOptions(output=output, use_cache=False, jobs=1))
    return tree_digest(output)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_build_is_byte_identical(project, local_site, address, tmp_path):
    result = build(project, BuildOptions(output=tmp_path / "site", use_cache=False, executor=address))
    assert result.clients == 3 and result.reports == 6
    assert tree_digest(tmp_path / "site") == local_site


def test_tcp_address_works_too(project, local_site, cluster, tmp_path):
    build(project, BuildOptions(output=tmp_path / "site", use_cache=False, executor=cluster.scheduler_address))
    assert tree_digest(tmp_path / "site") == local_site


def test_dask_local_build_is_byte_identical(project, local_site, tmp_path):
    build(project, BuildOptions(output=tmp_path / "site", use_cache=False, jobs=2, executor="dask-local"))
    assert tree_digest(tmp_path / "site") == local_site


def test_results_come_back_in_task_order(address):
    tasks = list(range(40))
    assert list(run_tasks(str, tasks, 2, address)) == [str(t) for t in tasks]


def test_bad_data_gives_the_same_located_error(project, address, tmp_path):
    broken = tmp_path / "project"
    shutil.copytree(project, broken)
    path = broken / BAD_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[3] = "lots"  # views
    lines[2] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")
    messages = []
    for executor in ("local", address):
        with pytest.raises(SitegenError) as failed:
            build(broken, BuildOptions(output=tmp_path / "site", use_cache=False, executor=executor))
        messages.append(error_lines(failed.value))
    assert messages[0] == messages[1]
    assert any(BAD_FILE in line and ":3:" in line for line in messages[0]), messages[0]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("what, task", [("project folder", lambda missing: SimpleNamespace(root=missing)),
                                         ("theme folder", lambda missing: SimpleNamespace(dirs=[missing]))])
def test_a_worker_that_cannot_see_a_folder_names_its_host(address, tmp_path, what, task):
    missing = tmp_path / "not-shared"
    with pytest.raises(SitegenError) as failed:
        list(run_tasks(str, [(task(missing),), (task(missing),)], 2, address))
    message = str(failed.value)
    assert f"host {socket.gethostname()!r} cannot see the {what} {missing}" in message
    assert "shared" in message and "\n" not in message


def test_a_worker_with_other_sitegen_code_says_so(cluster):
    with distributed.Client(cluster, set_as_default=False) as client:
        future = client.submit(partial(_on_worker, str, None, (), "another sitegen"), 1, pure=False)
        with pytest.raises(SitegenError, match=r"runs a different sitegen .* restart the workers"):
            future.result()
        assert client.submit(partial(_on_worker, str, None, (), code_fingerprint()), 1, pure=False).result() == "1"


def test_cli_unknown_executor(project, tmp_path):
    run = run_cli("build", project, "--output", tmp_path / "site", "--no-cache", "--executor", "nonsense")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "error: --executor: unknown executor 'nonsense'; expected 'local', 'dask-local' or 'dask://HOST:PORT' "
        "(also 'tcp://HOST:PORT')"]
    assert not (tmp_path / "site").exists()


def test_cli_unreachable_scheduler(project, tmp_path):
    port = _free_port()
    started = time.monotonic()
    run = run_cli("build", project, "--output", tmp_path / "site", "--no-cache", "--executor",
                  f"dask://127.0.0.1:{port}", timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"error: --executor: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: "
                                       "Connection refused; is `dask scheduler` running there?"], run.stderr
    assert time.monotonic() - started < 30  # no 10 s connect retries on top of the CLI's start-up
    assert not (tmp_path / "site").exists()


def test_a_scheduler_without_workers(project, tmp_path, monkeypatch):
    monkeypatch.setattr(executors, "WORKER_TIMEOUT", 0.5)
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) \
            as empty, pytest.raises(SitegenError) as failed:
        build(project, BuildOptions(output=tmp_path / "site", use_cache=False, executor=empty.scheduler_address))
    assert str(failed.value) == (f"--executor: the Dask scheduler at {empty.scheduler_address} has no workers "
                                 f"(waited 0.5 s); start some with `dask worker {empty.scheduler_address}`")


def test_cli_builds_on_a_scheduler(project, local_site, address, tmp_path):
    run = run_cli("build", project, "--output", tmp_path / "site", "--no-cache", "--executor", address)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert tree_digest(tmp_path / "site") == local_site


@pytest.mark.parametrize("spec, expected", [
    ("local", ("local", None)),
    ("dask-local", ("dask-local", None)),
    ("dask://scheduler.internal:8786", ("scheduler", "tcp://scheduler.internal:8786")),
    ("tcp://10.0.0.5:8786/", ("scheduler", "tcp://10.0.0.5:8786")),
    ("dask://[::1]:8786", ("scheduler", "tcp://[::1]:8786")),
])
def test_accepted_forms(spec, expected):
    assert _parse(spec) == expected


@pytest.mark.parametrize("spec", ["dask://host", "dask://:8786", "dask://host:port", "tcp://host:8786/x",
                                  "dask", "Local", "ray://host:1"])
def test_rejected_forms(spec):
    with pytest.raises(SitegenError) as failed:
        check_executor(spec)
    assert "\n" not in str(failed.value) and "--executor" in str(failed.value)


def test_without_dask_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert check_executor(None) == "local"
    with pytest.raises(SitegenError, match=r'pip install "sitegen\[dask\]"'):
        check_executor("dask-local")


def test_a_local_build_does_not_import_dask():
    code = ("import sys; from sitegen.cli import main; from sitegen.build import build; "
            "from sitegen.build.executors import run_tasks; "
            "assert list(run_tasks(str, [1, 2], 1, 'local')) == ['1', '2']; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_workers_query_their_clients_rows_themselves(project, local_site, address, tmp_path):
    """The data in one DuckDB table for all clients, read through a sitegen.toml source: each worker queries
    its client's rows (the submitting machine asks only for fingerprints), and the pages are those of the files'
    build (the record of published figures names its inputs, so it differs)."""
    duckdb = pytest.importorskip("duckdb")
    pd = pytest.importorskip("pandas")
    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".sitegen-cache", "output"))
    frames: dict[str, list] = {}
    for path in sorted(root.glob("content/*/data/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.insert(0, "client", path.parent.parent.name)
        frames.setdefault(path.name.split("-")[0], []).append(frame)
        path.unlink()
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        for kind, parts in frames.items():
            con.register("rows", pd.concat(parts, ignore_index=True))
            con.execute(f"CREATE TABLE {kind} AS SELECT * FROM rows")
            con.unregister("rows")
    with open(root / "sitegen.toml", "a", encoding="utf-8") as settings:
        settings.write("".join(f'\n[[sources]]\nurl = "duckdb:///warehouse.duckdb"\n'
                               f'query = "SELECT * FROM {kind} WHERE client = :client"\n' for kind in frames))
    result = build(root, BuildOptions(output=tmp_path / "site", use_cache=False, executor=address))
    assert result.reports == 6 and result.timings["load"] > 0 and result.work["data loaded"] == 3
    pages = {p: d for p, d in tree_digest(tmp_path / "site").items() if not p.endswith("published.json")}
    assert pages == {p: d for p, d in local_site.items() if not p.endswith("published.json")}
