"""After any kind of edit, an incremental build writes byte for byte the site a build from scratch writes: with
the build cache on disk (`sitegen build`) and with the one `sitegen serve` keeps in memory, for every source
a project has (data, commentary, each front-matter key, client.toml, sitegen.toml, the index page, a theme's
template and static file, a branding file). Each edit must change the site: a test that cannot fail is none."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import write

from sitegen.build import BuildOptions, build
from sitegen.build.cache import BuildCache
from sitegen.demo import generate_many
from sitegen.serve.live_site import LiveSite

CLIENT = "content/client-0001"
REPORT = f"{CLIENT}/2026-10.md"


def _replace(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        (root / rel).write_text(text.replace(old, new, count), encoding="utf-8")
    return edit


def _front(key_and_value: str) -> Callable[[Path], None]:
    """A front-matter line added to (or replacing a line of) the report."""
    key = key_and_value.split(":", 1)[0]

    def edit(root: Path) -> None:
        lines = (root / REPORT).read_text(encoding="utf-8").split("\n")
        end = lines.index("---", 1)
        kept = [line for line in lines[1:end] if not line.startswith(f"{key}:")]
        (root / REPORT).write_text("\n".join(["---", *kept, key_and_value, *lines[end:]]), encoding="utf-8")
    return edit


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / rel
        write(path, (path.read_text(encoding="utf-8") if path.exists() else "") + text)
    return edit


def _setting(line: str) -> Callable[[Path], None]:
    """A top-level setting of sitegen.toml (above its first table)."""
    def edit(root: Path) -> None:
        path = root / "sitegen.toml"
        path.write_text(line + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return edit


def _theme_file(rel: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    """A file of the built-in default theme, copied into the project's themes/default/ and changed there."""
    def edit(root: Path) -> None:
        from sitegen.render.themes import builtin_themes

        text = (builtin_themes() / "default" / rel).read_text(encoding="utf-8")
        write(root / "themes" / "default" / rel, change(text))
    return edit


def _new_data_file(root: Path) -> None:
    write(root / CLIENT / "data" / "ads-extra.csv", "date,campaign,spend,likes\n2026-10-05,Extra push,12.50,40\n")


def _delete_data_file(root: Path) -> None:
    next((root / CLIENT / "data").glob("hashtags-2026-10.csv")).unlink()


def _logo(root: Path) -> None:
    write(root / CLIENT / "logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    _append(f"{CLIENT}/client.toml", 'logo = "logo.svg"\n')(root)


EDITS: dict[str, Callable[[Path], None]] = {
    "data file edited": lambda root: (root / CLIENT / "data" / "ads-2026-10.csv").write_text(
        (root / CLIENT / "data" / "ads-2026-10.csv").read_text().replace(",", ",1", 3)),
    "data file added": _new_data_file,
    "data file deleted": _delete_data_file,
    "report deleted": lambda root: (root / REPORT).unlink(),
    "client deleted": lambda root: shutil.rmtree(root / CLIENT),
    "commentary": _append(REPORT, "\nOne more line of commentary.\n"),
    "commentary macro": _append(REPORT, '\nROAS was {{ kpi("roas") }}.\n'),
    "front matter title": _front('title: "A new title"'),
    "front matter period": _front("period: {start: 2026-10-01, end: 2026-10-15}"),
    "front matter comparison": _front("comparison: previous_year"),
    "front matter sections": _front("sections: [summary, paid]"),
    "front matter slug": _front("slug: october"),
    "front matter summary_kpis": _front("summary_kpis: [spend, roas]"),
    "front matter targets": _front("targets: {roas: 9.5}"),
    "front matter draft": _front("draft: true"),
    "front matter client": _front("client: someone-else"),  # an error: the site stays as it was
    "new report": lambda root: write(root / CLIENT / "2026-07.md", '---\ntitle: "July"\n---\nJuly.\n'),
    "client.toml name": _append(f"{CLIENT}/client.toml", 'name = "Renamed Client"\n'),
    "client.toml targets": _append(f"{CLIENT}/client.toml", "[targets]\nroas = 3.0\n"),
    "client.toml alerts": _append(f"{CLIENT}/client.toml", "[alerts]\nlarge_change = 0.01\n"),
    "client.toml branding": _append(f"{CLIENT}/client.toml", '[branding]\naccent_color = "#123456"\n'),
    "client.toml locale": _append(f"{CLIENT}/client.toml", 'locale = "de_DE"\n'),
    "client.toml logo": _logo,
    "sitegen.toml title": _replace("sitegen.toml", 'title = "', 'title = "New: '),
    "sitegen.toml theme": _setting('theme = "dashboard"'),
    "sitegen.toml comparison": _setting('comparison = "none"'),
    "sitegen.toml summary_kpis": _setting('summary_kpis = ["likes", "roi"]'),
    "sitegen.toml sections": _setting('sections = ["summary", "community"]'),
    "sitegen.toml sanitize_commentary": _setting("sanitize_commentary = true"),
    "index page": lambda root: write(root / "content" / "index.md", "Our <b>clients</b>.\n"),
    "theme template": _theme_file("templates/partials/kpi_card.html", lambda t: t.replace("card-label", "card-name")),
    "theme static file": _theme_file("static/style.css", lambda t: t + "\n.card { outline: 1px solid; }\n"),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate_many(root, 2, 2)
    report = (root / REPORT).read_text().replace("{{ chart(", '{{ table("codes") }}{{ chart(', 1)
    write(root / REPORT, report + '\n<span onclick="alert(1)">HTML of the author\'s own</span>\n')
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _fresh(root: Path, tmp_path: Path, output: Path) -> dict[str, bytes] | None:
    """The site a build without any cache writes over a copy of `output` (whose record of published figures it
    reads), or None when the project has an error."""
    shutil.copytree(output, tmp_path / "fresh")
    try:
        build(root, BuildOptions(output=tmp_path / "fresh", use_cache=False))
    except Exception:
        return None
    return tree(tmp_path / "fresh")


@pytest.mark.parametrize("mode", ["sitegen build", "sitegen serve"])
@pytest.mark.parametrize("edit", EDITS)
def test_an_incremental_build_after_an_edit_is_a_fresh_build(generated, tmp_path, edit, mode):
    root, output = tmp_path / "project", tmp_path / "output"
    shutil.copytree(generated, root)
    cache, site = (BuildCache(), LiveSite(output)) if mode == "sitegen serve" else (None, None)

    def again() -> None:
        build(root, BuildOptions(output=output), cache=cache, writer=site)

    again()
    before = tree(output)
    EDITS[edit](root)
    fresh = _fresh(root, tmp_path, output)
    try:
        again()
    except Exception:
        assert fresh is None, "the incremental build failed where a fresh one succeeds"
        assert tree(output) == before  # a failed build leaves the site as it was
        return
    assert fresh is not None, "the incremental build succeeded where a fresh one fails"
    made = tree(output)
    assert [name for name in sorted(set(made) | set(fresh)) if made.get(name) != fresh.get(name)] == []
    assert fresh != before, "the edit changed nothing: the test would pass whatever the build did"
