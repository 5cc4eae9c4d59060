"""The bundled demo's commentary: a report's summary already shows its highlights, so no commentary lists them a
second time, and every report ends with its text."""

from __future__ import annotations

from helpers import REPO

from sitegen.demo.text import load_templates


def test_no_demo_commentary_repeats_the_highlights():
    templates = load_templates()
    assert templates
    assert not [key for key, text in templates.items() if 'table("alerts"' in text.template]
    reports = sorted((REPO / "content").glob("*/*.md"))
    assert reports
    assert not [r.name for r in reports if 'table("alerts"' in r.read_text(encoding="utf-8")]


def test_demo_reports_end_with_their_text():
    for report in sorted((REPO / "content").glob("*/*.md")):
        last = report.read_text(encoding="utf-8").rstrip().splitlines()[-1]
        assert last.strip() != "extra", report
