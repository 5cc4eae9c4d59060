"""`sitegen pdf`: the demo project printed to one PDF per report by headless Chromium, each a real PDF whose
first page is not blank; a second run gives the same files and clears what a killed run left; without
Playwright it says what to install in one line, exit code 2."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import make_project, run_cli

from sitegen.cli import main
from sitegen.pdf import MISSING

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
DEMO_REPORTS = 9

needs_chromium = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at "
                                                                   f"{CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
def playwright():
    return pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


def _pdfs(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def _png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of an 8-bit RGB PNG (what pdftoppm -png writes), decoded with zlib."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pos, chunks, header = 8, [], None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            chunks.append(data)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 2, 0), header
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * 3, [], bytearray(width * 3)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - 3] if x >= 3 else 0
            up, corner = previous[x], previous[x - 3] if x >= 3 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, b"".join(rows)


def _page_inks(pdf: Path, tmp: Path) -> list[tuple[int, float]]:
    """Per page: distinct colours and the share of non-white pixels, from pdftoppm's PNG of each page."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", "20", str(pdf), str(tmp / "page")], check=True, timeout=60)
    inks = []
    for png in sorted(tmp.glob("page*.png")):
        width, height, pixels = _png_pixels(png.read_bytes())
        rgb = [pixels[i:i + 3] for i in range(0, width * height * 3, 3)]
        inks.append((len(set(rgb)), sum(p != b"\xff\xff\xff" for p in rgb) / len(rgb)))
    return inks


@pytest.fixture(scope="module")
def demo(tmp_path_factory, playwright) -> tuple[Path, object]:
    """The bundled demo project (copied: the repository's output/ stays untouched), printed once."""
    root = tmp_path_factory.mktemp("pdf") / "demo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "sitegen.toml", root / "sitegen.toml")
    return root, run_cli("pdf", root, timeout=300)


@pytest.mark.browser
@needs_chromium
def test_demo_gives_one_pdf_per_report(demo) -> None:
    root, run = demo
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert re.fullmatch(rf"wrote {DEMO_REPORTS} PDFs to \S*pdf/\n", run.stdout), run.stdout
    site = root / "output"
    reports = sorted(p.relative_to(site).parent.as_posix() + ".pdf" for p in site.glob("*/*/index.html")
                     if p.parts[-3] != "assets")
    assert len(reports) == DEMO_REPORTS
    assert _pdfs(root / "pdf") == reports  # and nothing else: no temporary files left
    for rel in reports:
        pdf = root / "pdf" / rel
        assert pdf.read_bytes().startswith(b"%PDF-"), rel
        assert _pages(pdf) >= 1, rel


@pytest.mark.browser
@needs_chromium
def test_every_page_is_readable_and_not_blank(demo, tmp_path: Path) -> None:
    root, run = demo
    assert run.returncode == 0, run.stderr
    pdf = root / "pdf" / "fjord-outdoor" / "2026-10.pdf"
    inks = _page_inks(pdf, tmp_path)
    assert len(inks) == _pages(pdf) >= 2  # sections start on new pages
    colours, inked = inks[0]
    assert colours > 10, "the first page has almost no colours: is it blank?"
    for number, (_, share) in enumerate(inks, 1):
        assert share > 0.001, f"page {number}: only {share:.2%} is not white"


@pytest.mark.browser
@needs_chromium
def test_second_run_gives_the_same_files_and_clears_a_killed_run(tmp_path: Path, playwright) -> None:
    root = make_project(tmp_path / "project")
    pdf_dir = tmp_path / "mailing"
    first = run_cli("pdf", root, "--pdf-dir", pdf_dir, "--quiet")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert _pdfs(pdf_dir) == ["acme/2026-10.pdf"]
    (pdf_dir / "acme" / ".2026-10.pdf.part").write_bytes(b"%PDF-1.4 truncated")  # a run killed mid-write

    second = run_cli("pdf", root, "--pdf-dir", pdf_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"wrote 1 PDF to {pdf_dir}/\n"
    assert _pdfs(pdf_dir) == ["acme/2026-10.pdf"]
    assert _pages(pdf_dir / "acme" / "2026-10.pdf") >= 1


@pytest.mark.browser
@needs_chromium
def test_charts_not_drawn_are_warnings(tmp_path: Path, monkeypatch, playwright) -> None:
    from sitegen.pdf import write_pdfs

    monkeypatch.setattr("sitegen.pdf.CHART_TIMEOUT_MS", 300)
    site = tmp_path / "site"
    for report, figure in [("failed", "chart chart-failed"), ("never", "chart")]:  # (report.js marks a failure)
        page = site / "acme" / report / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<!doctype html><title>t</title><figure class="{figure}"><div class="chart-view">'
                        "</div></figure>", encoding="utf-8")
    warnings: list[str] = []
    written = write_pdfs(site, tmp_path / "pdf", [("acme", "failed"), ("acme", "never")], warnings.append)
    assert written == [tmp_path / "pdf" / "acme" / "failed.pdf", tmp_path / "pdf" / "acme" / "never.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written)
    assert len(warnings) == 2 and all("1 chart(s) could not be drawn" in w for w in warnings), warnings


def test_without_playwright_one_line_and_exit_2(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    result = CliRunner().invoke(main, ["pdf", str(make_project(tmp_path / "project"))])
    assert result.exit_code == 2
    assert result.output == f"error: {MISSING}\n"
    assert "Traceback" not in result.output
    assert not (tmp_path / "project" / "output").exists(), "nothing is built when the PDFs cannot be printed"


@pytest.mark.browser
def test_a_browser_that_does_not_start_is_the_same_one_line(tmp_path: Path, monkeypatch, playwright) -> None:
    monkeypatch.setattr("sitegen.pdf.CHROMIUM", Path("/bin/false"))  # there, but not a browser
    result = CliRunner().invoke(main, ["pdf", str(make_project(tmp_path / "project")), "--quiet"])
    assert result.exit_code == 2
    assert result.output == f"error: {MISSING}\n"
    assert not (tmp_path / "project" / "pdf").exists()


@pytest.mark.parametrize("pdf_dir", ["content", "content/acme", ".", "output", "output/pdf"])
def test_refuses_sources_and_the_output_folder(tmp_path: Path, pdf_dir: str) -> None:
    root = make_project(tmp_path / "project")
    result = CliRunner().invoke(main, ["pdf", str(root), "--pdf-dir", str(root / pdf_dir)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("error: ") and ": refusing to write PDFs" in line, line
