"""The default theme's partials written in Python (sitegen.render.partials) give the bytes the theme's Jinja
partials render, for any text and language; a theme's own partial, or an edited one, is rendered by Jinja."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.i18n import _, speaking
from sitegen.render.partials import SHIPPED, WRITTEN_PARTIALS, card_html, chart_html, shipped, table_html
from sitegen.render.report_page import _table_fields, spec_json_html
from sitegen.render.tables import RenderedTable
from sitegen.render.themes import environment, page_environment, resolve_theme

REPO = Path(__file__).resolve().parents[1]
THEME = resolve_theme(REPO, "default")
LANGS = ["en", "de"]
settings.register_profile("partials", deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=st.sampled_from(list("ab <>&'\"%()é–\n")), max_size=8)
units = st.sampled_from(["text", "date", "count", "money", "percent", "multiple"])


@st.composite
def tables(draw):
    headers = tuple(draw(st.lists(st.tuples(words, units), min_size=1, max_size=4)))
    shown = draw(st.integers(0, 4))
    columns = [[draw(words) for _ in range(shown)] for _ in headers]
    keys = draw(st.none() | st.just([None if unit == "text" else
                                     [draw(st.sampled_from(["", "1.5", "-2e+20", "2026-10-01"])) for _ in range(shown)]
                                     for _label, unit in headers]))
    return RenderedTable(draw(words), draw(words), headers, columns, shown + draw(st.integers(0, 3)), keys)


@settings(settings.get_profile("partials"), max_examples=300)
@given(table=tables(), lang=st.sampled_from(LANGS))
def test_table_partial(table, lang):
    with speaking(lang):
        expected = page_environment(THEME, lang).get_template("partials/table.html").render(table=table)
        assert table_html(table) == expected


@settings(settings.get_profile("partials"), max_examples=300)
@given(number=st.integers(1, 30), title=words, image=st.sampled_from([None, "charts/likes_daily.svg", "a&b.svg"]),
       spec=st.one_of(st.none(), words.map(lambda w: spec_json_html('{"x": "' + w + '"}'))), table=st.none() | tables(),
       lang=st.sampled_from(LANGS))
def test_chart_partial(number, title, image, spec, table, lang):
    table = table if spec else None
    with speaking(lang):
        summary = _("Data table") if table else None
        expected = page_environment(THEME, lang).get_template("partials/chart.html").render(
            id=f"chart-{number}", name="likes_daily", title=title, image=image, spec=spec,
            data=dict(_table_fields(table), summary=summary) if table else None)
        assert chart_html(f"chart-{number}", title, image, spec, table, summary, "likes_daily") == expected


@settings(settings.get_profile("partials"), max_examples=300)
@given(card=st.fixed_dictionaries({
    "id": words, "label": words, "value": words, "previous": words, "change": words, "direction": words,
    "quality": words, "target": st.none() | words, "prorated": st.none() | words, "attainment": words,
    "reason": st.none() | words,
    "status": st.sampled_from([None, "", "beaten", "missed", "<other>"])}), lang=st.sampled_from(LANGS))
def test_card_partial(card, lang):
    with speaking(lang):
        assert card_html(card) == page_environment(THEME, lang).get_template("partials/kpi_card.html").render(
            card=card)


def test_the_partials_written_in_python_are_the_shipped_files():
    """pages.py writes these partials itself while the file is the one it was written after: a changed
    partial is rendered by Jinja (correct, but slower) until pages.py and WRITTEN_PARTIALS follow it."""
    for name, digest in WRITTEN_PARTIALS.items():
        assert hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest() == digest, name


def test_markup_is_not_escaped_twice():
    table = RenderedTable("t", "A & B", (("<b>", "text"),), [["x < y"]], 1)
    html = table_html(table)
    assert 'aria-label="A &amp; B"' in html and "<th scope=\"col\" class=\"text\">&lt;b&gt;</th>" in html
    assert "<td class=\"text\"><bdi>x &lt; y</bdi></td>" in html
    assert isinstance(spec_json_html("{}"), Markup)


def test_a_theme_partial_or_an_edited_one_is_rendered_by_jinja(tmp_path):
    project = tmp_path / "project"
    mine = project / "themes" / "mine"
    (mine / "templates" / "partials").mkdir(parents=True)
    (mine / "theme.toml").write_text('name = "mine"\nextends = "default"\n')
    env = environment(resolve_theme(project, "mine"))
    assert all(shipped(env, name) for name in WRITTEN_PARTIALS)
    (mine / "templates" / "partials" / "table.html").write_text((SHIPPED / "partials/table.html").read_text())
    env = environment(resolve_theme(project, "mine"))
    assert not shipped(env, "partials/table.html") and shipped(env, "partials/chart.html")
