"""`sitegen pdf`: one PDF per report of a built site, printed by headless Chromium through Playwright.

Playwright is an optional dependency (`pip install "sitegen[pdf]"`); it is imported only here."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sitegen.errors import Diagnostics, SitegenError
from sitegen.project.discover import discover
from sitegen.project.model import report_slug

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; else Playwright's own browser
MISSING = ('sitegen pdf needs Playwright and Chromium: pip install "sitegen[pdf]" and install chromium '
           "(apt install chromium, or python -m playwright install chromium)")
CHART_TIMEOUT_MS = 20_000
MARGIN = "12mm"
# A4 minus the margins, in CSS pixels: charts are sized to their container when they are drawn, so the
# page is laid out at the printed width (Chromium does not fire the resize that would redraw them).
VIEWPORT = {"width": round((210 - 2 * 12) / 25.4 * 96), "height": 1000}

# Every chart is drawn (vega-embed put an svg in it) or says why it could not be, and every image is
# loaded or broken.
CHARTS_SETTLED = """() => [...document.querySelectorAll('.chart-view')].every(
  v => v.querySelector('svg, canvas') || v.closest('.chart-failed'))
  && [...document.images].every(i => i.complete)"""
# Lazy images below the fold are not loaded before printing: they would print empty.
EAGER_IMAGES = "() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
CHARTS_MISSING = """() => [...document.querySelectorAll('.chart-view')].filter(
  v => !v.querySelector('svg, canvas')).length"""


class BrowserUnavailable(SitegenError):
    def __init__(self) -> None:
        super().__init__(MISSING)


def sync_api():
    """Playwright's sync API, or BrowserUnavailable when it is not installed."""
    try:
        from playwright import sync_api
    except ImportError:
        raise BrowserUnavailable() from None
    return sync_api


def launch(playwright):
    """Headless Chromium: Debian's if installed, else the one `playwright install chromium` downloaded."""
    executable = str(CHROMIUM) if CHROMIUM.is_file() else None
    # Chromium's sandbox cannot start as root (containers, CI)
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    try:
        return playwright.chromium.launch(executable_path=executable, headless=True, args=args)
    except sync_api().Error:  # no such browser, or it does not start
        raise BrowserUnavailable() from None


def check_pdf_dir(project_dir: Path, output: Path, pdf_dir: Path) -> Path:
    """Refuse folders that hold the project's sources or that the next build replaces."""
    root, pdf_dir, output = project_dir.resolve(), pdf_dir.absolute(), output.absolute()
    sources = [root / "content", root / "themes"]
    if pdf_dir == root or any(pdf_dir == s or s in pdf_dir.parents for s in sources):
        raise SitegenError("refusing to write PDFs here: it holds the project's sources", pdf_dir)
    if pdf_dir == output or output in pdf_dir.parents:
        raise SitegenError("refusing to write PDFs into the site's output folder: every build replaces it",
                           pdf_dir)
    return pdf_dir


def project_reports(project_dir: Path) -> list[tuple[str, str]]:
    """(client slug, report slug) of every report, in the order the site lists them."""
    project = discover(project_dir, Diagnostics())  # its warnings were shown by the build
    return [(client.slug, report_slug(report)) for client in project.clients for report in client.reports]


def write_pdfs(output: Path, pdf_dir: Path, reports: list[tuple[str, str]],
               warn: Callable[[str], None] = lambda _: None) -> list[Path]:
    """Print `<output>/<client>/<report>/index.html` to `<pdf_dir>/<client>/<report>.pdf` for each
    (client slug, report slug); returns the PDFs written, in the order of `reports`."""
    api = sync_api()
    try:
        playwright = api.sync_playwright().start()
    except api.Error:
        raise BrowserUnavailable() from None
    try:
        browser = launch(playwright)
        try:
            return [_print(browser, output / client / report / "index.html", pdf_dir / client / f"{report}.pdf",
                           warn) for client, report in reports]
        finally:
            browser.close()
    finally:
        playwright.stop()


def _print(browser, page_file: Path, target: Path, warn: Callable[[str], None]) -> Path:
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.emulate_media(media="print")
        page.goto(page_file.as_uri(), wait_until="load")
        page.evaluate(EAGER_IMAGES)
        try:
            page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        except sync_api().TimeoutError:
            pass  # counted below
        missing = page.evaluate(CHARTS_MISSING)
        if missing:
            warn(f"{page_file}: {missing} chart(s) could not be drawn; the PDF shows them empty")
        target.parent.mkdir(parents=True, exist_ok=True)
        # a fixed temporary name: a killed run leaves no truncated PDF, and the next run overwrites it
        partial = target.with_name(f".{target.name}.part")
        try:
            page.pdf(path=str(partial), format="A4", print_background=True,
                     margin={side: MARGIN for side in ("top", "right", "bottom", "left")})
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    finally:
        page.close()
    return target
