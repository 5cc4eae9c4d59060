"""Each page's <title>, description and Open Graph tags: its client, period and three headline KPIs, escaped, and
never another client's name."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import build, make_project, write


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("name" in a or "property" in a):
            self.tags[a.get("property") or a["name"]] = a["content"]
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.tags["title"] = self.tags.get("title", "") + data

    def handle_endtag(self, tag):
        self._in_title = False


def head(page: Path) -> tuple[dict[str, str], str]:
    """The page's title and meta tags (unescaped), and its <head> as written."""
    html = page.read_text(encoding="utf-8")
    written = html.split("</head>")[0]
    parser = _Head()
    parser.feed(written)
    return parser.tags, written


ACME = 'name = "Acme \\"Q\\" & <Co>"\nlocale = "de_DE"\ncurrency = "EUR"\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("sharing") / "p", client_toml=ACME,
                        site_toml='title = "Agency"\nbase_url = "https://reports.example.com/r/"\n')
    shutil.copytree(root / "content" / "acme", root / "content" / "bravo")
    write(root / "content" / "bravo" / "client.toml", 'name = "Bravo Brews"\n')
    return root


@pytest.fixture(scope="module", params=["default", "dashboard"])
def site(project, tmp_path_factory, request):
    out = tmp_path_factory.mktemp("out")
    write(project / "sitegen.toml", f'title = "Agency"\nbase_url = "https://reports.example.com/r/"\n'
                                    f'theme = "{request.param}"\n')
    run = build(project, out)
    assert run.returncode == 0, run.stderr
    return out


def test_a_report_says_its_client_period_and_headline_kpis(site):
    tags, written = head(site / "acme" / "2026-10" / "index.html")
    assert tags["title"] == tags["og:title"] == 'October 2026 · Acme "Q" & <Co>'
    assert tags["description"] == tags["og:description"]
    assert tags["description"].startswith('Acme "Q" & <Co>, 01.10.2026 – 31.10.2026: Likes 1.600 · Views ')
    assert " · Engagement-Rate " in tags["description"] and tags["description"].count(" · ") == 2
    assert (tags["og:type"], tags["og:site_name"]) == ("article", "Agency")
    assert tags["og:url"] == "https://reports.example.com/r/acme/2026-10/"
    assert "Acme &#34;Q&#34; &amp; &lt;Co&gt;" in written and "<Co>" not in written  # escaped


def test_a_client_page_says_its_reports_and_the_latest_headline(site):
    tags, _ = head(site / "bravo" / "index.html")
    assert tags["title"] == tags["og:title"] == "Bravo Brews · Agency"
    assert tags["description"].startswith("Bravo Brews, reports Oct 1, 2026 – Oct 31, 2026. Latest, October 2026: "
                                           "Likes 1,600 · Views ")
    assert (tags["og:type"], tags["og:url"]) == ("website", "https://reports.example.com/r/bravo/")


def test_no_page_names_another_client(site):
    index, _ = head(site / "index.html")
    assert index["title"] == "Agency" and index["og:url"] == "https://reports.example.com/r/"
    assert not any("Acme" in v or "Bravo" in v for v in index.values())
    for page in site.rglob("*.html"):
        tags, _ = head(page)
        assert tags.keys() >= {"title", "description", "og:title", "og:description", "og:type", "og:site_name"}
        if "acme" in page.parts:
            assert not any("Bravo" in v for v in tags.values()), page
        if "bravo" in page.parts:
            assert not any("Acme" in v for v in tags.values()), page


def test_a_split_site_has_no_og_url_and_names_its_own_client(project, tmp_path):
    run = build(project, tmp_path / "out", "--split")
    assert run.returncode == 0, run.stderr
    for page in (tmp_path / "out" / "bravo").rglob("*.html"):
        tags, _ = head(page)
        assert "og:url" not in tags and "Bravo Brews" in tags["og:title"]
        assert not any("Acme" in v for v in tags.values())


def test_without_base_url_there_is_no_og_url(tmp_path):
    project = make_project(tmp_path / "p")
    assert build(project, tmp_path / "out").returncode == 0
    tags, _ = head(tmp_path / "out" / "acme" / "2026-10" / "index.html")
    assert "og:url" not in tags and tags["og:title"] == "October 2026 · acme"
