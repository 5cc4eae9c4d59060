"""Themes, white-label branding, locales and translations."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from helpers import build as cli_build

from sitegen.build import BuildOptions, build
from sitegen.build.writer import MARKER
from sitegen.errors import SitegenError
from sitegen.i18n import LOCALE_DIR
from sitegen.render import chart_images
from sitegen.render.d3_locale import d3_format_locale
from sitegen.render.formatting import Formatter
from sitegen.render.themes import builtin_themes, environment, resolve_theme

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def set_site(root: Path, old: str, new: str) -> None:
    config = root / "sitegen.toml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new, 1))


def page(output: Path, client: str = "nordlicht-kosmetik", report: str = "2026-10") -> str:
    return (output / client / report / "index.html").read_text(encoding="utf-8")


# -- themes -------------------------------------------------------------------------------------

def test_both_builtin_themes_are_shipped_with_a_manifest():
    for name in ("default", "dashboard"):
        assert (builtin_themes() / name / "theme.toml").is_file()
    theme = resolve_theme(REPO, "dashboard")
    assert [name for name, _ in theme.levels] == ["dashboard", "default"]
    assert theme.variables == {"show_downloads": True, "columns": 2, "commentary_open": False}


def test_project_overrides_theme_which_overrides_its_parent(demo_project, tmp_path):
    set_site(demo_project, 'theme = "default"', 'theme = "dashboard"')
    themes = demo_project / "themes" / "dashboard"
    write(themes / "templates/partials/kpi_card.html", '<div class="card project-card">{{ card.label }}</div>\n')
    write(themes / "static/dashboard.css", "/* the project's own */\n")
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    html = page(tmp_path / "out")
    assert "project-card" in html  # the project's partial
    assert 'class="dash-grid"' in html  # the dashboard theme's report.html
    assert 'class="skip"' in html  # the default theme's base.html
    assert (tmp_path / "out/assets/dashboard.css").read_text() == "/* the project's own */\n"
    assert (tmp_path / "out/assets/report.js").is_file()  # inherited from default


def test_template_extends_its_parents_version_of_itself(demo_project, tmp_path):
    set_site(demo_project, 'theme = "default"', 'theme = "dashboard"')
    write(demo_project / "themes/dashboard/templates/report.html",
          '{% extends "dashboard:report.html" %}\n'
          '{% block commentary %}<p class="agency-note">Reviewed</p>{{ super() }}{% endblock %}\n')
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    html = page(tmp_path / "out")
    assert '<p class="agency-note">Reviewed</p><details class="section commentary' in html
    assert 'class="dash-grid"' in html


def test_own_theme_with_manifest_variables_and_site_overrides(demo_project, tmp_path):
    write(demo_project / "themes/agency/theme.toml", 'extends = "dashboard"\n[variables]\ncolumns = 3\n')
    write(demo_project / "themes/agency/templates/partials/alerts.html",
          '<p class="cols">{{ theme.columns }} {{ theme.name }}</p>\n')
    set_site(demo_project, 'theme = "default"', 'theme = "agency"')
    build(demo_project, BuildOptions(output=tmp_path / "a"))
    assert '--dash-columns: 3' in page(tmp_path / "a") and '<p class="cols">3 agency</p>' in page(tmp_path / "a")
    set_site(demo_project, 'theme = "agency"', 'theme = "agency"\n[theme_variables]\ncolumns = 1')
    build(demo_project, BuildOptions(output=tmp_path / "b"))
    assert '--dash-columns: 1' in page(tmp_path / "b")


@pytest.mark.parametrize(("manifest", "message"), [
    ('extends = "loop-b"\n', "extend each other in a circle"),
    ('extends = "nope"\n', "unknown theme 'nope'"),
    ('extends = "default"\ncolour = "red"\n', "unknown theme manifest key 'colour'"),
    ('extends = \n', "not valid TOML"),
])
def test_bad_theme_setups_are_one_clear_error(demo_project, manifest, message):
    write(demo_project / "themes/loop-a/theme.toml", manifest)
    write(demo_project / "themes/loop-b/theme.toml", 'extends = "loop-a"\n')
    with pytest.raises(SitegenError, match=re.escape(message)):
        resolve_theme(demo_project, "loop-a")


BLOCKS_TABLE = re.compile(r"<!-- blocks -->(.*?)<!-- /blocks -->", re.S)


def documented_blocks() -> list[tuple[str, str]]:
    table = BLOCKS_TABLE.search((REPO / "docs/user-guide/themes.md").read_text(encoding="utf-8"))[1]
    pairs = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith(".html`"):
            pairs += [(cells[0].strip("`"), b) for b in re.findall(r"`(\w+)`", cells[1])]
    return pairs


def test_every_documented_block_exists():
    pairs = documented_blocks()
    assert len(pairs) >= 20
    env = environment(resolve_theme(REPO, "default"))
    for template, block in pairs:
        source = env.loader.get_source(env, template)[0]
        names = {node.name for node in env.parse(source).find_all(jinja2.nodes.Block)}
        assert block in names, f"{template} has no block {block!r}"


# -- white label ---------------------------------------------------------------------------------

def test_white_label_output_carries_no_sitegen_branding(demo_project, tmp_path):
    write(demo_project / "brand/icon.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    (demo_project / "brand/font.woff2").write_bytes(b"wOF2 not really a font")
    set_site(demo_project, "[branding]\n", '[branding]\nfavicon = "brand/icon.svg"\nfont_file = "brand/font.woff2"\n')
    client_toml = demo_project / "content/harbor-coffee/client.toml"
    client_toml.write_text(re.sub(r'primary_color = "#\w+"', 'primary_color = "#123456"', client_toml.read_text()))
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    out = tmp_path / "out"
    for path in out.rglob("*"):
        if path.is_file() and path.name != MARKER:
            assert b"sitegen" not in path.read_bytes().lower(), path
    html = page(out, "harbor-coffee")
    assert '<link rel="icon" href="../../assets/favicon.svg">' in html
    assert 'src: url("../../assets/font.woff2")' in html
    body_style = html_module.unescape(re.search(r'<body [^>]*style="([^"]*)"', html)[1])
    assert '--font: "Brand", ' in body_style and "--brand: #123456" in body_style
    spec = json.loads(re.search(r'<script type="application/json" id="chart-1-spec">(.*?)</script>', html, re.S)[1])
    assert spec["config"]["range"]["category"][0] == "#123456"  # one palette for pages and charts
    assert (out / "assets/favicon.svg").is_file() and (out / "assets/font.woff2").is_file()


def test_without_branding_the_footer_names_the_tool(demo_project, tmp_path):
    text = (demo_project / "sitegen.toml").read_text()
    (demo_project / "sitegen.toml").write_text(re.sub(r"\[branding\][^\[]*", "", text))
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert "Made with sitegen" in page(tmp_path / "out", "harbor-coffee")


# -- locales and translations --------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "currency", "money", "percent"), [
    ("de_DE", "EUR", "1.234,56\xa0€", "5,8\xa0%"),
    ("en_IE", "EUR", "€1,234.56", "5.8%"),
    ("en_US", "USD", "$1,234.56", "5.8%"),
])
def test_numbers_follow_the_clients_locale(locale, currency, money, percent):
    fmt = Formatter(locale, currency)
    assert fmt.money(1234.56) == money and fmt.percent(0.058) == percent
    d3 = d3_format_locale(locale, currency)
    assert "".join(d3["currency"]).strip("\xa0") == money.replace("1.234,56", "").replace("1,234.56", "").strip("\xa0")
    assert d3["decimal"] == ("," if locale == "de_DE" else ".")


def test_german_report_has_german_words_formats_and_chart_locale(demo_project, tmp_path):
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    html = page(tmp_path / "out")
    assert '<html lang="de-DE">' in html
    for words in ("Zusammenfassung", "Likes und Engagement", "Daten vom 01.07.2026 bis 31.10.2026", "Ausgaben"):
        assert words in html
    assert "Summary" not in html and "Spend" not in html
    locale = json.loads(re.search(r'<script type="application/json" id="chart-locale">(.*?)</script>', html)[1])
    assert locale["format"]["decimal"] == "," and locale["format"]["currency"] == ["", "\xa0€"]
    assert locale["time"]["shortMonths"][9] == "Okt."
    spec = re.search(r'id="chart-1-spec">(.*?)</script>', html)[1]
    assert '"title":"Datum"' in spec  # chart wording is translated too
    english = page(tmp_path / "out", "harbor-coffee")
    assert '<html lang="en-US">' in english and "Summary" in english


def extracted_messages() -> set[str]:
    method_map = [("sitegen/**.py", "python"), ("themes/**/templates/**.html", "jinja2")]
    options = {"themes/**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map=options, keywords={"_": None, "N_": None, "gettext": None,
                                                                   "ngettext": (1, 2)}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_string_is_in_the_english_and_german_catalogues():
    wanted = extracted_messages()
    assert {"Summary", "Spend", "Daily spend and revenue", "Skip to content"} <= wanted
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for lang in ("en", "de"):
        translated = {}
        for m in catalogue(lang):
            if m.id:
                key = m.id if isinstance(m.id, str) else m.id[0]
                translated[key] = m.string if isinstance(m.string, tuple) else (m.string,)
        missing = sorted(w for w in wanted if not all(translated.get(w, ("",))))
        assert not missing, f"{lang}: no translation for {missing}"
        for key, strings in translated.items():
            for text in strings:
                assert sorted(placeholder.findall(text)) == sorted(placeholder.findall(key)), (lang, key, text)


def test_missing_translation_falls_back_to_english_and_strict_reports_it(demo_project, tmp_path):
    write(demo_project / "themes/default/templates/partials/alerts.html",
          '<p class="new">{{ _("Brand new words") }}</p>\n')
    ok = cli_build(demo_project, tmp_path / "a")
    assert ok.returncode == 0 and "Brand new words" in page(tmp_path / "a")
    assert any("no German translation for 'Brand new words'" in w for w in ok.warning_lines)
    strict = cli_build(demo_project, tmp_path / "b", "--strict")
    assert strict.returncode == 2 and "no German translation for 'Brand new words'" in strict.stderr


# -- static chart images --------------------------------------------------------------------------

def test_every_chart_has_a_static_svg_drawn_once(demo_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(tmp_path / "cache"))
    drawn = []
    real = chart_images._render
    monkeypatch.setattr(chart_images, "_render", lambda *a: drawn.append(a[0]) or real(*a))
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    html = page(tmp_path / "out")
    images = re.findall(r'<img class="chart-static" src="(charts/\w+\.svg)"', html)
    specs = re.findall(r'id="chart-\d+-spec"', html)
    assert images and len(images) == len(specs)
    svgs = [(tmp_path / "out/nordlicht-kosmetik/2026-10" / rel).read_text() for rel in images]
    assert all(svg.startswith("<svg") and "</svg>" in svg for svg in svgs)
    assert any("Okt." in svg for svg in svgs)  # the date axis in German, as on the page
    first = len(drawn)
    assert first > 0
    build(demo_project, BuildOptions(output=tmp_path / "again"))
    assert len(drawn) == first  # the second build draws nothing: every image comes from the cache


def test_static_charts_can_be_turned_off(demo_project, tmp_path):
    set_site(demo_project, "static_charts = true", "static_charts = false")
    build(demo_project, BuildOptions(output=tmp_path / "out"))
    assert not list((tmp_path / "out").rglob("*.svg"))
    assert 'class="chart-static"' not in page(tmp_path / "out")


def test_theme_folder_copy_is_independent(tmp_path):
    shutil.copytree(builtin_themes() / "dashboard", tmp_path / "themes/dashboard")
    theme = resolve_theme(tmp_path, "dashboard")
    assert theme.levels[0][1][0] == tmp_path / "themes/dashboard"
