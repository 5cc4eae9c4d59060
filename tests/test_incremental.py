"""The build cache of `sitegen serve`: an edit redoes only what depends on it, and the site it writes is
byte for byte the site a build from scratch writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build
from sitegen.build.cache import BuildCache
from sitegen.build.plan import FileDigests
from sitegen.build.writer import MARKER
from sitegen.demo import generate_many
from sitegen.errors import SitegenError
from sitegen.serve.live_site import LiveSite

REPO = Path(__file__).resolve().parents[1]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate_many(root, 2, 3)
    return root


class Live:
    """A project with a cache and an in-place writer, as `sitegen serve` builds it."""

    def __init__(self, source: Path, tmp: Path):
        self.root = tmp / "project"
        shutil.copytree(source, self.root)
        self.output = self.root / "output"
        self.cache, self.site = BuildCache(), LiveSite(self.output)
        self.first = self.build()

    def build(self, changed=()):
        self.cache.forget(changed)
        # the site before this build: the fresh build compares with the same published figures
        self.previous = self.root.parent / "previous"
        shutil.rmtree(self.previous, ignore_errors=True)
        if self.output.is_dir():
            shutil.copytree(self.output, self.previous)
        return build(self.root, BuildOptions(output=self.output), cache=self.cache, writer=self.site)

    def assert_same_as_fresh(self, tmp: Path) -> None:
        fresh = tmp / "fresh"
        if self.previous.is_dir():
            shutil.copytree(self.previous, fresh)
        build(self.root, BuildOptions(output=fresh))
        assert tree(self.output) == tree(fresh)


@pytest.fixture
def live(generated, tmp_path) -> Live:
    return Live(generated, tmp_path)


def reports(live: Live) -> list[Path]:
    return sorted((live.root / "content").glob("*/*.md"))


def test_nothing_changed_redoes_nothing(live):
    again = live.build()
    assert dict(again.work) == {}
    assert again.timings.get("load", 0) == again.timings.get("kpis", 0) == 0


def test_commentary_edit_renders_one_page_from_cached_numbers(live, tmp_path):
    report = reports(live)[0]
    report.write_text(report.read_text() + "\nA new closing line.\n")
    result = live.build()
    assert dict(result.work) == {"pages rendered": 1}  # the client's index lists titles, not text
    page = live.output / report.parent.name / report.stem / "index.html"
    assert "A new closing line." in page.read_text()
    report.write_text(report.read_text().replace("title: ", "title: Renamed ", 1))
    assert dict(live.build().work) == {"pages rendered": 1, "client pages rendered": 1}
    assert "Renamed" in (live.output / report.parent.name / "index.html").read_text()
    live.assert_same_as_fresh(tmp_path)


def test_touched_but_unchanged_file_rebuilds_nothing(live):
    for path in [*reports(live), *(live.root / "content").glob("*/data/*")]:
        os.utime(path, ns=(1, 1))
    assert dict(live.build().work) == {}


def test_same_size_same_mtime_edit_is_seen_when_the_watcher_names_it(live, tmp_path):
    report = reports(live)[0]
    text = report.read_text()
    st = report.stat()
    edited = text.replace("the", "THE", 1)
    assert edited != text and len(edited) == len(text)
    report.write_text(edited)
    os.utime(report, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert live.build(changed=[str(report)]).work["pages rendered"] == 1
    data = next((live.root / "content").glob("*/data/ads-*.csv"))
    st = data.stat()
    content = data.read_bytes()
    data.write_bytes(content.replace(b"1", b"2", 1))
    os.utime(data, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert live.build(changed=[str(data)]).work["data loaded"] == 1
    live.assert_same_as_fresh(tmp_path)


def test_period_change_recomputes_one_report_without_reloading(live, tmp_path):
    report = reports(live)[0]
    report.write_text(report.read_text().replace("---\n", "---\ncomparison: none\n", 1))
    result = live.build()
    assert result.work["reports computed"] == 1 and result.work["pages rendered"] == 1
    assert "data loaded" not in result.work  # the client's loaded data is still in memory
    live.assert_same_as_fresh(tmp_path)


def test_new_data_recomputes_that_client_only(live, tmp_path):
    clients = sorted(p for p in (live.root / "content").iterdir() if p.is_dir())
    data = sorted((clients[0] / "data").glob("ads-*.csv"))[-1]
    lines = data.read_text().splitlines()
    data.write_text("\n".join([*lines[:-1], lines[-1].replace(lines[-1].split(",")[-1], "0")]) + "\n")
    result = live.build()
    per_client = len(list(clients[0].glob("*.md")))
    assert result.work["data loaded"] == 1
    assert result.work["reports computed"] == result.work["pages rendered"] == per_client
    assert result.work["client pages rendered"] == 1  # its trends show the reports' numbers
    live.assert_same_as_fresh(tmp_path)


def test_a_reports_new_numbers_render_its_client_page_again(live, tmp_path):
    report = reports(live)[0]
    page = live.output / report.parent.name / "index.html"
    before = page.read_text()
    report.write_text(report.read_text().replace("---\n", "---\ntargets:\n  likes: 1\n", 1))
    result = live.build()
    assert dict(result.work) == {"reports computed": 1, "pages rendered": 1, "client pages rendered": 1}
    assert page.read_text() != before  # the table of periods: the target the report now has
    live.assert_same_as_fresh(tmp_path)


def test_template_change_rerenders_pages_but_not_numbers(live, tmp_path):
    theme = live.root / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    shutil.copy(REPO / "themes/default/templates/report.html", theme / "report.html")
    live.build()  # a new theme folder can override anything: everything is rendered again once
    source = (theme / "report.html").read_text()
    assert '<article class="report">' in source
    (theme / "report.html").write_text(source.replace('<article class="report">', '<article class="report custom">'))
    result = live.build()
    assert result.work["pages rendered"] == 6 and "reports computed" not in result.work
    assert "client pages rendered" not in result.work  # client.html did not change
    assert all('class="report custom"' in p.read_text() for p in live.output.glob("*/*/index.html"))
    # an included partial is a dependency too
    partials = theme / "partials"
    partials.mkdir()
    shutil.copy(REPO / "themes/default/templates/partials/kpi_card.html", partials / "kpi_card.html")
    (partials / "kpi_card.html").write_text((partials / "kpi_card.html").read_text() + "<!-- card -->")
    assert live.build().work["pages rendered"] == 6
    live.assert_same_as_fresh(tmp_path)


def test_static_file_change_renders_no_page(live):
    static = live.root / "themes" / "default" / "static"
    static.mkdir(parents=True)
    (static / "extra.css").write_text("p { margin: 0 }")
    live.build()  # a new theme folder can override anything: everything is rendered again once
    (static / "style.css").write_text("body { color: red }")
    result = live.build()
    assert dict(result.work) == {}
    assert (live.output / "assets/style.css").read_text() == "body { color: red }"


def test_site_config_change_rebuilds_everything(live, tmp_path):
    config = live.root / "sitegen.toml"
    config.write_text(config.read_text().replace('title = "', 'title = "New '))
    result = live.build()
    assert result.work["reports computed"] == result.work["pages rendered"] == 6
    assert "New " in (live.output / "index.html").read_text()
    live.assert_same_as_fresh(tmp_path)


def test_new_and_deleted_clients_and_reports(live, tmp_path):
    clients = sorted(p for p in (live.root / "content").iterdir() if p.is_dir())
    shutil.copytree(clients[0], live.root / "content" / "newcomer")
    (live.root / "content/newcomer/client.toml").write_text('name = "Newcomer"\n')
    result = live.build()
    assert result.work["data loaded"] == 1 and (live.output / "newcomer/index.html").is_file()
    gone = sorted(clients[1].glob("*.md"))[0]
    gone.unlink()
    live.build()
    assert not (live.output / clients[1].name / gone.stem).exists()
    shutil.rmtree(clients[1])
    live.build()
    assert not (live.output / clients[1].name).exists()
    live.assert_same_as_fresh(tmp_path)


def test_failed_build_keeps_the_site_and_the_next_good_build_recovers(live, tmp_path):
    before = tree(live.output)
    report = reports(live)[0]
    good = report.read_text()
    assert 'period: "2026-' in good
    report.write_text(good.replace('period: "2026-', 'period: "not-a-month', 1))
    with pytest.raises(SitegenError):
        live.build()
    assert tree(live.output) == before
    report.write_text(good + "\nFixed.\n")
    assert live.build().work["pages rendered"] == 1
    live.assert_same_as_fresh(tmp_path)


def test_template_error_page_is_not_cached_as_empty(live, tmp_path):
    report = reports(live)[0]
    good = report.read_text()
    report.write_text(good + '\n{{ chart("no_such_chart") }}\n')
    with pytest.raises(SitegenError):
        live.build()
    report.write_text(good)  # back to the text of the cached page
    live.build()
    live.assert_same_as_fresh(tmp_path)


def test_live_site_writes_only_changed_files(tmp_path):
    from sitegen.render.files import OutputFile

    def publish(files: list[OutputFile]) -> None:
        site.add(files)
        site.commit()

    output = tmp_path / "out"
    site = LiveSite(output)
    publish([OutputFile("a/index.html", b"one"), OutputFile("b/x.json", b"x")])
    assert (output / MARKER).is_file()
    inode = (output / "b/x.json").stat().st_ino
    publish([OutputFile("a/index.html", b"two"), OutputFile("b/x.json", b"x"), OutputFile("c/new.csv", b"n")])
    assert (output / "a/index.html").read_bytes() == b"two" and (output / "c/new.csv").read_bytes() == b"n"
    assert (output / "b/x.json").stat().st_ino == inode  # untouched
    publish([OutputFile("a/index.html", b"two")])
    assert not (output / "b").exists() and not (output / "c").exists()
    assert sorted(p.name for p in output.iterdir()) == [MARKER, "a"]  # no temp files left
    with pytest.raises(SitegenError):
        site.add([OutputFile("../escape.html", b"x")])
    site.add([OutputFile("a/index.html", b"three")])
    site.discard()  # a failed build: nothing it added is published, and the next build starts afresh
    publish([OutputFile("a/index.html", b"two")])
    assert (output / "a/index.html").read_bytes() == b"two"


def test_file_digests_follow_content_not_mtime(tmp_path):
    digests = FileDigests()
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n")
    first = digests.of(path)
    os.utime(path, ns=(5, 5))
    assert digests.of(path) == first
    path.write_text("a,b\n1,3\n")
    assert digests.of(path) != first
    assert digests.of(tmp_path / "missing.csv") == "missing"
