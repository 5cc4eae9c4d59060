"""Hostile data stays data.

A corpus of injection strings (markup, event handlers, `javascript:` URLs, broken markup, template syntax,
bidi and zero-width characters, path segments, control characters, quotes, entities, spreadsheet formulas,
SVG/MathML, comments, CDATA, homoglyphs, a 5,000-character name, ...) is written into every text column of
every data kind and into the client names of a small generated project, which the real CLI then builds.
The built site must show all of it as text: no element, attribute, script or style comes from the data
(pages, the JSON chart specs beside them, the static SVG charts, the browser's chart tooltips), template
syntax is not evaluated, and no file is written outside the output folder.

Commentary is the author's own and may hold HTML; `sanitize_commentary = true` in sitegen.toml cleans it
(tested at the end).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlparse

import pytest
from helpers import build, make_project
from loopback import CHROMIUM, chromium, serving
from markupsafe import escape
from tiny_data import TABLES

from sitegen.build.writer import MARKER
from sitegen.data.cells import CONTROLS
from sitegen.data.kinds import KINDS, TIME_COLUMN
from sitegen.demo import generate_many
from sitegen.project.model import slugify
from sitegen.render.markup import render_commentary

LONG = ("<img src=x onerror=alert(1)>" * 200)[:5000]  # 5,000 characters, ends in a broken tag

# Every string is accepted by every text and ID column. Left out: strings with surrounding spaces (a cell is
# read without them), the tokens sitegen reads as a missing value ("-", "N/A", "null", "undefined", "nan",
# "<5": a required text column would be missing), and XML_INVALID below.
CORPUS: tuple[str, ...] = (
    # script and event handlers
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"//evil.example/\">",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<form action=//evil.example><button>Go</button></form>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    # URLs
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    # broken markup, breaking out of attributes, elements and scripts
    "<div",
    "</div></td></tr></table><h1>broken",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "</script><script>alert(1)</script>",
    "</style><style>body{display:none}</style>",
    "<style>*{background:url(//evil.example/x)}</style>",
    "</title><script>alert(1)</script>",
    "</textarea><noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    # template syntax (Jinja, JS, Ruby, Angular), format strings, sitegen's own macro tokens
    "{{ 7*7 }}",
    "{% raw %}{{ config }}{% endraw %}",
    "{{ config }}",
    "{{ chart(\"likes_daily\") }}",
    "${7*7}",
    "#{7*7}",
    "{{constructor.constructor('alert(1)')()}}",
    "{subject} {value} %(period)s %s %d {0}",
    "sgmacro0x",
    "sgmacro999x",
    # bidi, zero-width, combining characters, homoglyphs, full-width brackets
    "\u202egnp.exe\u202c invoice",
    "zero\u200bwidth\ufeffjoin\u200dnon\u200cjoin",
    "Z\u0335\u0321\u0353a\u0336l\u0337g\u0338o\u0489",
    "\u0410\u0440\u0440\u04cf\u0435 \u0406n\u0441.",  # Cyrillic "Apple Inc."
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "line\u2028separator\u2029paragraph\u0085next line",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f3f3\ufe0f\u200d\U0001f308",
    LONG,
    # paths
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "C:\\Windows\\System32",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    # control characters that XML allows (see XML_INVALID for the others), line breaks
    "del\x7fnel\x85csi\x9bapc\x9f",
    "line\nbreak\r\nand\rreturn",
    "tab\there",
    # quotes and entities
    "'single' \"double\" `back` \u2018curly\u2019 \u201ccurly\u201d \u00abguillemets\u00bb \u201elow\u201c",
    "' OR '1'='1' --",
    "&amp;lt;script&amp;gt;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&nbsp;&copy;&#x3C;&unknown;",
    # spreadsheet formulas
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    # SVG, MathML, XML
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">alert(1)</x:script>",
    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><x>&xxe;</x>",
    "<!--",
    "--><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "]]>",
    # markdown, JSON and Vega syntax
    "**bold** [x](javascript:alert(1)) ![i](x)",
    "{\"signal\": \"alert(1)\"}",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "__proto__",
)

# C0 control characters other than tab and line breaks are not allowed in XML: vl-convert would abort the
# whole build (SIGABRT) on a chart label holding one, so chart_images.py replaces them; tested on their own below.
XML_INVALID = ("bell\x07back\x08esc\x1b[31mred\x1b[0m\x01\x02", "vt\x0bff\x0cfs\x1cus\x1f!")

REPORT = """\
---
title: "Report PERIOD"
period: "PERIOD"
---
The numbers, live: {{ kpi("likes") }} likes ({{ delta("likes") }}).

{{ table("alerts") }}

{{ table("campaigns") }}

Inline: {{ table("hashtags", limit=3) }} and {{ chart("top_videos") }}.

{{ table("codes") }}
"""

LONG_NAME = "</title><script>alert(\"client\")</script>{{ 7*7 }} \"Acme\" & 'Co' \u202e" + "x" * 5000
HOSTILE_FOLDER = "{{ 7*7 }} <svg onload=alert(2)> ${7*7} \u202eevil"  # a folder name, so no "/"
# generated folder -> (client name in client.toml, slug in client.toml, the folder it is renamed to)
CLIENTS = {
    "client-0001": (LONG_NAME, "../../etc/passwd", "client-0001"),
    "client-0002": (None, None, HOSTILE_FOLDER),  # no name: the folder's name is shown
}

# Columns whose values must keep pointing at each other: a video's ID in videos and community; campaign
# names, creator handles and the order sources that name them. Other columns get a new string on every row.
GROUPS = {("videos", "video_id"): "video", ("community", "video_id"): "video",
          ("ads", "campaign"): "name", ("orders", "source"): "name", ("videos", "creator"): "name"}
KEYED = {"video", "name", "videos.title", "orders.code"}
# ...and these take turns between a few strings, not a new one each row: each is a line in the hashtag chart,
# whose long labels take vl-convert seconds to measure
FEW = {"hashtags.hashtag": 3}
# Text columns shown in full in the report's tables (top and weakest videos are cut to their first rows).
IN_TABLES = ("ads.campaign", "orders.code", "orders.source", "hashtags.hashtag")


def text_columns() -> dict[str, list[str]]:
    """Every text and ID column of every data kind."""
    return {kind.name: [c for c, t in kind.columns.items() if t in ("text", "id")] for kind in KINDS.values()}


@dataclass
class Hostile:
    """Hands out corpus strings, and remembers where each went."""

    used: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    values: dict[tuple[str, str], str] = field(default_factory=dict)
    placed: list[tuple[str, str, str, str]] = field(default_factory=list)  # (folder, kind.column, month, text)

    def next(self, group: str) -> str:
        start = sum(map(ord, group)) % len(CORPUS)  # each column starts somewhere else in the corpus
        i = self.used[group]
        self.used[group] += 1
        text = CORPUS[(start + i) % len(CORPUS)]
        return text if i < len(CORPUS) else f"{text} #{i // len(CORPUS)}"  # still distinct once it wraps

    def cell(self, kind: str, column: str, value: str, row: int) -> str:
        group = GROUPS.get((kind, column), f"{kind}.{column}")
        if group in FEW:
            value = f"{value} {row % FEW[group]}"
        elif group not in KEYED:
            return self.next(group)
        if (group, value) not in self.values:
            self.values[group, value] = self.next(group)
        return self.values[group, value]

    def shown(self, folder: str, month: str) -> set[str]:
        """The texts in the report's tables, as loaded."""
        return {as_loaded(t) for f, column, m, t in self.placed if f == folder and m == month and column in IN_TABLES}


def rewrite_data(folder: Path, hostile: Hostile) -> None:
    """Every text column of every data file (added where the demo leaves it out, filled on a third of the
    rows where the demo leaves it empty) gets corpus strings."""
    columns = text_columns()
    for path in sorted((folder / "data").glob("*.csv")):
        kind = path.name.split("-")[0]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        names = list(rows[0]) + [c for c in columns[kind] if c not in rows[0]]
        for i, row in enumerate(rows):
            for column in columns[kind]:
                value = row.get(column) or ("" if column in rows[0] and i % 3 else "filled")
                if value:
                    row[column] = hostile.cell(kind, column, value, i)
                    hostile.placed.append((folder.name, f"{kind}.{column}", row[TIME_COLUMN[kind]][:7],
                                           row[column]))
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            writer.writerows(rows)


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML also wants DEL escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


@dataclass
class Site:
    root: Path
    output: Path
    hostile: Hostile
    clients: dict[str, tuple[str, str]]  # folder -> (name, slug)
    months: tuple[str, ...]
    created: set[str]  # paths that appeared outside the output folder and the caches

    def pages(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))

    def reports(self):
        """(folder, month, name, report folder) of every report."""
        for folder, (name, slug) in self.clients.items():
            for month in self.months:
                yield folder, month, name, self.output / slug / month


def make_hostile_project(root: Path) -> tuple[Hostile, dict[str, tuple[str, str]]]:
    """Two generated clients, two report months each, with hostile data and names and commentary that
    calls every kind of macro. Returns what was placed where and folder -> (client name, slug)."""
    generate_many(root, 2, 2)
    settings = root / "sitegen.toml"  # the static SVG charts draw the data too: check them as well
    settings.write_text("static_charts = true\n" + settings.read_text(encoding="utf-8"), encoding="utf-8")
    hostile, clients = Hostile(), {}
    content = root / "content"
    for generated, (name, slug, folder) in CLIENTS.items():
        (content / generated).rename(content / folder)
        path = content / folder
        config = re.sub(r"^name = .*\n", "", (path / "client.toml").read_text(encoding="utf-8"), flags=re.M)
        top = [f"{key} = {toml_string(value)}" for key, value in (("name", name), ("slug", slug)) if value]
        (path / "client.toml").write_text("\n".join(top) + "\n" + config, encoding="utf-8")
        assert tomllib.loads((path / "client.toml").read_text(encoding="utf-8")).get("name") == name
        rewrite_data(path, hostile)
        for report in path.glob("*.md"):
            report.write_text(REPORT.replace("PERIOD", report.stem), encoding="utf-8")
        clients[folder] = (name or folder, slugify(slug or folder))
    return hostile, clients


def snapshot(folder: Path, skip: list[Path]) -> set[str]:
    """Every path below `folder` except those below `skip`."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        found.update(str(here / n) for n in dirnames + filenames)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache) -> Site:
    """The hostile project, built once by the real CLI."""
    base = tmp_path_factory.getbasetemp()
    root = tmp_path_factory.mktemp("hostile") / "project"
    hostile, clients = make_hostile_project(root)
    months = tuple(sorted(p.stem for p in (root / "content" / HOSTILE_FOLDER).glob("*.md")))
    output = root / "output"
    skip = [output, root / ".sitegen-cache", Path(os.environ.get("SITEGEN_CACHE_DIR") or shared_cache)]
    before = snapshot(base, skip)
    run = build(root, output)
    assert run.returncode == 0, run.stderr[-3000:]
    return Site(root, output, hostile, clients, months, snapshot(base, skip) - before)


# ----------------------------------------------------------------------------------------------------------
# reading the built pages

SCRIPT_SOURCES = {"assets/vendor/vega-bundle.js", "assets/report.js"}
JSON_SCRIPT_ID = re.compile(r"chart-locale|chart-\d+-spec")
FONT_FACE = re.compile(r'@font-face \{ font-family: "Brand"; src: url\("[^"<>]*"\); font-display: swap; \}')
# elements sitegen never writes (its templates and its markdown), each of which the corpus tries to smuggle in
FOREIGN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "applet", "svg", "math", "mtext", "mglyph",
                "foreignobject", "base", "form", "button", "input", "textarea", "select", "video", "audio",
                "source", "template", "x", "x:script", "scr", "marquee"}
# the one kind of button sitegen writes: a chart's download menu (partials/chart.html)
OWN_BUTTONS = [{"type": "button", "data-download": kind} for kind in ("csv", "png", "svg")]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "srcset", "xlink:href"}
ONCE = ("html", "head", "title", "body", "main", "h1")


def normal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def as_loaded(text: str) -> str:
    """A cell's text as sitegen keeps it: a carriage return is a line break, control characters are removed."""
    return re.sub(CONTROLS, "", normal_newlines(text))


BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides, isolates


class Page(HTMLParser):
    """One page as the elements, scripts, styles and text a browser would find in it."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.elements: list[tuple[str, dict[str, str | None], bool]] = []  # (tag, attributes, in head)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.texts: list[str] = []
        self.cells: list[str] = []  # text of every table cell
        self.title = ""
        self._in_head = False
        self._raw: tuple[str, dict, list[str]] | None = None  # the open script, style or title
        self._cell: list[str] | None = None
        self._alert = False  # in a highlight (li.alert)
        self._bdi = 0  # open <bdi> elements
        self.unisolated: list[str] = []  # text of table cells and highlights with bidi controls outside a <bdi>
        self.raw = path.read_bytes().decode("utf-8")
        self.feed(self.raw)
        self.close()
        if self._raw:  # a script or style left open runs to the end of the page
            self.handle_endtag(self._raw[0])

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes, self._in_head))
        if tag == "head":
            self._in_head = True
        elif tag in ("script", "style", "title"):
            self._raw = (tag, attributes, [])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li" and "alert" in (attributes.get("class") or "").split():
            self._alert = True
        elif tag == "bdi":
            self._bdi += 1

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "li":
            self._alert = False
        elif tag == "bdi":
            self._bdi -= 1
        elif self._raw and tag == self._raw[0]:
            kind, attributes, parts = self._raw
            text = "".join(parts)
            if kind == "script":
                self.scripts.append((attributes, text))
            elif kind == "style":
                self.styles.append(text)
            else:
                self.title = text
            self._raw = None
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append(normal_newlines("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._raw:
            self._raw[2].append(data)
            if self._raw[0] != "title":
                return
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if (self._cell is not None or self._alert) and not self._bdi and BIDI_CONTROLS.search(data):
            self.unisolated.append(data)

    @property
    def text(self) -> str:
        return normal_newlines("".join(self.texts))

    def json_scripts(self) -> list[str]:
        return [text for attributes, text in self.scripts if attributes.get("type") == "application/json"]

    def problems(self, root: str) -> list[str]:
        """Everything on the page that does not come from sitegen's templates; `root` is the way up to
        the site's root ("../../" on a report page)."""
        found = []
        counts = defaultdict(int)
        for tag, attributes, in_head in self.elements:
            counts[tag] += 1
            if tag in FOREIGN_TAGS and not (tag == "button" and attributes in OWN_BUTTONS):
                found.append(f"<{tag}> element")
            if tag in ("meta", "link", "title") and not in_head:
                found.append(f"<{tag}> outside <head>")
            if tag == "img" and not re.fullmatch(r"charts/[a-z_]+\.svg", attributes.get("src") or ""):
                found.append(f"<img src={attributes.get('src')!r}>")
            for name, value in attributes.items():
                if name.startswith("on") or name in ("srcdoc", "http-equiv", "autofocus") or ":" in name:
                    found.append(f"<{tag} {name}=...>")
                if name in URL_ATTRIBUTES:
                    address = re.sub(r"[\x00-\x20]", "", value or "").lower()
                    if re.match(r"[a-z][a-z0-9+.-]*:|//|\\\\", address):
                        found.append(f"<{tag} {name}={value!r}>: not a link inside the site")
        for tag in ONCE:
            if counts[tag] != 1:
                found.append(f"{counts[tag]} <{tag}> elements")
        for attributes, text in self.scripts:
            if set(attributes) == {"src"} and attributes["src"].removeprefix(root) in SCRIPT_SOURCES:
                continue
            if set(attributes) == {"type", "id"} and attributes["type"] == "application/json" \
                    and JSON_SCRIPT_ID.fullmatch(attributes["id"] or ""):
                continue
            found.append(f"script {attributes} {text[:80]!r}")
        found += [f"style {text[:80]!r}" for text in self.styles if not FONT_FACE.fullmatch(text)]
        for text in self.json_scripts():
            if "<" in text:
                found.append(f"'<' inside a JSON script tag: {text[text.index('<'):][:40]!r}")
            try:
                json.loads(text)
            except ValueError as exc:
                found.append(f"JSON script tag does not parse: {exc}")
        return found


def root_of(site: Site, page: Path) -> str:
    return "../" * (len(page.relative_to(site.output).parts) - 1)


def strings_in(value) -> set[str]:
    """Every string inside a JSON document."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(strings_in, value.values()), set(value)) if value else set()
    if isinstance(value, list):
        return set().union(*map(strings_in, value)) if value else set()
    return set()


# ----------------------------------------------------------------------------------------------------------
# the corpus and the test data

def test_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 50 and len(set(CORPUS)) == len(CORPUS)
    assert max(map(len, CORPUS)) >= 5000
    assert all(s == s.strip() and "\x00" not in s for s in CORPUS)  # a cell is read without its outer spaces


def test_every_text_column_of_every_kind_got_hostile_strings(site: Site) -> None:
    placed = defaultdict(set)
    for _, column, _, text in site.hostile.placed:
        placed[column].add(text)
    for kind, columns in text_columns().items():
        for column in columns:
            assert len(placed[f"{kind}.{column}"]) >= 2, f"{kind}.{column}"
    assert text_columns()["account"] == []  # numbers only
    every = {re.sub(r" #\d+$", "", text) for texts in placed.values() for text in texts}
    assert set(CORPUS) <= every, "some corpus strings were placed nowhere"


# ----------------------------------------------------------------------------------------------------------
# the pages

def test_pages_hold_no_markup_from_data(site: Site) -> None:
    """No element, attribute, script, style or link on any page comes from the data or the client names."""
    pages = site.pages()
    assert len(pages) == 1 + len(site.clients) * (1 + len(site.months))
    problems = {}
    for path in pages:
        found = Page(path).problems(root_of(site, path))
        if found:
            problems[path.relative_to(site.output).as_posix()] = found[:10]
    assert problems == {}


def test_hostile_text_is_shown_as_text(site: Site) -> None:
    """Client names and the data's text columns are on the pages as text, escaped in the HTML, not dropped."""
    index = Page(site.output / "index.html")
    site_title = tomllib.loads((site.root / "sitegen.toml").read_text(encoding="utf-8"))["title"]
    for name, slug in site.clients.values():
        assert name in index.text
        assert str(escape(name)) in index.raw
        client = Page(site.output / slug / "index.html")
        assert client.title == f"{name} · {site_title}"
        assert name in client.text
    shown_anywhere = set()
    for folder, month, name, report in site.reports():
        page = Page(report / "index.html")
        assert page.title == f"Report {month} · {name}"
        shown = site.hostile.shown(folder, month)
        assert len(shown) >= 5, (folder, month)
        missing = {t for t in shown if normal_newlines(t) not in page.cells}
        assert missing == set(), f"{report}: not in a table cell: {sorted(missing)[:5]}"
        html = normal_newlines(page.raw)
        assert {t for t in shown if normal_newlines(str(escape(t))) not in html} == set()
        shown_anywhere |= shown
    assert len(shown_anywhere) >= 15
    assert any("<script" in t for t in shown_anywhere) and any("onerror" in t for t in shown_anywhere)


def test_text_from_data_is_isolated_for_direction(site: Site) -> None:
    """A right-to-left override in a title turns only the title: in tables and highlights, every text from the
    data with a bidi control sits in a <bdi>."""
    overridden = 0
    for _folder, _month, _name, report in site.reports():
        page = Page(report / "index.html")
        assert page.unisolated == [], f"{report}: {page.unisolated[:3]}"
        overridden += len(re.findall("<bdi>[^<]*\u202e", page.raw))
    assert overridden >= 3


def test_control_characters_are_removed_at_load(tmp_path: Path) -> None:
    """NUL, ESC, BEL and C1 controls from a cell reach neither the page nor the exports; tab and line breaks stay
    (a carriage return as a line break)."""
    rows = [dict(row, campaign=name) for row, name in zip(TABLES["ads"], [
        "nul\x00esc\x1b[31mred\x07", "c1\x85\x9bdel\x7f tab\tcr\rlf", "nul\x00esc\x1b[31mred\x07"])]
    videos = [dict(row, title=row["title"] + "\x00\x1b") for row in TABLES["videos"]]
    root = make_project(tmp_path / "project", {"ads": rows, "videos": videos, "account": TABLES["account"]})
    run = build(root, tmp_path / "out")
    assert run.returncode == 0, run.stderr[-2000:]
    report = tmp_path / "out" / "acme" / "2026-10"
    for path in report.iterdir():
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not re.search(CONTROLS, text.replace("\r\n", "\n")), path.name
    campaigns = {row["campaign"] for row in json.loads((report / "kpis.json").read_text())["campaigns"]}
    assert campaigns == {"nulesc[31mred", "c1del tab\tcr\nlf"}
    assert "<bdi>One</bdi>" in (report / "index.html").read_text(encoding="utf-8")


def test_template_syntax_stays_text(site: Site) -> None:
    """`{{ 7*7 }}`, `${7*7}` and `#{7*7}` are shown as written, never as 49."""
    for name, slug in site.clients.values():
        page = Page(site.output / slug / "index.html")
        heading = page.raw.split("<h1>", 1)[1].split("</h1>", 1)[0]
        assert "{{ 7*7 }}" in name and str(escape(name)) == heading
        assert "49" not in heading
    hostile = Page(site.output / site.clients[HOSTILE_FOLDER][1] / "index.html")
    assert "${7*7}" in hostile.text and "{{ 7*7 }}" in hostile.text
    for folder, month, _name, report in site.reports():
        page = Page(report / "index.html")
        for text in ("{{ 7*7 }}", "{{ config }}", "{% raw %}{{ config }}{% endraw %}", "${7*7}", "#{7*7}"):
            if text in site.hostile.shown(folder, month):
                assert text in page.cells, (report, text)


def test_chart_specs_keep_the_data_as_strings(site: Site) -> None:
    """The JSON chart specs hold the data's text exactly (and parse: see test_pages_hold_no_markup_from_data)."""
    for folder, month, _name, report in site.reports():
        page = Page(report / "index.html")
        strings = set().union(*(strings_in(json.loads(text)) for text in page.json_scripts()))
        campaigns = {as_loaded(t) for f, column, m, t in site.hostile.placed
                      if (f, column, m) == (folder, "ads.campaign", month)}
        assert campaigns and campaigns <= strings


# ----------------------------------------------------------------------------------------------------------
# the static charts, the exports, the files

SVG = "{http://www.w3.org/2000/svg}"
SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "image", "use", "a", "animate", "set",
                 "handler", "listener", "style"}


def test_static_svg_charts_hold_the_data_as_text_only(site: Site) -> None:
    images = sorted(site.output.glob("*/*/charts/*.svg"))
    assert len(images) >= 4 * len(site.clients) * len(site.months)
    texts = []
    for path in images:
        data = path.read_bytes()
        assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data, path
        tree = ET.fromstring(data)
        for element in tree.iter():
            assert element.tag.startswith(SVG), f"{path}: element {element.tag} outside the SVG namespace"
            assert element.tag.removeprefix(SVG) not in SVG_FORBIDDEN, f"{path}: <{element.tag}>"
            for name, value in element.attrib.items():
                local = name.rsplit("}", 1)[-1]
                assert not local.lower().startswith("on"), f"{path}: {name}={value!r}"
                assert local != "href" or value.startswith("#"), f"{path}: {name}={value!r}"
            if element.tag == f"{SVG}text":
                texts.append("".join(element.itertext()))
    # corpus text is drawn as text (cut to the label width, so only pieces of it)
    assert any("<script" in t for t in texts) and any("onerror" in t for t in texts)


def test_kpi_exports_parse(site: Site) -> None:
    for folder, month, name, report in site.reports():
        document = json.loads((report / "kpis.json").read_text(encoding="utf-8"))
        assert document["client"] == name
        campaigns = {row["campaign"] for row in document["campaigns"]}
        assert campaigns == {as_loaded(t) for f, column, m, t in site.hostile.placed
                             if (f, column, m) == (folder, "ads.campaign", month)}
        rows = list(csv.reader(io.StringIO((report / "kpis.csv").read_text(encoding="utf-8"), newline="")))
        assert rows[0][0] == "kpi" and len(rows) > 10
        assert {len(row) for row in rows} == {len(rows[0])}
        for row in rows[1:]:
            for cell in row:  # nothing a spreadsheet would run as a formula
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
                if cell.startswith("-"):
                    float(cell)


def test_output_paths_are_slugs_and_nothing_is_written_elsewhere(site: Site) -> None:
    assert site.created == set(), f"written outside the output folder: {sorted(site.created)[:10]}"
    expected = {slug for _, slug in site.clients.values()}
    assert expected == {"etc-passwd", slugify(HOSTILE_FOLDER)}
    assert {p.name for p in site.output.iterdir() if p.is_dir()} == expected | {"assets"}
    for path in site.output.rglob("*"):
        rel = path.relative_to(site.output)
        assert not path.is_symlink(), rel
        assert path.resolve().is_relative_to(site.output.resolve()), rel
        assert rel.as_posix() == MARKER or all(re.fullmatch(r"[a-z0-9_][a-z0-9_.-]*", part) for part in rel.parts), rel
        if path.is_dir() and len(rel.parts) <= 2 and rel.parts[0] != "assets":
            assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rel.parts[-1]), rel
    assert not (site.root / "etc").exists() and not (site.root.parent / "etc").exists()


def test_control_characters_that_xml_forbids_do_not_crash_the_build(tmp_path: Path) -> None:
    rows = [dict(row, campaign=XML_INVALID[i % 2]) for i, row in enumerate(TABLES["ads"])]
    root = make_project(tmp_path / "project", {"ads": rows}, site_toml="static_charts = true\n")
    run = build(root, tmp_path / "out")
    assert run.returncode == 0, run.stderr[-2000:]
    page = Page(tmp_path / "out" / "acme" / "2026-10" / "index.html")
    assert page.problems("../../") == []
    for image in (tmp_path / "out" / "acme" / "2026-10" / "charts").glob("*.svg"):
        ET.fromstring(image.read_bytes())


# ----------------------------------------------------------------------------------------------------------
# in a browser: charts drawn, tooltips shown, nothing runs

CHART_TIMEOUT_MS = 15_000
# Charts whose tooltips show text from the data get up to 6 marks hovered; the others (dates, numbers and
# sitegen's own series names) one.
TEXT_CHARTS = {"top_videos", "campaign_roas", "codes_revenue", "hashtags_daily"}
CHARTS_SETTLED = """() => [...document.querySelectorAll('figure.chart .chart-view')]
  .every(v => v.querySelector('svg, canvas') || v.textContent.includes('could not be drawn'))"""
MARKS = "svg g.mark-rect > path, svg g.mark-symbol > path"  # bars and points: what carries a tooltip
SIZED = """marks => marks.map((mark, i) => {
  const box = mark.getBoundingClientRect();
  return box.width >= 1 && box.height >= 1 ? i : -1;
}).filter(i => i >= 0)"""  # a bar of height 0 cannot be hovered
TOOLTIP = """() => {
  const tip = document.getElementById('vg-tooltip-element');
  if (!tip || !tip.classList.contains('visible')) return null;
  const inside = [...tip.querySelectorAll('*')];
  return {text: tip.textContent, tags: inside.map(e => e.tagName.toLowerCase()),
          attributes: inside.flatMap(e => [...e.attributes].map(a => a.name))};
}"""
TOOLTIP_TAGS = {"table", "tbody", "tr", "td", "h2"}  # what vega-tooltip writes itself
INJECTED = """() => [...document.querySelectorAll('*')].filter(e =>
    [...e.attributes].some(a => a.name.startsWith('on'))
    || ['IFRAME', 'OBJECT', 'EMBED', 'MATH', 'BASE', 'INPUT', 'TEXTAREA', 'VIDEO', 'AUDIO', 'SOURCE',
        'foreignObject'].includes(e.tagName)
    || (e.tagName === 'FORM' && !(e.matches('.chart-view > form.vega-bindings') && !e.children.length))
    || (e.tagName.toLowerCase() === 'svg' && !e.closest('.chart-view'))
    || (e.tagName === 'SCRIPT' && e.type !== 'application/json' && !/\\/assets\\/[\\w/.-]+\\.js$/.test(e.src))
    || ((e.href || e.src || '') + '').toLowerCase().startsWith('javascript:')
  ).map(e => e.outerHTML.slice(0, 120))"""


def sync_api():
    return pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def base_url(site: Site):
    with serving(partial(_QuietHandler, directory=str(site.output)), "hostile-site") as url:
        yield url + "/"


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api()) as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                                  "(apt-get install chromium)")
def test_in_a_browser_nothing_from_the_data_runs(site: Site, base_url: str, browser) -> None:
    """Every page of the hostile site, its charts drawn and their tooltips shown by hovering the marks: no
    dialog, no console error, no request to another host, no element from the data, tooltips text only."""
    host = urlparse(base_url).hostname
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route(re.compile(r"^(https?|wss?)://"),
                  lambda route: route.continue_() if urlparse(route.request.url).hostname == host else route.abort())
    page = context.new_page()
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and urlparse(m.location.get("url", "")).path != "/favicon.ico"
            and problems.append(f"console error: {m.text}"))  # the site sets no favicon: the browser asks anyway
    page.on("request", lambda r: urlparse(r.url).scheme in ("http", "https") and urlparse(r.url).hostname != host
            and problems.append(f"request to another host: {r.url}"))
    tooltips = []
    try:
        for path in site.pages():
            rel = path.relative_to(site.output).as_posix()
            response = page.goto(base_url + rel, wait_until="load")
            assert response is not None and response.ok, rel
            try:
                page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
            except sync_api().TimeoutError:
                problems.append(f"{rel}: the charts did not finish drawing")
            views = page.locator("figure.chart:has(.chart-view)")
            drawn = page.locator(".chart-view svg").count()
            if drawn != views.count():
                problems.append(f"{rel}: {drawn} of {views.count()} charts drawn")
            for i in range(views.count()):
                image = views.nth(i).locator("img.chart-static").get_attribute("src")  # charts/<name>.svg
                hovers = 6 if Path(image).stem in TEXT_CHARTS else 1
                marks = views.nth(i).locator(".chart-view").locator(MARKS)
                sized = marks.evaluate_all(SIZED)
                for j in sized[::max(1, len(sized) // hovers)][:hovers]:
                    try:
                        marks.nth(j).hover(force=True, timeout=5000)  # scrolls to it, moves the mouse over it
                    except sync_api().Error as exc:  # e.g. a style from the data hid the page
                        problems.append(f"{rel}: cannot hover a mark: {exc.message.splitlines()[0]}")
                        break
                    tip = page.evaluate(TOOLTIP)
                    if tip is None:
                        continue
                    tooltips.append(tip["text"])
                    if set(tip["tags"]) - TOOLTIP_TAGS or set(tip["attributes"]) - {"class", "colspan"}:
                        problems.append(f"{rel}: tooltip holds {tip['tags']} {tip['attributes']}")
            problems += [f"{rel}: {html}" for html in page.evaluate(INJECTED)]
    finally:
        context.close()
    assert problems == [], problems[:15]
    assert len(tooltips) >= 4 * len(TEXT_CHARTS)
    # the tooltips did show the data's text, as text
    assert any("<script>alert(1)</script>" in t or "onerror" in t for t in tooltips), tooltips[:20]


# ----------------------------------------------------------------------------------------------------------
# commentary: the author's own HTML, cleaned on request; macro output is never searched for macro tokens

HOSTILE_COMMENTARY = "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
SANITIZE_REPORT = """\
---
title: "October 2026"
period: "2026-10"
---
Lead: {{ kpi("likes") }} likes. HOSTILE

## Charts
{{ chart("likes_daily") }}

{{ table("campaigns") }}

<div onclick="alert(2)" style="color: red">styled</div> <a href="https://example.com/">a link</a>
""".replace("HOSTILE", HOSTILE_COMMENTARY)


def fake_macros() -> dict:
    """Macros whose HTML is sitegen-like: a script tag, and text from data that looks like macro tokens."""
    return {"chart": lambda name: f'<figure class="chart"><script type="application/json" id="chart-1-spec">'
                                  f'{{"name": "{name}"}}</script></figure>',
            "table": lambda name: "<table><tr><td>sgmacro0x</td><td>sgmacro999x</td></tr></table>",
            "kpi": lambda name: '<span class="kpi">1,234</span>'}


@pytest.mark.parametrize("sanitize", [False, True])
def test_macro_html_is_never_searched_for_tokens(sanitize: bool) -> None:
    source = ("Text sgmacro0x and sgmacro7x, {{ kpi('likes') }}.\n\n{{ table('campaigns') }}\n\n"
              "{{ chart('likes_daily') }}\n")
    html = render_commentary(source, Path("report.md"), 1, fake_macros(), sanitize=sanitize)
    assert "<td>sgmacro0x</td><td>sgmacro999x</td>" in html  # a campaign named like a token stays its name
    assert "Text sgmacro0x and sgmacro7x, " in html and '<span class="kpi">1,234</span>' in html
    assert '<script type="application/json" id="chart-1-spec">{"name": "likes_daily"}</script>' in html


def test_sanitize_html_keeps_markdown_and_drops_the_rest() -> None:
    source = (f"# Title\n\n{HOSTILE_COMMENTARY} **bold** [ok](https://example.com \"t\") ![alt](photo.png)\n\n"
              "| a | b |\n|:--|--:|\n| 1 | 2 |\n\nA note[^1].\n\n[^1]: The note.\n\n"
              '<p id="chart-locale" class="chart-view" data-spec="x">clobber</p><style>*{}</style><!-- c -->\n\n'
              "{{ chart('likes_daily') }}\n")
    html = render_commentary(source, Path("report.md"), 1, fake_macros(), sanitize=True)
    for gone in ("alert(1)</script>", "onerror", "javascript:", "<style", "<!--", 'id="chart-locale"', "data-spec"):
        assert gone not in html.replace('id="chart-1-spec"', ""), gone
    for kept in ("<h1>Title</h1>", "<strong>bold</strong>", 'href="https://example.com"', 'title="t"',
                 'src="photo.png"', '<th style="text-align:left">a</th>', 'id="fn:1"',
                 'href="#fn:1"', "clobber", '<script type="application/json" id="chart-1-spec">'):
        assert kept in html, kept


@pytest.mark.parametrize("sanitize", [False, True])
def test_sanitize_commentary_setting(tmp_path: Path, sanitize: bool) -> None:
    """`sanitize_commentary = true` cleans the commentary of a report and keeps sitegen's charts and tables;
    off (the default), the author's HTML is kept as written."""
    site_toml = "static_charts = false\n" + ("sanitize_commentary = true\n" if sanitize else "")
    root = make_project(tmp_path / "project", reports={"2026-10.md": SANITIZE_REPORT}, site_toml=site_toml)
    run = build(root, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert run.warning_lines == []
    page = Page(tmp_path / "out" / "acme" / "2026-10" / "index.html")
    commentary = page.raw[page.raw.index('<div class="lead prose">'):page.raw.index('<section class="section '
                                                                                     'section-engagement"')]
    assert 'href="https://example.com/"' in commentary and "styled" in commentary
    assert re.search(r'<figure class="chart" id="chart-1">.*?<script type="application/json" id="chart-1-spec">',
                     commentary, re.S)
    assert '<table class="data-table table-campaigns">' in commentary
    assert '<td class="text"><bdi>A</bdi></td>' in commentary
    if sanitize:
        authors_own = {"<img src='x'>", "<a href='https://example.com/'>: not a link inside the site"}
        assert set(page.problems("../../")) == authors_own
        for gone in ("alert(1)", "alert(2)", "onerror", "onclick", "javascript:", "color: red"):
            assert gone not in page.raw, gone
    else:
        assert HOSTILE_COMMENTARY.split(" [")[0] in commentary
        assert '<a href="javascript:alert(1)">x</a>' in commentary and 'onclick="alert(2)"' in commentary
