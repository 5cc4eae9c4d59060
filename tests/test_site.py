"""The built site: structure, links, escaping, kpis.json, atomic replacement, golden output."""

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import make_project
from tiny_data import TABLES

from sitegen.build import BuildOptions, build
from sitegen.build.stage import write_site
from sitegen.build.writer import MARKER
from sitegen.errors import SitegenError
from sitegen.metrics.catalogue import KPI_IDS
from sitegen.project.model import slugify
from sitegen.render.files import OutputFile

GOLDEN = Path(__file__).parent / "golden"
EVIL = '<script>alert("x")</script> & <b onmouseover=alert(1)>'
REPORT = """---
title: "October <i>report</i>"
period: {start: 2026-10-01, end: 2026-10-02}
comparison: {start: 2026-09-29, end: 2026-09-30}
---
ROI was {{ kpi("roi") }} ({{ delta("roi") }}); likes {{ kpi("likes") }}.

## Content
{{ chart("likes_daily") }}

{{ table("top_videos", limit=1) }}

{{ table("alerts") }}
"""
CLIENT = f'name = "{EVIL.replace(chr(34), chr(92) + chr(34))}"\nslug = "acme"\nlocale = "de_DE"\ncurrency = "EUR"\n' \
         '[targets]\nroi = 2.0\nlikes = 1000\n'


def evil_tables():
    tables = {k: [dict(r) for r in rows] for k, rows in TABLES.items()}
    tables["ads"][0]["campaign"] = EVIL
    tables["videos"][0]["title"] = EVIL
    tables["orders"][0]["source"] = EVIL
    return tables


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("proj"), evil_tables(), {"2026-10.md": REPORT},
                        client_toml=CLIENT, site_toml='title = "Agency & Co"\nstatic_charts = true\n')
    out = root / "output"
    with pytest.MonkeyPatch.context() as patch:  # the published record's date: the same on every day
        patch.setenv("SOURCE_DATE_EPOCH", "1793836800")  # 5 Nov 2026
        build(root, BuildOptions(output=out))
    return out


def tree(folder: Path, skip=("assets/vendor/",)) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith(skip)}


def test_layout(site):
    files = tree(site, skip=())
    for path in ["index.html", "acme/index.html", "acme/2026-10/index.html", "acme/2026-10/kpis.json",
                 "acme/2026-10/kpis.csv", "assets/style.css", "assets/report.js", "assets/vendor/vega-bundle.js",
                 MARKER]:
        assert path in files, path


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append(value)

    def handle_data(self, data):
        self.text.append(data)


def parse(html: bytes) -> _Collector:
    collector = _Collector()
    collector.feed(html.decode("utf-8"))
    return collector


def test_data_values_are_escaped(site):
    for path in ["index.html", "acme/index.html", "acme/2026-10/index.html"]:
        page = parse((site / path).read_bytes())
        assert not any(tag in ("b", "i") or "onmouseover" in attrs for tag, attrs in page.tags), path
        scripts = [a for t, a in page.tags if t == "script"]
        assert all(a.get("src", "").endswith(".js") or a.get("type") == "application/json" for a in scripts)
    report = (site / "acme/2026-10/index.html").read_text()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in report  # the client name, shown as text
    assert "October &lt;i&gt;report&lt;/i&gt;" in report
    assert "<\\/script>" not in report and "\\u003cscript\\u003e" in report  # chart data inside JSON


def test_links_are_relative_and_resolve(site):
    for page_path in site.rglob("*.html"):
        for link in parse(page_path.read_bytes()).links:
            assert not link.startswith(("/", "http:", "https:", "//")), (page_path, link)
            target = (page_path.parent / link.split("#")[0]).resolve()
            assert target.exists(), (page_path, link)


def test_kpis_json(site):
    document = json.loads((site / "acme/2026-10/kpis.json").read_text())
    assert document["client"] == EVIL
    assert document["period"] == {"start": "2026-10-01", "end": "2026-10-02"}
    assert set(document["kpis"]) == set(KPI_IDS)
    assert document["kpis"]["spend"] == {"value": 150, "previous": 999, "target": None,
                                         "change": pytest.approx((150 - 999) / 999), "attainment": None,
                                         "unit": "money", "sources": ["ads.spend"]}
    assert document["kpis"]["roi"]["target"] == 2
    csv_text = (site / "acme/2026-10/kpis.csv").read_text()
    assert csv_text.splitlines()[0] == "kpi,label,unit,value,previous,change,target,attainment"
    assert "\nspend,Ausgaben,money,150,999," in csv_text


def test_no_nan_or_inf_reaches_a_page(site):
    for path in site.rglob("*"):
        if path.suffix in (".html", ".json", ".csv"):
            text = path.read_text()
            assert not re.search(r"\b(nan|NaN|inf|Infinity|None)\b", text), path


def test_german_client_is_formatted_in_german(site):
    report = (site / "acme/2026-10/index.html").read_text()
    assert 'lang="de-DE"' in report
    assert "150,00\xa0€" in report and "166,7\xa0%" in report  # spend and ROI


def test_failed_build_keeps_previous_site(tmp_path):
    root = make_project(tmp_path, {"ads": TABLES["ads"]}, {"2026-10.md": "Hi"})
    out = tmp_path / "output"
    build(root, BuildOptions(output=out))
    before = tree(out, skip=())
    (root / "content/acme/data/ads.csv").write_text("date,campaign,spend\n2026-10-01,A,lots\n")
    with pytest.raises(SitegenError):
        build(root, BuildOptions(output=out))
    assert tree(out, skip=()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output")] == []


def test_refuses_foreign_output_folder(tmp_path):
    root = make_project(tmp_path / "p", {"ads": TABLES["ads"]}, {"2026-10.md": "Hi"})
    foreign = tmp_path / "important"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(SitegenError, match="not made by sitegen"):
        build(root, BuildOptions(output=foreign))
    assert (foreign / "thesis.docx").read_text() == "precious"
    with pytest.raises(SitegenError, match="holds the project's sources"):
        build(root, BuildOptions(output=root / "content"))


def test_writer_refuses_escaping_and_conflicting_paths(tmp_path):
    with pytest.raises(SitegenError, match="outside the output folder"):
        write_site([OutputFile("../evil.html", b"x")], tmp_path / "out")
    with pytest.raises(SitegenError, match="two pages would be written to a/index.html"):
        write_site([OutputFile("a/index.html", b"1"), OutputFile("a/index.html", b"2")], tmp_path / "out")
    assert not (tmp_path / "evil.html").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, slug", [
    ("Nordlicht Kosmetik", "nordlicht-kosmetik"), ("Straße & Söhne", "strasse-sohne"),
    ("../../etc/passwd", "etc-passwd"), ("<b>x</b>", "b-x-b"), ("???", "")])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_duplicate_report_slugs_are_an_error(tmp_path):
    root = make_project(tmp_path, {"ads": TABLES["ads"]},
                        {"2026-10.md": "A", "october.md": "---\nslug: 2026-10\nperiod: 2026-10\n---\nB"})
    with pytest.raises(SitegenError, match="report slug '2026-10' is also used by"):
        build(root, BuildOptions(output=tmp_path / "out"))


def test_deterministic_output(tmp_path):
    root = make_project(tmp_path, evil_tables(), {"2026-10.md": REPORT}, client_toml=CLIENT)
    build(root, BuildOptions(output=tmp_path / "a"))
    build(root, BuildOptions(output=tmp_path / "b"))
    digest = {k: hashlib.sha256(v).hexdigest() for k, v in tree(tmp_path / "a", skip=()).items()}
    assert digest == {k: hashlib.sha256(v).hexdigest() for k, v in tree(tmp_path / "b", skip=()).items()}


def test_golden_output(site):
    """The small project's site, byte for byte (SITEGEN_UPDATE_GOLDEN=1 rewrites the expectation)."""
    actual = {k: v for k, v in tree(site, skip=("assets/",)).items() if k != MARKER}  # assets: theme copies
    expected_dir = GOLDEN / "expected"
    if os.environ.get("SITEGEN_UPDATE_GOLDEN") and not os.environ.get("CI"):
        for old in expected_dir.rglob("*"):
            if old.is_file():
                old.unlink()
        for rel, data in actual.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(data)
    expected = tree(expected_dir, skip=())
    assert sorted(actual) == sorted(expected)
    for rel in expected:
        if "/charts/" in rel:  # drawn by vl-convert, whose SVG may differ by version: same chart, not same bytes
            assert actual[rel].startswith(b"<svg") and b"</svg>" in actual[rel], rel
            continue
        assert actual[rel].decode() == expected[rel].decode(), rel


def test_worker_processes_give_the_same_site_and_errors(tmp_path):
    from sitegen.demo import generate_many
    generate_many(tmp_path / "p", 3, 2)
    build(tmp_path / "p", BuildOptions(output=tmp_path / "one", jobs=1))
    build(tmp_path / "p", BuildOptions(output=tmp_path / "two", jobs=2))
    assert tree(tmp_path / "one", skip=()) == tree(tmp_path / "two", skip=())
    broken = sorted((tmp_path / "p" / "content").glob("*/data/ads-*.csv"))[-1]
    lines = broken.read_text().splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[0], "someday", 1)
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(SitegenError) as info:
        build(tmp_path / "p", BuildOptions(output=tmp_path / "two", jobs=2))
    assert str(info.value) == f"{broken}:2:date: found 'someday', expected a date like 2026-10-31"


def test_worker_pool_is_forked_only_when_that_is_safe(tmp_path, monkeypatch):
    from sitegen.build import executors
    from sitegen.demo import generate_many
    from sitegen.render import assets
    generate_many(tmp_path / "p", 3, 2)
    build(tmp_path / "p", BuildOptions(output=tmp_path / "one", jobs=1))
    # in a fresh process (this one may run other threads, and vl-convert's engine): fork, unless another
    # thread runs (it may hold a lock at the fork that the child would wait on forever); the pool is forked
    script = """if __name__ == "__main__":
    import sys, threading
    from pathlib import Path
    from sitegen.build import BuildOptions, build, executors
    print(executors.start_method(True), executors.start_method(False))
    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait)
    waiter.start()
    print(executors.start_method(True))
    stop.set()
    waiter.join()
    used, real = [], executors.start_method
    executors.start_method = lambda safe: used.append(real(safe)) or used[-1]
    build(Path(sys.argv[1]), BuildOptions(output=Path(sys.argv[2]), jobs=2, use_cache=False))
    print(*used)
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "p"), str(tmp_path / "forked")],
                          capture_output=True, text=True, timeout=300)
    assert done.stdout.split("\n") == ["fork spawn", "spawn", "fork", ""], done.stderr
    used = []
    real = executors.start_method
    monkeypatch.setattr(executors, "start_method", lambda safe: used.append(real(safe)) or used[-1])
    monkeypatch.setattr(assets, "_engine_started", True)  # vl-convert's engine ran here: spawn
    build(tmp_path / "p", BuildOptions(output=tmp_path / "spawned", jobs=2, use_cache=False))
    assert used == ["spawn"]
    assert tree(tmp_path / "one", skip=()) == tree(tmp_path / "forked", skip=()) == tree(tmp_path / "spawned", skip=())


def test_report_shows_data_coverage_and_missing_days(tmp_path):
    rows = [dict(date=f"2026-10-{d:02d}", campaign="A", spend="1") for d in (1, 2, 4, 5)]
    root = make_project(tmp_path, {"ads": rows}, {"2026-10.md": "x"})
    build(root, BuildOptions(output=root / "output"))
    page = (root / "output/acme/2026-10/index.html").read_text()
    assert "Data from Oct 1, 2026 to Oct 5, 2026; no data on Oct 3, 2026" in page


def test_bundled_demo_builds_without_warnings(tmp_path):
    result = build(Path(__file__).resolve().parents[1], BuildOptions(output=tmp_path / "demo", strict=True))
    assert result.reports == 9 and result.warnings == []


