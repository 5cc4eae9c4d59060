"""Live reload in a real browser: an edit shows without a manual reload, a broken file shows an
overlay over the last good page, and fixing it clears the overlay."""

import pytest
from helpers import make_project
from test_serve import REPORT, Preview
from tiny_data import TABLES

pytestmark = [pytest.mark.browser]
sync_api = pytest.importorskip("playwright.sync_api")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture
def preview(tmp_path):
    from pathlib import Path
    if not Path("/usr/bin/chromium").is_file():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    root = make_project(tmp_path / "p", TABLES, {"2026-10.md": REPORT})
    server = Preview(root)
    yield root, server
    server.stop()


def test_edit_shows_in_the_open_page_and_errors_overlay_it(preview):
    root, server = preview
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=LAUNCH_ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://{server.host}:{server.port}/acme/2026-10/")
        page.wait_for_selector("text=First version.")
        page.wait_for_selector("html[data-sitegen-live]", state="attached")  # the event stream is open
        report = root / "content/acme/2026-10.md"
        report.write_text(REPORT.replace("First version.", "Edited while watching."))
        page.wait_for_selector("text=Edited while watching.", timeout=30_000)  # no page.reload() anywhere

        data = root / "content/acme/data/ads.csv"
        good = data.read_text()
        data.write_text(good.replace("2026-10-01", "someday", 1))
        overlay = page.wait_for_selector("#sitegen-error-overlay", timeout=30_000)
        assert "ads.csv:2:date: found 'someday'" in overlay.text_content()
        assert page.locator("text=Edited while watching.").count() == 1  # the last good page is still there

        data.write_text(good)
        page.wait_for_selector("#sitegen-error-overlay", state="detached", timeout=30_000)
        page.wait_for_selector("text=Edited while watching.")
        assert errors == []
        browser.close()
