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
  return views.every(v => v.querySelector('svg, canvas') || v.closest('.chart-failed'));
}"""
CHART_COUNTS = """() => {
  const views = [...document.querySelectorAll('figure.chart .chart-view')];
  return [views.length, views.filter(v => v.querySelector('svg, canvas')).length];
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site(demo_output: Path) -> Path:
    return demo_output


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


def chart_failures(context, base_url: str, pages: list[str], expected: int | None = None) -> dict[str, list[str]]:
    """Per page, what went wrong drawing its charts: console errors, charts not drawn, no charts (or not the
    `expected` number of them)."""
    failures = {}
    for rel in pages:
        watched = Watched(context, "127.0.0.1")
        containers, rendered, problems = watched.charts(base_url + rel)
        if containers == 0 or expected not in (None, containers):
            problems.append(f"{containers} chart containers, expected {expected or 'some'}")
        if rendered != containers:
            problems.append(f"{rendered} of {containers} charts rendered")
        if problems:
            failures[rel] = problems
        watched.page.close()
    return failures


def test_every_report_page_draws_all_its_charts(site: Path, base_url: str, context) -> None:
    assert chart_failures(context, base_url, report_pages(site)) == {}


def test_every_client_page_draws_its_trend_charts(site: Path, base_url: str, context) -> None:
    """The client pages' charts across periods draw, as the reports' do, with no console errors."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("*/index.html") if p.parts[-2] != "assets")
    assert len(pages) == 3, pages
    assert chart_failures(context, base_url, pages, expected=4) == {}


def test_client_page_works_offline_from_file_url(site: Path, browser) -> None:
    ctx = browser.new_context(offline=True)
    _local_only(ctx, None)
    try:
        watched = Watched(ctx, None)
        containers, rendered, problems = watched.charts((site / "nordlicht-kosmetik" / "index.html").as_uri())
        assert containers == rendered == 4
        assert problems == []
    finally:
        ctx.close()


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

    page.get_by_role("link", name="October 2026", exact=True).first.click()  # (the periods table links it too)
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


CRISIS_REPORT = "fjord-outdoor/2026-10/index.html"  # the demo's comment crisis on 14 October


def test_charts_mark_alerts_and_have_menus_and_tables_sort(base_url, context):
    watched = Watched(context, "127.0.0.1")
    containers, rendered, problems = watched.charts(base_url + CRISIS_REPORT)
    page = watched.page
    assert containers > 0 and rendered == containers and problems == []
    counts = page.evaluate("""() => ({
      menus: [...document.querySelectorAll('.chart-menu')].filter(m => !m.hidden).length,
      crisis: document.querySelectorAll('#' + [...document.querySelectorAll('figure.chart')].find(
        f => f.querySelector('figcaption').textContent.includes('sentiment')).id + ' .alert_points_marks path').length,
      marks: document.querySelectorAll('.alert_points_marks path').length,
      tables: document.querySelectorAll('table.data-table').length,
      sortable: document.querySelectorAll('table.data-table:has(th button.sort)').length,
      long: [...document.querySelectorAll('table.data-table')].filter(t => t.tBodies[0].rows.length > 1).length})""")
    assert counts["menus"] == containers  # every drawn chart has its download menu
    assert counts["crisis"] >= 1  # the crisis day is marked on the sentiment chart
    assert counts["marks"] > counts["crisis"]  # and the spikes on theirs
    assert counts["sortable"] == counts["long"] > 0, counts
    # the marker's tooltip is the highlight's sentence
    page.locator(".alert_points_marks path").first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=CHART_TIMEOUT_MS)
    assert "Possible crisis" in tooltip.inner_text() or "Spike" in tooltip.inner_text()
    assert watched.problems() == []


def _column(page, table: str, column: int) -> list[str]:
    return page.eval_on_selector(table, "(t, c) => [...t.tBodies[0].rows].map(r => r.cells[c].getAttribute("
                                        "'data-value'))", column)


def test_sorting_a_numeric_column_orders_it_by_number_with_na_last(base_url, context):
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    page.goto(base_url + CRISIS_REPORT, wait_until="load")
    # a column of amounts or counts with several values, shown in an order of its own
    found = page.evaluate("""() => {
      for (const t of document.querySelectorAll('main table.data-table')) {
        const ths = [...t.tHead.rows[0].cells];
        for (let c = 0; c < ths.length; c++) {
          const keys = [...t.tBodies[0].rows].map(r => r.cells[c].getAttribute('data-value')).filter(k => k);
          if (/count|money/.test(ths[c].className) && new Set(keys).size > 2 && !t.closest('details'))
            return ['table.' + [...t.classList].join('.'), c];
        }
      }
      return null;
    }""")
    assert found is not None
    table, column = found
    button = page.locator(f"{table} th").nth(column).locator("button.sort")
    button.focus()
    page.keyboard.press("Enter")  # a button: the keyboard sorts too
    th = page.locator(f"{table} th").nth(column)
    assert th.get_attribute("aria-sort") == "ascending"
    keys = _column(page, table, column)
    numbers = [float(k) for k in keys if k]
    assert numbers == sorted(numbers) and len(set(numbers)) > 2  # numerically: 900 before 1,200
    assert keys[len(numbers):] == [""] * (len(keys) - len(numbers))  # n/a last
    button.click()
    assert th.get_attribute("aria-sort") == "descending"
    numbers = [float(k) for k in _column(page, table, column) if k]
    assert numbers == sorted(numbers, reverse=True)
    assert page.locator(f"{table} th[aria-sort]").count() == 1
    assert watched.problems() == []


def test_chart_downloads_csv_and_images(base_url, context):
    watched = Watched(context, "127.0.0.1")
    _, rendered, _ = watched.charts(base_url + CRISIS_REPORT)
    page = watched.page
    figure = page.locator("figure.chart-drawn").first
    figure.locator(".chart-menu summary").focus()
    page.keyboard.press("Enter")  # the menu opens from the keyboard
    with page.expect_download() as got:
        figure.get_by_role("button", name="Data (CSV)").click()
    download = got.value
    name = download.suggested_filename
    assert name.endswith(".csv") and name != ".csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert len(lines) > 2 and "date" in lines[0]
    for kind in ("PNG", "SVG"):
        figure.locator(".chart-menu summary").click()
        with page.expect_download() as got:
            figure.get_by_role("button", name=f"Image ({kind})").click()
        assert got.value.suggested_filename.endswith("." + kind.lower())
        head = Path(got.value.path()).read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if kind == "PNG" else b"<svg" in head
    assert watched.problems() == []


def test_without_javascript_the_static_image_stands_in_the_charts_place(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(base_url + CRISIS_REPORT, wait_until="load")
        image = page.locator("img.chart-noscript").first
        image.scroll_into_view_if_needed()
        page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate(VISIBLE)
        gap = image.evaluate("i => i.getBoundingClientRect().top - i.closest('figure').getBoundingClientRect().top")
        assert 0 <= gap < 20, f"{gap}px above the static image"
        assert page.locator(".chart-menu:visible").count() == 0  # nothing to download without the script
    finally:
        ctx.close()


def test_print_without_static_images_shows_the_drawn_charts(browser, base_url):
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.goto(base_url + REPORT, wait_until="load")
        page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        page.evaluate("document.querySelectorAll('img.chart-static').forEach(i => i.remove())")  # static_charts off
        page.emulate_media(media="print")
        views = page.locator("figure.chart .chart-view")
        assert views.count() > 0
        assert all(views.nth(i).evaluate(VISIBLE) for i in range(views.count()))
        assert not page.locator(".chart-menu").first.evaluate(VISIBLE)
    finally:
        page.close()


def test_a_chart_that_cannot_be_drawn_says_so_in_the_reports_language(base_url, context):
    def broken(route):
        html = route.fetch().text().replace('id="chart-1-spec">{', 'id="chart-1-spec">{"vconcat":7,', 1)
        route.fulfill(body=html, content_type="text/html; charset=utf-8")
    context.route(re.compile(r".*/nordlicht-kosmetik/2026-10/index\.html$"), broken)
    page = context.new_page()
    page.goto(base_url + REPORT, wait_until="load")
    page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
    failed = page.locator("figure.chart-failed .chart-view")
    assert failed.count() == 1
    assert failed.inner_text().startswith("Dieses Diagramm konnte nicht gezeichnet werden: ")
