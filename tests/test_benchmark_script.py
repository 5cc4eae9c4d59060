"""scripts/benchmark.py still runs (a tiny project, no Pelican): a benchmark nobody can run is no benchmark."""

import subprocess
import sys
from pathlib import Path

from helpers import cli_env

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark.py"


def test_benchmark_script_prints_every_figure(tmp_path):
    run = subprocess.run([sys.executable, str(SCRIPT), "--clients", "2", "--months", "2", "--compare", "0",
                          "--keep", str(tmp_path / "bench")], capture_output=True, text=True, env=cli_env(),
                         timeout=600)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    for label in ("cold", "again", "no-cache"):
        line = next(line for line in lines if line.startswith(label))
        assert "ms/report" in line and "peak" in line and "files" in line, line
    assert "output" in next(line for line in lines if line.startswith("cold"))
    assert any("load" in line and "kpis" in line and "pages" in line for line in lines)
