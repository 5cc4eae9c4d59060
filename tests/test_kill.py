"""A build killed at any moment, or failing on bad data, leaves the previous site exactly as it was, and
the next build succeeds without manual cleanup."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import build as cli_build
from helpers import cli_env, tree_digest

from sitegen.build import BuildOptions, build, stage
from sitegen.build.writer import MARKER
from sitegen.errors import SitegenError
from sitegen.render.files import OutputFile

KILLS = 12


def leftovers(output: Path) -> list[str]:
    """Hidden folders a build left beside the output (a retired site is deleted by a detached process)."""
    deadline = time.monotonic() + 30
    while any(output.parent.glob(f".{output.name}.trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(p.name for p in output.parent.glob(f".{output.name}.*"))


@pytest.mark.slow
def test_builds_killed_at_random_moments_leave_the_last_good_site(demo_project, tmp_path):
    output = tmp_path / "site"
    assert cli_build(demo_project, output).returncode == 0
    good = tree_digest(output)
    report = demo_project / "content/harbor-coffee/2026-10.md"
    started = time.perf_counter()
    assert cli_build(demo_project, tmp_path / "timing", "--no-cache").returncode == 0
    full = time.perf_counter() - started  # a whole build, as each killed one below is
    for i in range(KILLS):
        report.write_text(report.read_text() + f"\nEdit {i}.\n")  # every build would change the site
        process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(demo_project), "--output",
                                    str(output), "--quiet", "--no-cache"], env=cli_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(full * (0.2 + 1.1 * i / KILLS))  # from start-up to after the end of the write
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree_digest(output)
        # either the previous site, untouched, or (the kill came after the swap) the complete new one
        if process.returncode == 0 or now != good:
            fresh = tmp_path / f"fresh-{i}"
            assert cli_build(demo_project, fresh, "--no-cache").returncode == 0
            assert now == tree_digest(fresh), f"kill {i}: a site that is neither the old nor the new one"
        good = now
    assert cli_build(demo_project, output).returncode == 0  # no manual cleanup needed
    assert leftovers(output) == []


def test_failed_build_on_bad_data_keeps_the_site_byte_for_byte(demo_project, tmp_path):
    output = tmp_path / "site"
    build(demo_project, BuildOptions(output=output))
    before = tree_digest(output)
    bad = demo_project / "content/harbor-coffee/data/ads-2026-10.csv"
    bad.write_text(bad.read_text().replace("\n2026-10-02,", "\n2026-13-02,", 1))
    run = cli_build(demo_project, output)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert tree_digest(output) == before and leftovers(output) == []


def test_kill_between_the_two_renames_is_repaired_by_the_next_build(demo_project, tmp_path, monkeypatch):
    """Without an atomic exchange the swap is two renames; a kill between them leaves the old site
    in a retired folder, which the next build (even a failing one) puts back."""
    output = tmp_path / "site"
    build(demo_project, BuildOptions(output=output))
    before = tree_digest(output)
    retired = tmp_path / ".site.old-killed"
    retired.mkdir()
    os.replace(output, retired / "site")  # the state a kill right after the first rename leaves
    (demo_project / "content/harbor-coffee/2026-10.md").write_text("---\nperiod: nonsense\n---\n")
    with pytest.raises(SitegenError):
        build(demo_project, BuildOptions(output=output))
    assert tree_digest(output) == before and leftovers(output) == []


def test_two_rename_fallback_writes_the_same_site(tmp_path, monkeypatch):
    monkeypatch.setattr(stage, "_exchange", lambda a, b: False)
    output = tmp_path / "out"
    stage.write_site([OutputFile("a.html", b"one")], output)
    stage.write_site([OutputFile("b.html", b"two")], output)
    assert sorted(p.name for p in output.iterdir()) == [MARKER, "b.html"]
    assert leftovers(output) == []


def test_refuses_outputs_that_would_lose_data(demo_project, tmp_path):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("years of work")
    for target, reason in [(foreign, "was not made by sitegen"), (demo_project, "holds the project's sources"),
                           (demo_project / "content", "holds the project's sources"),
                           (demo_project / "content/harbor-coffee", "holds the project's sources")]:
        run = cli_build(demo_project, target)
        assert run.returncode == 2 and reason in run.stderr, (target, run.stderr)
    assert (foreign / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["documents", "demo"]) or \
        not any(p.name.startswith(".documents") for p in tmp_path.iterdir())


def test_default_output_is_inside_the_project(demo_project, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert cli_build(demo_project, demo_project / "output").returncode == 0
    shutil.rmtree(demo_project / "output")
    run = subprocess.run([sys.executable, "-m", "sitegen", "build", str(demo_project), "-q"], env=cli_env(),
                         capture_output=True, text=True)
    assert run.returncode == 0 and (demo_project / "output/index.html").is_file()
    assert not (tmp_path / "output").exists()
