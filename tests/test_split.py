"""Private per client: `--client SLUG` builds one client's site alone, `--split` one self-contained site
per client, and nothing in a client's site mentions another client."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from helpers import build as cli_build

from sitegen.build.writer import MARKER

CLIENTS = ("fjord-outdoor", "harbor-coffee", "nordlicht-kosmetik")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def secrets(project: Path, slug: str) -> set[str]:
    """Names only this client has: its name, slug and folder, and its campaign, video and code names."""
    folder = project / "content" / slug
    found = {slug, re.search(r'^name = "(.*)"', (folder / "client.toml").read_text(), re.M)[1]}
    for path in (folder / "data").glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                for column in ("campaign", "title", "code", "hashtag"):
                    if row.get(column) and len(row[column]) >= 6:
                        found.add(row[column])
    return found


def unique_secrets(project: Path) -> dict[str, set[str]]:
    every = {slug: secrets(project, slug) for slug in CLIENTS}
    return {slug: own - set().union(*(every[o] for o in CLIENTS if o != slug)) for slug, own in every.items()}


def html_escaped(text: str) -> list[bytes]:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    forms = {text, escaped, escaped.replace('"', "&#34;").replace("'", "&#39;")}
    return [f.encode() for f in forms] + [f.encode("unicode_escape") for f in forms if not f.isascii()]


def assert_private(site: Path, slug: str, others: dict[str, set[str]]) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for other, names in others.items():
            if other == slug:
                continue
            for name in names:
                assert not any(form in data for form in html_escaped(name)), f"{path} mentions {other}: {name!r}"


def assert_links_stay_inside(site: Path) -> None:
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), (page, link)
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert site.resolve() in target.parents, f"{page} links out of its site: {link}"
            assert target.is_file() or (target / "index.html").is_file(), f"{page}: broken link {link}"


@pytest.fixture(scope="module")
def split_site(tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("split")
    project = root / "demo"
    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "content", project / "content")
    shutil.copy(repo / "sitegen.toml", project / "sitegen.toml")
    run = cli_build(project, root / "out", "--split")
    assert run.returncode == 0, run.stderr
    return project, root / "out"


def test_split_writes_one_self_contained_site_per_client(split_site):
    project, out = split_site
    assert sorted(p.name for p in out.iterdir() if p.name != MARKER) == sorted(CLIENTS)
    for slug in CLIENTS:
        site = out / slug
        assert (site / "index.html").is_file() and (site / "assets/style.css").is_file()
        assert (site / "assets/vendor/vega-bundle.js").is_file()
        assert_links_stay_inside(site)
        assert "All clients" not in (site / "index.html").read_text()


def test_nothing_in_a_clients_site_mentions_another_client(split_site):
    project, out = split_site
    others = unique_secrets(project)
    assert all(len(names) >= 5 for names in others.values())  # the check has something to look for
    for slug in CLIENTS:
        assert_private(out / slug, slug, others)


def test_client_option_builds_one_client_alone(demo_project, tmp_path):
    run = cli_build(demo_project, tmp_path / "out", "--client", "harbor-coffee")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "assets", "harbor-coffee", "index.html"])
    assert_private(out, "harbor-coffee", unique_secrets(demo_project))
    assert_links_stay_inside(out)


def test_unknown_client_is_one_clear_error(demo_project, tmp_path):
    run = cli_build(demo_project, tmp_path / "out", "--client", "nobody")
    assert run.returncode == 2
    assert "unknown client 'nobody'; known clients: fjord-outdoor, harbor-coffee, nordlicht-kosmetik" in run.stderr
    assert not (tmp_path / "out").exists()
