"""The layout's rules, so that a later change cannot quietly undo them: imports run one way (import-linter's
contracts in pyproject.toml: the packages are layers, and no package has an import circle), a sitegen module is
imported inside a function only where start-up time says so (and that saving holds), no value is typed as
`object`, and modules and functions stay the size a reader takes in at once."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

from helpers import REPO, cli_env
from importlinter.cli import lint_imports

PACKAGE = REPO / "sitegen"
MODULE_LINES = 400
FUNCTION_LINES = 60

# (module, the sitegen module it imports inside a function): why
DEFERRED = {
    ("sitegen/build/schedule.py", "sitegen.build.workers"):
        "a build that finds nothing changed does without pandas, pyarrow and Altair",
    ("sitegen/cli.py", "sitegen.check"): "the other commands do without the data stage (pandas, pyarrow)",
}


def _modules() -> dict[str, ast.Module]:
    return {p.relative_to(REPO).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_imports_run_one_way():
    assert lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_sitegen_modules_are_imported_inside_a_function_only_to_spare_start_up_time():
    found = set()
    for name, tree in _modules().items():
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sitegen"):
                    found.add((name, node.module if node.module != "sitegen.build" else
                               f"sitegen.build.{node.names[0].name}"))
                elif isinstance(node, ast.Import):
                    found.update((name, a.name) for a in node.names if a.name.startswith("sitegen"))
    assert found == set(DEFERRED)


def test_a_build_that_finds_nothing_changed_imports_neither_pandas_nor_altair(tmp_path, demo_project):
    """What the deferred imports are for: a fresh process rebuilding an unchanged project."""
    output = tmp_path / "out"
    code = ("import sys; from pathlib import Path; from sitegen.cli import main; sys.argv = ['sitegen', 'build', "
            f"{str(demo_project)!r}, '--output', {str(output)!r}, '--quiet']\ntry:\n    main()\nexcept SystemExit:\n"
            "    pass\nprint(sorted(m for m in ('pandas', 'altair', 'numpy') if m in sys.modules))")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=300)
    assert first.returncode == 0 and "'pandas'" in first.stdout, first.stderr  # the data was loaded
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "[]", again.stderr
    shutil.rmtree(output)


def test_no_value_is_typed_as_object():
    """`object` in a signature or a field stood in for a type an import circle kept out; none is left."""
    found = []
    for name, tree in _modules().items():
        for node in ast.walk(tree):
            annotations = [node.annotation] if isinstance(node, ast.AnnAssign | ast.arg) and node.annotation else []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
                annotations.append(node.returns)
            for annotation in annotations:
                if any(isinstance(n, ast.Name) and n.id == "object" for n in ast.walk(annotation)):
                    found.append(f"{name}:{node.lineno}")
    assert found == []


def test_modules_and_functions_stay_small():
    """Complexity is ruff's C901 (pyproject.toml); length is counted here."""
    long_modules = [f"{name} ({n} lines)" for name in _modules()
                    if (n := len((REPO / name).read_text(encoding="utf-8").splitlines())) > MODULE_LINES]
    long_functions = [f"{name}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
                      for name, tree in _modules().items() for f in _functions(tree)
                      if f.end_lineno - f.lineno + 1 > FUNCTION_LINES]
    assert long_modules == [] and long_functions == []


def test_no_package_file_is_left_without_its_module():
    """Every folder of the package is a package (no stray folder of old modules)."""
    assert [p for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__"
            and not (p / "__init__.py").exists() and p.name not in ("locale",)
            and "locale" not in p.relative_to(PACKAGE).parts] == []
