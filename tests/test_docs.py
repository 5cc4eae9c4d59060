"""The documentation keeps up with the code (Datasette's tests/test_docs.py is the model): every setting, every
command-line option, macro, chart and table kind and KPI id is documented, the docs build with
`mkdocs build --strict`, and the README keeps its two set-up commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers import REPO
from pydantic import BaseModel

from sitegen.cli import main
from sitegen.metrics.catalogue import KPIS
from sitegen.metrics.thresholds import AlertThresholds
from sitegen.project.settings import (
    Branding,
    ClientConfig,
    CreatorSettings,
    FxSettings,
    SiteConfig,
    SourceSettings,
)
from sitegen.render.charts import CHART_KINDS
from sitegen.render.tables import TABLE_KINDS

DOCS = REPO / "docs"
README = REPO / "README.md"
BUILD_COMMAND = 'pip install . && sitegen build'
TEST_COMMAND = 'pip install -e ".[test]" && python -m pytest'


def read(relative: str) -> str:
    return (DOCS / relative).read_text(encoding="utf-8")


def code_spans(text: str) -> set[str]:
    """Every `code span` and the first word of every table row's first cell, stripped of `[...]` and `=`."""
    spans = set(re.findall(r"`([^`\n]+)`", text))
    return spans | {s.strip("[]").split("=")[0].strip() for s in spans}


@pytest.mark.parametrize(("model", "page"), [
    (SiteConfig, "user-guide/configuration.md"),
    (ClientConfig, "user-guide/configuration.md"),
    (Branding, "user-guide/configuration.md"),
    (AlertThresholds, "user-guide/configuration.md"),
    (FxSettings, "user-guide/configuration.md"),
    (CreatorSettings, "user-guide/configuration.md"),
    (SourceSettings, "user-guide/configuration.md"),
])
def test_every_setting_is_documented(model: type[BaseModel], page: str):
    documented = code_spans(read(page))
    missing = [name for name in model.model_fields if name not in documented]
    assert not missing, f"{model.__name__} fields missing from docs/{page}: {missing}"


def _options() -> list[tuple[str, str]]:
    pairs = []
    for name, command in sorted(main.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option):
                pairs += [(name, opt) for opt in param.opts if opt.startswith("--")]
    return pairs


@pytest.mark.parametrize(("command", "option"), _options())
def test_every_command_line_option_is_documented(command: str, option: str):
    text = read("user-guide/cli.md")
    assert f"sitegen {command}" in text, f"`sitegen {command}` has no section in docs/user-guide/cli.md"
    assert re.search(rf"`[^`\n]*{re.escape(option)}\b", text), f"{option} of sitegen {command} is not documented"


def test_every_command_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for name in main.commands:
        assert f"sitegen {name}" in readme


@pytest.mark.parametrize("macro", ["kpi", "delta", "chart", "table"])
def test_every_macro_is_documented(macro: str):
    assert f"{macro}(" in read("user-guide/reports.md")


@pytest.mark.parametrize("name", [*CHART_KINDS, *TABLE_KINDS, "alerts"])
def test_every_chart_and_table_kind_is_documented(name: str):
    assert name in code_spans(read("user-guide/reports.md")), f"{name!r} is missing from docs/user-guide/reports.md"


@pytest.mark.parametrize("kpi", sorted(KPIS))
def test_every_kpi_is_defined(kpi: str):
    assert kpi in code_spans(read("user-guide/kpis.md")), f"KPI {kpi!r} has no definition in docs/user-guide/kpis.md"


def test_the_cache_variable_is_documented():
    assert "SITEGEN_CACHE_DIR" in read("user-guide/cli.md")


def test_readme_has_the_two_commands_and_stays_short():
    text = README.read_text(encoding="utf-8")
    assert BUILD_COMMAND in text and TEST_COMMAND in text
    assert len(text.splitlines()) <= 150, "the README is the front page: keep details in docs/"
    assert "../shared" not in text, "a user's clone has nothing beside it"


def test_ci_runs_the_readme_test_command():
    assert (REPO / ".ci/run").read_text(encoding="utf-8").strip().endswith(TEST_COMMAND)


def test_readme_links_resolve():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)", text)
    assert targets
    missing = [t for t in targets if "://" not in t and not (REPO / t).exists()]
    assert not missing, missing


def test_docs_build_strictly(tmp_path: Path):
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "site" / "developer-guide" / "architecture" / "index.html").is_file()
