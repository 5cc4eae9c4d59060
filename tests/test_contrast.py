"""WCAG contrast of a client's brand colour: hand-computed ratios, the nearest colour that passes for text, the
page's --brand-on-page and the build's one warning."""

from __future__ import annotations

import pytest
from helpers import build, make_project
from hypothesis import given
from hypothesis import strategies as st

from sitegen.project.contrast import TEXT_CONTRAST, contrast, luminance, text_colour

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_hand_computed_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == 1.0
    # #777777: each channel (0x77/255 + 0.055) / 1.055 = 0.494548, ** 2.4 = 0.184475; (1.05) / (0.234475) = 4.478
    assert luminance("#777777") == pytest.approx(0.184475, abs=1e-6)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.478, abs=1e-3)
    assert contrast("#ffffff", "#777777") == contrast("#777777", "#ffffff")
    # #767676 is the lightest grey that passes: 0.181164 -> 1.05 / 0.231164 = 4.542
    assert contrast("#767676", "#ffffff") == pytest.approx(4.542, abs=1e-3)
    # pure red: 0.2126 -> 1.05 / 0.2626 = 3.998
    assert contrast("#ff0000", "#ffffff") == pytest.approx(3.998, abs=1e-3)


def test_a_passing_colour_stays_and_a_failing_one_is_darkened_just_enough():
    assert text_colour("#0F766E") == "#0f766e"  # 5.47:1
    assert text_colour("#777777") == "#767676"  # 1 % black: 119 * 0.99 = 117.8 -> 118
    assert text_colour("#ffcc00") == "#8f7200"  # 44 % black: 255 * 0.56 = 142.8, 204 * 0.56 = 114.2
    assert text_colour("#ffffff", "#000000") == "#ffffff"
    assert text_colour("#000000", "#0b1120") != "#000000"  # on a dark page: lightened


@given(colours, st.sampled_from(["#ffffff", "#f8fafc", "#0b1120", "#000000"]))
def test_the_text_colour_always_passes(colour, background):
    adjusted = text_colour(colour, background)
    assert contrast(adjusted, background) >= TEXT_CONTRAST
    if contrast(colour, background) >= TEXT_CONTRAST:
        assert adjusted == colour


def test_the_build_warns_once_and_the_page_uses_the_adjusted_colour(tmp_path):
    project = make_project(tmp_path / "p", client_toml='name = "Sunny"\n[branding]\nprimary_color = "#FFCC00"\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    warnings = [w for w in run.warning_lines if "primary_color" in w]
    assert len(warnings) == 1, run.stderr
    # #ffcc00: 0.2126 * 1 + 0.7152 * ((0.8 + 0.055) / 1.055) ** 2.4 = 0.6445 -> 1.05 / 0.6945 = 1.51
    assert "client 'Sunny'" in warnings[0] and "#FFCC00" in warnings[0] and "1.51:1" in warnings[0]
    assert "#8f7200" in warnings[0]
    page = (tmp_path / "out" / "acme" / "2026-10" / "index.html").read_text(encoding="utf-8")
    assert "--brand: #FFCC00; --brand-on-page: #8f7200;" in page
    assert build(project, tmp_path / "out2", "--strict").returncode != 0


def test_a_passing_colour_gives_no_warning_and_no_second_colour(tmp_path):
    project = make_project(tmp_path / "p", client_toml='[branding]\nprimary_color = "#92400e"\n')
    run = build(project, tmp_path / "out")
    assert run.returncode == 0 and "primary_color" not in run.stderr
    assert "--brand-on-page" not in (tmp_path / "out" / "acme" / "2026-10" / "index.html").read_text("utf-8")
