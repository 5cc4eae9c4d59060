"""Screenshots of the demo in a real browser (Debian's chromium through Playwright): a client page and a report in
light, dark and print, each without console errors and each a picture of something (many colours, no blank page).
They are written to a temporary folder, or to SITEGEN_SCREENSHOTS=DIR to keep them."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from loopback import CHROMIUM, chromium

REPO = Path(__file__).resolve().parents[1]
PAGES = {"client": "harbor-coffee/index.html", "report": "nordlicht-kosmetik/2026-10/index.html"}
MODES = ("light", "dark", "print")
CHART_TIMEOUT_MS = 15_000
CHARTS_SETTLED = """() => [...document.querySelectorAll('figure.chart .chart-view')]
  .every(v => v.querySelector('svg, canvas') || v.textContent.includes('could not be drawn'))"""
# (width, height, distinct colours, share of the commonest colour) of a PNG, sampling every 4th pixel of each 4th row
PICTURE = """async data => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + data;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = new Uint32Array(context.getImageData(0, 0, image.width, image.height).data.buffer);
  const counts = new Map();
  let sampled = 0;
  for (let y = 0; y < image.height; y += 4)
    for (let x = 0; x < image.width; x += 4) {
      const p = pixels[y * image.width + x];
      counts.set(p, (counts.get(p) || 0) + 1);
      sampled++;
    }
  return [image.width, image.height, counts.size, Math.max(...counts.values()) / sampled];
}"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                                      "(apt-get install chromium)"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


@pytest.fixture(scope="module")
def site(demo_output: Path) -> Path:
    return demo_output


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    kept = os.environ.get("SITEGEN_SCREENSHOTS")
    path = Path(kept) if kept else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as launched:
        yield launched


def test_screenshots_of_a_client_page_and_a_report(site: Path, folder: Path, browser) -> None:
    problems: list[str] = []
    pictures = {}
    for mode in MODES:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      color_scheme="dark" if mode == "dark" else "light")
        try:
            page = context.new_page()
            page.on("console", lambda m, mode=mode: m.type == "error" and problems.append(f"{mode}: {m.text}"))
            page.on("pageerror", lambda e, mode=mode: problems.append(f"{mode}: {e}"))
            for kind, rel in PAGES.items():
                page.goto((site / rel).resolve().as_uri(), wait_until="load")
                page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
                if mode == "print":
                    page.emulate_media(media="print")
                    page.wait_for_function("[...document.images].every(i => i.loading === 'lazy' || i.complete)")
                shot = page.screenshot(full_page=True, path=str(folder / f"{kind}-{mode}.png"))
                pictures[(kind, mode)] = page.evaluate(PICTURE, base64.b64encode(shot).decode("ascii"))
                page.emulate_media(media="screen")
        finally:
            context.close()
    assert problems == []
    for (kind, mode), (width, height, colours, commonest) in pictures.items():
        assert (folder / f"{kind}-{mode}.png").stat().st_size > 20_000, (kind, mode)
        assert width == 1280 and height >= 900, (kind, mode, height)
        assert colours > 20 and commonest < 0.99, (kind, mode, colours, commonest)
    # dark is another picture than light; print is not dark
    assert pictures[("report", "dark")] != pictures[("report", "light")]
