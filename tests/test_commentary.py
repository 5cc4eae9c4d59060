from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.errors import Diagnostics, SitegenError
from sitegen.metrics.periods import Period, month
from sitegen.project.frontmatter import read_commentary, split_lead
from sitegen.render.markup import MacroError, render_commentary


def _read(tmp_path, text, name="2026-10.md", diagnostics=None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_commentary(path, "previous", diagnostics or Diagnostics())


def test_front_matter_and_lead(tmp_path):
    c = _read(tmp_path, "---\ntitle: October\nperiod: 2026-10\nsections: [summary, paid]\n---\n\n"
                        "The lead, {{ kpi('roi') }}.\nStill the lead.\n\n## More\nBody text.\n")
    assert c.title == "October" and c.period == month(2026, 10) and c.comparison == month(2026, 9)
    assert c.sections == ("summary", "paid")
    assert c.lead == "The lead, {{ kpi('roi') }}.\nStill the lead." and c.lead_line == 7
    assert c.body.strip().startswith("## More") and c.body_line == 9


def test_period_from_file_name_and_explicit_dates(tmp_path):
    assert _read(tmp_path, "Text").period == month(2026, 10)
    c = _read(tmp_path, "---\nperiod: {start: 2026-10-05, end: 2026-10-11}\ncomparison: previous_year\n---\n",
              name="week.md")
    assert c.period == Period(date(2026, 10, 5), date(2026, 10, 11))
    assert c.comparison == Period(date(2025, 10, 5), date(2025, 10, 11))
    assert _read(tmp_path, "---\ncomparison: none\n---\n").comparison is None


@pytest.mark.parametrize("front, message, line", [
    ("period: 2026-13", "front matter period: found '2026-13', expected a month", 2),
    ("title: x\nperiod: {start: 2026-10-05, end: 2026-10-01}", "ends (2026-10-01) before it starts", 3),
    ("sections: [summary, gossip]", "front matter sections: expected a list of", 2),
    ("comparison: last_week", "front matter comparison: found 'last_week'", 2),
    ("title: [unclosed", "invalid front matter (YAML)", 2),
])
def test_front_matter_errors_name_file_and_line(tmp_path, front, message, line):
    with pytest.raises(SitegenError) as info:
        _read(tmp_path, f"---\n{front}\n---\nText\n")
    assert message in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / '2026-10.md'}:{line}:")


def test_missing_period_in_a_file_not_named_by_month(tmp_path):
    with pytest.raises(SitegenError, match="period: missing"):
        _read(tmp_path, "Text", name="notes.md")


def test_unknown_front_matter_key_warns(tmp_path):
    diagnostics = Diagnostics()
    _read(tmp_path, "---\nperiod: 2026-10\ncolour: red\n---\n", diagnostics=diagnostics)
    assert diagnostics.warnings == [f"{tmp_path / '2026-10.md'}:3: unknown front matter key 'colour' (ignored)"]


def test_split_lead_skips_headings():
    assert split_lead("## Title\n\ntext", 0)[0] == ""
    assert split_lead("\n\nfirst para\n\nsecond", 0)[:2] == ("first para", 3)


def _macros():
    def kpi(name):
        if name != "roi":
            raise MacroError(f"unknown KPI {name!r}")
        return "<span>12 %</span>"
    return {"kpi": kpi, "chart": lambda name: '<figure class="chart">c</figure>'}


def test_macros_inline_and_block():
    html = render_commentary("ROI **{{ kpi('roi') }}**\n\n{{ chart('x') }}\n", Path("r.md"), 1, _macros())
    assert "<strong><span>12 %</span></strong>" in html
    assert '\n<figure class="chart">c</figure>' in html and "<p><figure" not in html


def test_unknown_macro_argument_names_file_and_line():
    with pytest.raises(SitegenError) as info:
        render_commentary("one\n\ntwo {{ kpi('nope') }}\n", Path("r.md"), 5, _macros())
    assert str(info.value) == "r.md:7: unknown KPI 'nope'"


@pytest.mark.parametrize("source, message", [
    ("{{ kpi('roi' }}", "r.md:1: commentary syntax error"),
    ("x\n{{ undefined_thing }}", "r.md:2: commentary error: 'undefined_thing' is undefined"),
    ("{{ ''.__class__.__mro__ }}", "r.md:1: commentary error: access to attribute '__class__'"),
])
def test_template_errors_and_sandbox(source, message):
    with pytest.raises(SitegenError) as info:
        render_commentary(source, Path("r.md"), 1, _macros())
    assert str(info.value).startswith(message)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | st.dates()


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), _SCALARS | st.lists(_SCALARS, max_size=4)
                       | st.dictionaries(st.text(min_size=1, max_size=8), _SCALARS, max_size=3), max_size=6),
       st.sampled_from([{}, {"default_flow_style": True}, {"allow_unicode": True}]))
def test_libyaml_and_pure_python_front_matter_read_the_same(meta, style):
    """Front matter is read by libyaml where PyYAML has it; it must mean what PyYAML's own parser reads."""
    import yaml

    from sitegen.project import frontmatter as commentary
    text = yaml.safe_dump(meta, **style)
    assert commentary._load(text) == yaml.load(text, commentary._Loader)
    assert commentary._FastLoader is not None  # (the wheels of PyYAML ship libyaml)
