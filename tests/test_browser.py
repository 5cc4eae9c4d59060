"""The demo site in a real browser (Debian's chromium through Playwright): every report page draws all its
charts without console errors, needs no host but the one serving it, works from file:// too, its links
navigate, and text from data stays text."""

from __future__ import annotations

import re
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlparse

import pytest
from helpers import build
from loopback import CHROMIUM, chromium, serving

REPO = Path(__file__).resolve().parents[1]
FJORD = "Fjord & Sons <Outdoor>"
CHART_TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                                      "(apt-get install chromium)"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

# Every chart container holds an svg or canvas (or vega-embed gave up and said so): then the page is done.
CHARTS_SETTLED = """() => {
  const views = [...document.querySelectorAll('figure.chart .chart-view')];
  return views.every(v => v.querySelector('svg, canvas') || v.closest('.chart').classList.contains('chart-failed'));
}"""
CHART_COUNTS = """() => {
  const views = [...document.querySelectorAll('figure.chart .chart-view')];
  return [views.length, views.filter(v => v.querySelector('svg, canvas')).length];
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The bundled demo project (the repository root), built once by the real CLI."""
    out = tmp_path_factory.mktemp("browser") / "site"
    run = build(REPO, out)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path):
    with serving(partial(_QuietHandler, directory=str(site))) as url:
        yield url + "/"


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as launched:
        yield launched


class Watched:
    """A page whose console errors, page errors, dialogs and non-local requests are recorded."""

    def __init__(self, context, allowed_host: str | None):
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.allowed_host = allowed_host
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("request", self._request)
        self.page.on("dialog", self._dialog)

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about"):
            return
        if self.allowed_host is None:  # file:// pages: nothing but local files
            if url.scheme != "file":
                self.foreign.append(request.url)
        elif url.hostname != self.allowed_host:
            self.foreign.append(request.url)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"dialog opened: {m}" for m in self.dialogs]
                + [f"request to another host: {u}" for u in self.foreign])

    def charts(self, url: str) -> tuple[int, int, list[str]]:
        """Load `url`, wait for its charts; (containers, rendered, problems)."""
        response = self.page.goto(url, wait_until="load")
        if response is not None and not response.ok:
            return 0, 0, [f"HTTP {response.status}"]
        try:
            self.page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        except sync_api.TimeoutError:
            pass  # the counts below tell what did not render
        containers, rendered = self.page.evaluate(CHART_COUNTS)
        return containers, rendered, self.problems()


def _local_only(context, host: str | None) -> None:
    """Abort any request that would leave this machine (they are recorded as failures anyway)."""
    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != host:
            route.abort()
        else:
            route.continue_()
    context.route(re.compile(r"^(https?|wss?)://"), guard)


@pytest.fixture()
def context(browser, base_url):
    ctx = browser.new_context()
    _local_only(ctx, "127.0.0.1")
    try:
        yield ctx
    finally:
        ctx.close()


def report_pages(site: Path) -> list[str]:
    """`<client>/<report>/index.html` of every report, relative to the site."""
    return sorted(p.relative_to(site).as_posix() for p in site.glob("*/*/index.html")
                  if p.parts[-3] != "assets")


def test_demo_has_report_pages(site: Path) -> None:
    pages = report_pages(site)
    assert len(pages) >= 3, pages
    assert {p.split("/")[0] for p in pages} >= {"fjord-outdoor"}


def test_every_report_page_draws_all_its_charts(site: Path, base_url: str, context) -> None:
    failures = {}
    for rel in report_pages(site):
        watched = Watched(context, "127.0.0.1")
        containers, rendered, problems = watched.charts(base_url + rel)
        if containers == 0:
            problems.append("no chart containers")
        if rendered != containers:
            problems.append(f"{rendered} of {containers} charts rendered")
        if problems:
            failures[rel] = problems
        watched.page.close()
    assert failures == {}


def test_report_works_offline_from_file_url(site: Path, browser) -> None:
    ctx = browser.new_context(offline=True)
    _local_only(ctx, None)
    try:
        watched = Watched(ctx, None)
        page = site / "fjord-outdoor" / "2026-10" / "index.html"
        containers, rendered, problems = watched.charts(page.as_uri())
        assert containers > 0
        assert rendered == containers, f"{rendered} of {containers} charts rendered from file://"
        assert problems == []
    finally:
        ctx.close()


def test_index_links_navigate_to_client_and_report(base_url: str, context) -> None:
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    page.goto(base_url + "index.html")
    assert page.locator("main a").count() >= 3
    for href in page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)"):
        assert page.request.get(href).ok, href

    page.get_by_role("link", name=FJORD, exact=True).click()
    page.wait_for_url(re.compile(r"/fjord-outdoor/index\.html$"))
    assert page.locator("main h1").inner_text() == FJORD
    report_hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    assert report_hrefs, "the client page lists no reports"
    for href in report_hrefs:
        assert page.request.get(href).ok, href

    page.get_by_role("link", name="October 2026", exact=True).click()
    page.wait_for_url(re.compile(r"/fjord-outdoor/2026-10/index\.html$"))
    assert page.locator(".report-header h1").inner_text() == "October 2026"

    # and back up through the breadcrumbs
    page.locator("nav.breadcrumbs").get_by_role("link", name=FJORD, exact=True).click()
    page.wait_for_url(re.compile(r"/fjord-outdoor/index\.html$"))
    page.locator("nav.breadcrumbs").get_by_role("link", name="All clients").click()
    page.wait_for_url(re.compile(r"/index\.html$"))
    assert urlparse(page.url).path == "/index.html"
    assert watched.problems() == []


@pytest.mark.parametrize("rel", ["index.html", "fjord-outdoor/index.html", "fjord-outdoor/2026-10/index.html"])
def test_client_name_from_data_stays_text(base_url: str, context, rel: str) -> None:
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    page.goto(base_url + rel)
    assert FJORD in page.locator("body").inner_text()
    assert page.locator("outdoor").count() == 0, "the client name became an <outdoor> element"
    assert page.locator("[onerror], [onmouseover]").count() == 0, "data became HTML with event handlers"
    if rel != "index.html":
        assert FJORD in page.title()
    assert watched.problems() == []


REPORT = "nordlicht-kosmetik/2026-10/index.html"
VISIBLE = "el => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().width > 0"


def test_print_media_shows_static_charts_and_hides_navigation(browser, base_url):
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.goto(base_url + REPORT, wait_until="load")
        page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        static = page.locator("img.chart-static")
        assert static.count() > 0 and not static.first.evaluate(VISIBLE)  # on screen: the interactive chart
        page.emulate_media(media="print")
        assert page.locator(".chart .chart-view").first.evaluate("el => getComputedStyle(el).display") == "none"
        assert not page.locator(".site-header nav").evaluate(VISIBLE)
        assert not page.locator(".downloads").evaluate(VISIBLE)
        for i in range(static.count()):
            image = static.nth(i)
            image.scroll_into_view_if_needed()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle(),
                                   timeout=CHART_TIMEOUT_MS)
            assert image.evaluate(VISIBLE)
        breaks = page.evaluate("[...document.querySelectorAll('.section')].map(s => getComputedStyle(s).breakBefore)")
        assert "page" in breaks  # sections after the summary start a new page
    finally:
        page.close()


def test_dark_preference_darkens_page_and_charts(browser, base_url):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(base_url + REPORT, wait_until="load")
        page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
        assert red + green + blue < 150, background
        # vega's dark theme draws axis labels in a light colour
        fill = page.evaluate("getComputedStyle(document.querySelector('.chart-view svg text')).fill")
        assert sum(int(v) for v in re.findall(r"\d+", fill)[:3]) > 400, fill
    finally:
        context.close()
