"""One build at a time per output folder: a second build waits (`--wait`) or stops with a clear error, and builds
started together always publish a whole site."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from helpers import build, cli_env, make_project, tree_digest

from sitegen.build.lock import lock_path, output_lock


def test_a_second_build_stops_at_once_while_one_runs(tmp_path):
    project, output = make_project(tmp_path / "p"), tmp_path / "out"
    with output_lock(output):
        run = build(project, output)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == (f"error: {output}: another sitegen build (or `sitegen serve`) is writing this output "
                                  "folder; run this one again when it is done, or with --wait to wait for it")
    assert not output.exists()  # it wrote nothing, and removed nothing
    assert build(project, output).returncode == 0  # the lock went with the first build


def test_with_wait_the_second_build_waits_for_the_first(tmp_path):
    project, output = make_project(tmp_path / "p"), tmp_path / "out"
    held = threading.Event()

    def hold():
        with output_lock(output):
            held.set()
            time.sleep(2)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    started = time.monotonic()
    run = build(project, output, "--wait")
    holder.join()
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started >= 1.5  # it waited for the lock
    assert not lock_path(output).exists() and (output / "index.html").is_file()  # nothing left beside it


def test_a_waiting_build_leaves_the_running_builds_staging_alone(tmp_path):
    """Start-up cleaning (of killed builds' folders) happens only under the lock: never to a live build's site."""
    project, output = make_project(tmp_path / "p"), tmp_path / "out"
    staging = tmp_path / ".out.tmp-live"  # the staged site of the build holding the lock
    result = {}
    with output_lock(output):
        (staging / "acme").mkdir(parents=True)
        waiting = threading.Thread(target=lambda: result.update(run=build(project, output, "--wait")))
        waiting.start()
        time.sleep(3)  # the second build has started and waits
        assert (staging / "acme").is_dir()
    waiting.join(timeout=120)
    assert result["run"].returncode == 0, result["run"].stderr
    assert not staging.exists()  # its owner is gone now: cleaned up


@pytest.mark.slow
def test_builds_started_together_publish_a_whole_site(demo_project, tmp_path):
    """Each trial starts a second build of the demo while a first runs: the site they leave equals a fresh build,
    every time (without the lock, the second build's start-up cleaning removed the first one's staged site)."""
    reference = tmp_path / "reference"
    assert build(demo_project, reference, "--no-cache").returncode == 0
    expected = tree_digest(reference)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "sitegen", "build", str(demo_project), "-o", str(output), "--wait"]
    for delay in (0.0, 0.7, 1.4, 2.1):  # the second starts as the first loads, renders or stages its site
        first = subprocess.Popen([*command, "--no-cache"], env=cli_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        second = subprocess.Popen(command, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for process in (first, second):
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, (delay, err)
        assert tree_digest(output) == expected, delay
