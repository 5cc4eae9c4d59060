"""Where sitegen keeps its caches, what identifies its code, and its one way of writing a file in one step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen import storage
from sitegen.build import BuildOptions, build


def test_caches_live_in_the_project_and_the_users_cache_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SITEGEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "project"
    assert storage.project_cache(project) == project / ".sitegen-cache"
    assert storage.build_cache(project) == project / ".sitegen-cache" / "build"
    assert storage.user_cache() == tmp_path / "xdg" / "sitegen"


def test_sitegen_cache_dir_moves_every_cache_the_build_cache_included(tmp_path, monkeypatch, demo_project):
    moved = tmp_path / "elsewhere"
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(moved))
    assert storage.user_cache() == moved and storage.project_cache(demo_project) == moved
    other = tmp_path / "other-project"
    assert storage.build_cache(demo_project).parent == storage.build_cache(other).parent == moved / "build"
    assert storage.build_cache(demo_project) != storage.build_cache(other)  # projects sharing it do not mix
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert not (demo_project / ".sitegen-cache").exists()
    assert sorted(p.name for p in storage.build_cache(demo_project).glob("client-*.pickle")) == [
        "client-fjord-outdoor.pickle", "client-harbor-coffee.pickle", "client-nordlicht-kosmetik.pickle"]
    assert list((moved / "svg").rglob("*.svg"))  # the demo draws static chart images
    assert dict(build(demo_project, BuildOptions(output=tmp_path / "out")).work) == {}


def test_the_code_fingerprint_is_the_packages_files(tmp_path):
    whole, data = storage.code_fingerprint(), storage.code_fingerprint("data")
    assert len(whole) == len(data) == 64 and whole != data
    assert storage.code_fingerprint("data") == data  # the same files, the same hash


def test_an_atomic_write_leaves_the_old_file_or_the_new_one_never_a_temporary_one(tmp_path):
    target = tmp_path / "deep" / "file.bin"
    storage.write_atomic(target, b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError), storage.atomic_file(target) as handle:
        handle.write(b"half")
        raise RuntimeError("killed half-way")
    assert target.read_bytes() == b"first"
    assert os.listdir(target.parent) == ["file.bin"]


def test_a_cache_file_that_cannot_be_written_only_costs_time(tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    storage.keep(blocked / "cache.bin", b"x")  # no error
    assert blocked.read_text() == "a file where a folder should be"


def test_temporary_files_are_complete_and_readable(tmp_path):
    temporary = storage.write_temporary(tmp_path / "page.html", b"<p>hi</p>")
    assert temporary.parent == tmp_path and temporary.name.startswith(".page.html.")
    assert temporary.read_bytes() == b"<p>hi</p>" and temporary.stat().st_mode & 0o777 == 0o644
    assert isinstance(temporary, Path)
