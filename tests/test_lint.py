"""ruff (its settings in pyproject.toml: style, imports, McCabe complexity 12 at most in the package)."""

import shutil
import subprocess

import pytest
from helpers import REPO


@pytest.mark.skipif(shutil.which("ruff") is None, reason='ruff is not installed (pip install -e ".[test]")')
def test_ruff_finds_nothing():
    run = subprocess.run(["ruff", "check", "--no-cache", "sitegen", "tests", "scripts"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
