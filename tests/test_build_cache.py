"""`sitegen build` keeps a content-hash cache in the project: a second build redoes only what changed."""

from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import REPO, run_cli, tree_digest, write

from sitegen.build import BuildOptions, build
from sitegen.build.cache import BuildCache
from sitegen.build.plan import digest
from sitegen.build.stage import Stage, write_site
from sitegen.build.writer import MARKER, file_stamp
from sitegen.errors import SitegenError
from sitegen.render.files import OutputFile
from sitegen.storage import RACY_NS, build_cache


def test_second_build_with_nothing_changed_reuses_everything(demo_project, tmp_path):
    first = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert first.work["reports computed"] == 9
    page = tmp_path / "out/harbor-coffee/2026-10/index.html"
    inode = page.stat().st_ino
    before = tree_digest(tmp_path / "out")
    again = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert dict(again.work) == {} and again.explain == []
    assert tree_digest(tmp_path / "out") == before
    assert page.stat().st_ino == inode  # unchanged files are hard-linked into the new site, not rewritten
    assert (build_cache(demo_project) / "client-harbor-coffee.pickle").is_file()
    fresh = build(demo_project, BuildOptions(output=tmp_path / "fresh", use_cache=False))
    assert fresh.work["reports computed"] == 9 and tree_digest(tmp_path / "fresh") == before


def test_a_build_that_changed_nothing_leaves_the_published_site_in_place(demo_project, tmp_path):
    out = tmp_path / "out"
    build(demo_project, BuildOptions(output=out))
    folder, marker = out.stat(), (out / MARKER).stat()
    again = build(demo_project, BuildOptions(output=out))
    assert dict(again.work) == {}
    assert (out.stat().st_ino, (out / MARKER).stat().st_mtime_ns) == (folder.st_ino, marker.st_mtime_ns)
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left beside it


def test_anything_else_in_the_output_goes_with_the_next_build(demo_project, tmp_path):
    out = tmp_path / "out"
    build(demo_project, BuildOptions(output=out))
    expected = tree_digest(out)
    write(out / "harbor-coffee/stray.html", "not built by sitegen")
    build(demo_project, BuildOptions(output=out))
    assert tree_digest(out) == expected
    (out / "empty").mkdir()
    build(demo_project, BuildOptions(output=out))
    assert not (out / "empty").exists() and tree_digest(out) == expected


def test_pages_rendered_again_to_the_same_bytes_keep_the_site_and_are_linked_next_time(demo_project, tmp_path):
    out = tmp_path / "out"
    card = write(demo_project / "themes/default/templates/partials/kpi_card.html",
                 (REPO / "themes/default/templates/partials/kpi_card.html").read_text(encoding="utf-8"))
    build(demo_project, BuildOptions(output=out))
    page = out / "harbor-coffee/2026-10/index.html"
    folder, inode = out.stat().st_ino, page.stat().st_ino
    card.write_text(card.read_text(encoding="utf-8") + "{# a comment: the same pages #}\n", encoding="utf-8")
    again = build(demo_project, BuildOptions(output=out))
    assert again.work["pages rendered"] == 9
    assert (out.stat().st_ino, page.stat().st_ino) == (folder, inode)
    third = build(demo_project, BuildOptions(output=out))  # the cache took the published pages' stamps
    assert dict(third.work) == {} and page.stat().st_ino == inode


def test_a_published_file_gone_during_the_build_stops_it(tmp_path):
    out = tmp_path / "out"
    write_site([OutputFile("a.html", b"a"), OutputFile("b.html", b"b")], out)
    stage = Stage(out)
    assert stage.link({"a.html": file_stamp(out / "a.html")})
    (out / "a.html").unlink()
    with pytest.raises(SitegenError, match="changed during the build"):
        stage.add([OutputFile("c.html", b"c")])
    stage.discard()
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "b.html"]


def test_one_clients_data_rebuilds_that_client_only(demo_project, tmp_path):
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    data = demo_project / "content/harbor-coffee/data/ads-2026-10.csv"
    lines = data.read_text().splitlines()
    head, _, _ = lines[-1].rpartition(",")
    data.write_text("\n".join([*lines[:-1], f"{head},12.34"]) + "\n")
    shutil.copytree(tmp_path / "out", tmp_path / "fresh")  # the fresh build compares with the same published site
    result = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert result.work["data loaded"] == 1 and result.work["reports computed"] == 3
    assert result.explain == ["harbor-coffee: its data files changed: loading them and recomputing every report"]
    assert result.changes and all(line.startswith("harbor-coffee/2026-10: ") for line in result.changes)
    assert tree_digest(tmp_path / "out") == tree_digest(_fresh(demo_project, tmp_path))


def test_template_change_rerenders_without_recomputing(demo_project, tmp_path):
    theme = demo_project / "themes/default/templates/partials"
    theme.mkdir(parents=True)
    (theme / "alerts.html").write_text('<ul class="alerts"></ul>\n')
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    (theme / "alerts.html").write_text('<ul class="alerts mine"></ul>\n')
    result = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert result.work["pages rendered"] == 9 and "reports computed" not in result.work
    assert all("its text or the templates changed" in line for line in result.explain)
    # pages rendered from the numbers read back from the cache on disk are the pages of a fresh build
    assert tree_digest(tmp_path / "out") == tree_digest(_fresh(demo_project, tmp_path))


def test_a_page_made_where_a_cached_one_was_freed_is_not_taken_for_it():
    """Files read from the cache are linked from the output instead of written. A page rendered after a cached
    one was freed can get its address (its id): it must be written, or the site keeps the old page (this
    happened to one page in five of test_template_change_rerenders_without_recomputing on a busy machine)."""
    cache = BuildCache()
    olds = [OutputFile(f"client/{n}/index.html", b"old") for n in range(50)]
    cache.unread["client"] = functools.partial(SimpleNamespace, files=olds)  # full() reads it once
    stored = [cache.is_stored(f) for f in cache.full("client").files]
    freed = {id(f) for f in olds}
    paths = [f"client/{n}/index.html" for n in range(2000)]  # made first: only the files take freed blocks
    del olds
    cache.clients.clear()  # the last reference: the cached files are freed here
    news = [OutputFile(path, b"new") for path in paths]
    assert stored == [True] * 50
    assert any(id(f) in freed for f in news)  # CPython gave some of them a freed page's address
    assert not any(cache.is_stored(f) for f in news)


def test_a_damaged_or_foreign_cache_is_ignored(demo_project, tmp_path):
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    pickle = build_cache(demo_project) / "client-harbor-coffee.pickle"
    data = bytearray(pickle.read_bytes())
    data[-10] ^= 0xFF  # not signed by this user's key any more
    pickle.write_bytes(bytes(data))
    (build_cache(demo_project) / "client-fjord-outdoor.pickle").write_bytes(b"garbage")
    result = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert result.work["data loaded"] == 2
    assert tree_digest(tmp_path / "out") == tree_digest(_fresh(demo_project, tmp_path))


def test_only_some_clients_keep_the_others_cached(demo_project, tmp_path):
    build(demo_project, BuildOptions(output=tmp_path / "all"))
    one = build(demo_project, BuildOptions(output=tmp_path / "one", clients=["harbor-coffee"]))
    assert dict(one.work) == {}
    assert dict(build(demo_project, BuildOptions(output=tmp_path / "all")).work) == {}


def test_explain_on_the_command_line(demo_project, tmp_path):
    assert run_cli("build", demo_project, "--output", tmp_path / "out", "-q").returncode == 0
    report = demo_project / "content/nordlicht-kosmetik/2026-09.md"
    report.write_text(report.read_text() + "\nOne more line.\n")
    run = run_cli("build", demo_project, "--output", tmp_path / "out", "-q", "--explain")
    assert run.returncode == 0
    assert run.stdout == ("rebuilt nordlicht-kosmetik: 2026-09.md: its text or the templates changed: "
                          "page rendered from cached numbers\n")
    run = run_cli("build", demo_project, "--output", tmp_path / "out", "-q", "--explain")
    assert run.stdout == "rebuilt nothing changed: every page came from the cache\n"


def test_cache_keys_are_the_same_in_every_process():
    """A key must not depend on the interpreter's hash seed (sets pickle in a seed-dependent order)."""
    import subprocess
    import sys

    code = ("from sitegen.build.plan import digest; from sitegen.project.settings import SiteConfig; "
            "print(digest(SiteConfig(), {'b', 'a', 'c'}, frozenset({'x', 'y'})))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in (1, 2, 3)}
    assert len(seen) == 1 and len(next(iter(seen)).strip()) == 32
    assert digest({"a", "b"}) == digest({"b", "a"})


def _settle(folder: Path) -> None:
    """Wait until the files under `folder` are older than RACY_NS: a file's hash is remembered only then."""
    newest = max(max(p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in folder.rglob("*") if p.is_file())
    time.sleep(max(0.0, (newest + RACY_NS - time.time_ns()) / 1e9 + 0.05))


def _fresh(project: Path, tmp_path: Path) -> Path:
    build(project, BuildOptions(output=tmp_path / "fresh", use_cache=False))
    return tmp_path / "fresh"


def test_unchanged_clients_are_linked_by_name_and_their_pages_read_only_when_needed(demo_project, tmp_path):
    """A client with nothing changed is linked from the output by file name; its cached pages (the
    `.body` file) are read only when a file has to be written, and a damaged body means a rebuild."""
    out = tmp_path / "out"
    build(demo_project, BuildOptions(output=out))
    before = tree_digest(out)
    gone = out / "harbor-coffee/2026-10/kpis.json"
    gone.unlink()  # the output lost a file: the client's pages are read from its body and written
    again = build(demo_project, BuildOptions(output=out))
    assert dict(again.work) == {} and tree_digest(out) == before
    (build_cache(demo_project) / "client-harbor-coffee.body").write_bytes(b"garbage")
    gone.unlink()
    result = build(demo_project, BuildOptions(output=out))
    assert result.work["reports computed"] == 3 and tree_digest(out) == before
    assert result.explain == ["harbor-coffee: its cached pages could not be read: built again"]
    assert dict(build(demo_project, BuildOptions(output=out)).work) == {}  # and the rebuilt client is cached again


def test_pool_workers_write_their_pages_and_cache_and_later_builds_reuse_them(tmp_path):
    from sitegen.demo import generate_many
    generate_many(tmp_path / "p", 3, 2)
    expected = tmp_path / "expected"
    build(tmp_path / "p", BuildOptions(output=expected, jobs=1, use_cache=False))
    first = build(tmp_path / "p", BuildOptions(output=tmp_path / "out", jobs=2))  # the workers write pages and cache
    assert first.work["reports computed"] == 6 and first.files == len(tree_digest(expected)) - 1  # (not the marker)
    assert sorted(p.name for p in build_cache(tmp_path / "p").glob("client-*")) == [
        f"client-client-000{i}.{kind}" for i in (1, 2, 3) for kind in ("body", "pickle")]
    for output in ("other", "out"):  # from the cached pages, then linked from the current site
        again = build(tmp_path / "p", BuildOptions(output=tmp_path / output, jobs=2))
        assert dict(again.work) == {} and tree_digest(tmp_path / output) == tree_digest(expected)
    assert tree_digest(tmp_path / "out") == tree_digest(expected)


def test_workers_work_out_new_clients_keys_and_the_next_build_hashes_no_data_file(tmp_path, monkeypatch):
    """A client the cache has never seen gets its keys from the worker that builds it (PlanLater): the same keys
    the parent would make, and its file hashes come back, so the next build only stats the data files."""
    from sitegen.build import cache_disk, plan
    from sitegen.demo import generate_many
    from sitegen.errors import Diagnostics
    from sitegen.i18n import language
    from sitegen.project.discover import discover
    from sitegen.render.palette import client_palette
    from sitegen.render.themes import page_environment, resolve_theme

    generate_many(tmp_path / "p", 3, 2)
    _settle(tmp_path / "p")
    build(tmp_path / "p", BuildOptions(output=tmp_path / "out", jobs=2))
    stored = cache_disk.load(build_cache(tmp_path / "p"))
    project = discover(tmp_path / "p", Diagnostics())
    theme = resolve_theme(project.root, project.site.theme, project.site.theme_variables)
    here = BuildCache()
    templates = here.template_keys(page_environment(theme, language(project.site.locale)), theme)
    for client in project.clients:
        assert stored.clients[client.slug].plan == here.plan(project, client, templates, client_palette(client))
        for path in client.data_dir.iterdir():
            assert str(path) in stored.files.known
    opened = []

    def recording_open(path, *args, **kwargs):
        opened.append(str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(plan, "open", recording_open, raising=False)  # what FileDigests.of reads to hash
    again = build(tmp_path / "p", BuildOptions(output=tmp_path / "out", jobs=2))
    assert dict(again.work) == {}
    assert not [p for p in opened if "/data/" in p]


def test_a_data_file_rewritten_with_its_size_and_mtime_kept_is_read_again(demo_project, tmp_path):
    """cp -p, touch -r and rsync -a --inplace keep a file's size and mtime (and rewriting in place its inode);
    its ctime still changes, and the build sees the new numbers."""
    data = demo_project / "content/harbor-coffee/data/account-2026-10.csv"
    _settle(demo_project)
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    before = data.stat()
    text = data.read_text()
    line = next(row for row in text.splitlines() if row.startswith("2026-10-02,"))
    cells = line.split(",")
    cells[2] = cells[2][:-1] + str((int(cells[2][-1]) + 1) % 10)  # new followers, one more (or 9 fewer)
    new = text.replace(line, ",".join(cells))
    assert new != text and len(new) == len(text)
    time.sleep(0.05)  # (a ctime of its own, on any file system's clock)
    with open(data, "r+") as handle:  # in place: the same inode
        handle.write(new)
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (data.stat().st_size, data.stat().st_mtime_ns, data.stat().st_ino) == \
        (before.st_size, before.st_mtime_ns, before.st_ino)
    result = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert result.work["data loaded"] == 1
    assert tree_digest(tmp_path / "out") == tree_digest(_fresh(demo_project, tmp_path))


def test_a_cache_that_could_not_be_written_does_not_vouch_for_the_output(demo_project, tmp_path, monkeypatch):
    """A client's cache not written (a full disk) leaves its older cache in place: the next build must not take
    the output for the pages that cache describes, or undoing the edit would keep the edited page."""
    from sitegen.build import cache_disk as cache_store

    report = demo_project / "content/harbor-coffee/2026-10.md"
    original = report.read_text()
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    report.write_text(original + "\\nAn experiment.\\n")
    real = cache_store._dump

    def disk_full_for_harbor(path, value, key, *codec):
        if "harbor" in path.name:
            raise OSError(28, "No space left on device")
        return real(path, value, key, *codec)

    monkeypatch.setattr(cache_store, "_dump", disk_full_for_harbor)
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert b"An experiment." in (tmp_path / "out/harbor-coffee/2026-10/index.html").read_bytes()
    monkeypatch.setattr(cache_store, "_dump", real)
    report.write_text(original)
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert tree_digest(tmp_path / "out") == tree_digest(_fresh(demo_project, tmp_path))


def test_a_page_changed_in_the_output_is_not_linked_into_the_next_site(demo_project, tmp_path):
    """An unchanged client's pages are linked from the output only if they are still the files the build wrote
    (size, mtime, inode): a page edited in place, or replaced (sed -i, a post-processing step, `sitegen serve`
    previewing an edit), is written again from the cache."""
    out = tmp_path / "out"
    build(demo_project, BuildOptions(output=out))
    edited, replaced = out / "harbor-coffee/2026-10/index.html", out / "fjord-outdoor/2026-09/kpis.json"
    with open(edited, "r+b") as handle:  # in place, the same size and inode
        handle.write(b"<!-- ")
    replaced.with_suffix(".new").write_bytes(replaced.read_bytes().replace(b"{", b"{ ", 1))
    os.replace(replaced.with_suffix(".new"), replaced)
    result = build(demo_project, BuildOptions(output=out))
    assert dict(result.work) == {}  # nothing to recompute: the cached pages are written instead
    assert tree_digest(out) == tree_digest(_fresh(demo_project, tmp_path))


def test_a_cache_written_by_other_code_is_not_read(demo_project, tmp_path, monkeypatch):
    """A change to sitegen's code (a development install keeps its version number) means a full build."""
    from sitegen.build import cache_disk as cache_store

    build(demo_project, BuildOptions(output=tmp_path / "out"))
    monkeypatch.setattr(cache_store, "code_fingerprint", lambda: "other code")
    cache_store._schema.cache_clear()
    try:
        assert build(demo_project, BuildOptions(output=tmp_path / "out")).work["data loaded"] == 3
    finally:
        monkeypatch.undo()
        cache_store._schema.cache_clear()


def test_a_template_rewritten_within_its_mtime_is_compiled_again(demo_project, tmp_path):
    """A build that keeps its cache in memory (sitegen serve) reuses its Jinja environments, which reload a
    template when its mtime changes; a template saved twice within one tick of the clock keeps its mtime."""
    theme = demo_project / "themes/default/templates/partials"
    theme.mkdir(parents=True)
    alerts = theme / "alerts.html"
    alerts.write_text('<ul class="alerts"></ul>\n')
    kept = BuildCache()
    build(demo_project, BuildOptions(output=tmp_path / "out"), cache=kept)
    mtime = alerts.stat().st_mtime_ns
    alerts.write_text('<ul class="alerts mine"></ul>\n')
    os.utime(alerts, ns=(mtime, mtime))
    assert build(demo_project, BuildOptions(output=tmp_path / "out"), cache=kept).work["pages rendered"] == 9
    pages = [p.read_bytes() for p in (tmp_path / "out").glob("*/*/index.html")]
    assert len(pages) == 9
    assert all(b'<ul class="alerts mine">' in page and b'<ul class="alerts">' not in page for page in pages)


def test_hidden_folders_in_data_are_not_data(demo_project, tmp_path):
    """A .git (or an editor's) folder inside data/ is neither loaded nor a reason to rebuild, as the watcher of
    sitegen serve ignores it too."""
    data = demo_project / "content/harbor-coffee/data"
    first = build(demo_project, BuildOptions(output=tmp_path / "out"))
    hidden = data / ".git" / "objects"
    hidden.mkdir(parents=True)
    (hidden / "account-2026-10.csv").write_bytes((data / "account-2026-10.csv").read_bytes())
    (hidden / "pack").write_bytes(b"\x00\x01 not a data file")
    again = build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert dict(again.work) == {} and again.warnings == first.warnings
    assert build(demo_project, BuildOptions(output=tmp_path / "fresh", use_cache=False)).warnings == first.warnings


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_pages_written_again_from_the_cache_are_linked_by_the_build_after(demo_project, tmp_path):
    """An unchanged client whose pages had to be written (one was edited in the output, or the last build went
    to another folder) is linked again from the next build on: the cache learns the new files' stamps."""
    out = tmp_path / "out"
    build(demo_project, BuildOptions(output=out))
    build(demo_project, BuildOptions(output=tmp_path / "elsewhere"))  # the cache now vouches for that folder
    with open(out / "harbor-coffee/2026-10/index.html", "r+b") as handle:
        handle.write(b"<!-- ")
    # every page written (another folder last time), the edited one restored
    build(demo_project, BuildOptions(output=out))
    written = _inodes(out)
    again = build(demo_project, BuildOptions(output=out))
    assert dict(again.work) == {}
    reports = {path: inode for path, inode in written.items() if path.startswith(("harbor", "fjord", "nordlicht"))}
    assert len(reports) >= 27 and {p: _inodes(out)[p] for p in reports} == reports  # linked: the same files
    assert tree_digest(out) == tree_digest(_fresh(demo_project, tmp_path))
