"""A full disk, a read-only file system or a folder the build may not write: one line naming the folder and the
reason, exit code 1 (the machine's problem, not the data's), never a traceback, and the previous site stays
exactly as it was. Most cases are simulated by making the operating system's call fail in the real CLI (the
tests may run as root, where permissions stop nothing); where the machine allows it, the real thing too."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import Run, build, cli_env, make_project, tree_digest

from sitegen.build import stage
from sitegen.build.site import BuildOptions
from sitegen.build.site import build as build_site
from sitegen.errors import EnvironmentFailure
from sitegen.serve.live_site import LiveSite

# run before the CLI in the child process: the named function fails with `code` for paths under `where`
_PATCH = """
import errno, os, sys
code, where, module, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
del sys.argv[1:5]
import importlib
owner = importlib.import_module(module)
owner_name, _, attribute = name.rpartition(".")
if owner_name:
    owner = getattr(owner, owner_name)
real = getattr(owner, attribute, None) or __builtins__.open

def failing(*args, **kwargs):
    text = " ".join(map(str, [*args[:2], *kwargs.values()]))
    if where in text:
        raise OSError(code, os.strerror(code))  # as write() fails: no file name
    return real(*args, **kwargs)

setattr(owner, attribute, failing)
from sitegen.cli import main
main()
"""


def run_failing(code: int, where: Path | str, target: str, *args: str | Path) -> Run:
    """`sitegen ARGS` with `target` ("module:attribute") failing with OSError(code) on paths containing `where`."""
    module, name = target.split(":")
    proc = subprocess.run([sys.executable, "-c", _PATCH, str(code), str(where), module, name, *map(str, args)],
                          capture_output=True, text=True, env=cli_env(), timeout=120, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def published(tmp_path):
    """(project, output, digest of the site published by a first build); the report is then edited, so that the
    next build would change the site."""
    project, output = make_project(tmp_path / "p"), tmp_path / "out" / "site"
    assert build(project, output).returncode == 0
    report = project / "content/acme/2026-10.md"
    report.write_text(report.read_text() + "\nAn edit.\n")
    return project, output, tree_digest(output)


def _one_line(run: Run, expected: str) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == expected


def _untouched(output: Path, digest: dict[str, str]) -> None:
    assert tree_digest(output) == digest
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]  # no staging or lock left


@pytest.mark.parametrize("code, reason", [
    (errno.ENOSPC, "no space left on the disk"),
    (errno.EROFS, "the file system is read-only"),
    (errno.EDQUOT, "disk quota exceeded"),
])
def test_a_full_disk_while_writing_the_site_is_one_line(published, code, reason):
    project, output, digest = published
    run = run_failing(code, f".{output.name}.tmp-", "pathlib:Path.write_bytes", "build", project, "--output", output)
    _one_line(run, f"error: {output}: cannot write the site: {reason}")
    _untouched(output, digest)


@pytest.mark.parametrize("code, reason", [
    (errno.EACCES, "permission denied"),
    (errno.EPERM, "operation not permitted (is the folder protected or immutable?)"),
    (errno.EROFS, "the file system is read-only"),
])
def test_a_parent_folder_that_cannot_be_written_is_one_line(published, code, reason):
    """The lock file beside the output is the first thing a build writes there."""
    project, output, digest = published
    lock = output.parent / f".{output.name}.lock"
    run = run_failing(code, lock, "sitegen.build.lock:open", "build", project, "--output", output)
    _one_line(run, f"error: {lock}: cannot create the build lock: {reason}")
    _untouched(output, digest)


def test_a_staging_folder_that_cannot_be_made_is_one_line(published):
    project, output, digest = published
    run = run_failing(errno.ENOSPC, output.parent, "tempfile:mkdtemp", "build", project, "--output", output)
    _one_line(run, f"error: {output}: cannot write the site: no space left on the disk")
    _untouched(output, digest)


def test_a_failed_swap_puts_the_old_site_back_at_once(tmp_path, monkeypatch):
    """Where folders cannot be exchanged in one step, a failure between the two renames restores the old site."""
    output = tmp_path / "site"
    stage.write_site([stage.OutputFile("index.html", b"old")], output)
    real = os.replace

    def replace(source, target):
        if Path(source).name.startswith(".site.tmp-"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(source, target)

    monkeypatch.setattr(stage, "_exchange", lambda a, b: False)
    monkeypatch.setattr(stage.os, "replace", replace)
    with pytest.raises(OSError):
        stage.write_site([stage.OutputFile("index.html", b"new")], output)
    assert (output / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_preview_gets_a_failure_to_write_as_an_error_line(tmp_path, monkeypatch):
    """`sitegen serve` shows a build's SitegenError in the page: a full disk is one, with the output folder."""
    project, output = make_project(tmp_path / "p"), tmp_path / "out"
    site = LiveSite(output)
    build_site(project, BuildOptions(output=output), writer=site)
    report = project / "content/acme/2026-10.md"
    report.write_text(report.read_text() + "\nAn edit.\n")

    def full(path, data, mode=0o644):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("sitegen.serve.live_site.write_temporary", full)
    before = tree_digest(output)
    with pytest.raises(EnvironmentFailure) as failure:
        build_site(project, BuildOptions(output=output), writer=site)
    assert str(failure.value) == f"{output}: cannot write the site: no space left on the disk"
    assert tree_digest(output) == before


def test_the_preview_stops_with_one_line_when_it_cannot_make_the_output_folder(tmp_path):
    project, output = make_project(tmp_path / "p"), tmp_path / "out" / "site"
    run = run_failing(errno.EACCES, output, "pathlib:Path.mkdir", "serve", project, "--output", output, "--port", "0")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip().splitlines()[-1] == f"error: {output}: cannot make the output folder: permission denied"


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(_root() or os.name == "nt", reason="as root (or on Windows) a folder's mode stops no write; "
                                                       "the simulated cases above stand for it")
def test_a_read_only_parent_folder_really(published):
    project, output, digest = published
    os.chmod(output.parent, 0o555)
    try:
        run = build(project, output)
    finally:
        os.chmod(output.parent, 0o755)
    _one_line(run, f"error: {output.parent / f'.{output.name}.lock'}: cannot create the build lock: "
                   "permission denied")
    _untouched(output, digest)


def _chattr(flag: str, path: Path) -> bool:
    tool = shutil.which("chattr")
    return tool is not None and subprocess.run([tool, flag, str(path)], capture_output=True).returncode == 0


def test_an_immutable_output_folder_really(published):
    """`chattr +i` (root, on a file system that has it): the site cannot be swapped out."""
    project, output, digest = published
    if not _chattr("+i", output):
        pytest.skip("chattr +i is not available here (needs root and a file system with the flag)")
    try:
        run = build(project, output)
    finally:
        _chattr("-i", output)
    _one_line(run, f"error: {output}: cannot write the site: operation not permitted (is the folder protected or "
                   "immutable?)")
    _untouched(output, digest)
