"""Print the shape of the package: modules and their size, imports placed inside functions, functions'
length and McCabe complexity (ruff's C901, every function's number).

    python scripts/code_shape.py            # the sitegen package of this checkout
    python scripts/code_shape.py --package /path/to/other/checkout/sitegen

Import circles and upward imports are checked by import-linter (`lint-imports`, contracts in
pyproject.toml), which tests/test_layering.py runs. A measurement, not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import subprocess
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sitegen"


def modules(package: Path) -> dict[str, ast.Module]:
    return {p.relative_to(package.parent).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(package.rglob("*.py")) if "__pycache__" not in p.parts}


def functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def inner_imports(tree: ast.Module, root: str) -> list[str]:
    """The package's own modules imported inside a function."""
    found = []
    for function in functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == root:
                found.append(node.module)
            elif isinstance(node, ast.Import):
                found.extend(a.name for a in node.names if a.name.split(".")[0] == root)
    return found


def complexity(package: Path) -> list[int]:
    """Every function's McCabe complexity, as ruff counts it (C901 with a threshold of 0)."""
    run = subprocess.run(["ruff", "check", "--select", "C901", "--config", "lint.mccabe.max-complexity = 0",
                          "--output-format", "json", "--exit-zero", "--no-cache", str(package)],
                         capture_output=True, text=True, check=True)
    return [int(item["message"].split("(")[-1].split(" ")[0]) for item in json.loads(run.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", type=Path, default=PACKAGE)
    package = parser.parse_args().package.resolve()
    trees = modules(package)
    lines = {name: len((package.parent / name).read_text(encoding="utf-8").splitlines()) for name in trees}
    print(f"modules: {len(trees)}, {sum(lines.values()):,} lines; over 400 lines: "
          + (", ".join(f"{n} ({lines[n]})" for n in trees if lines[n] > 400) or "none"))
    inner = {name: inner_imports(tree, package.name) for name, tree in trees.items()}
    print(f"imports of {package.name} modules inside functions: {sum(map(len, inner.values()))} in "
          f"{sum(1 for v in inner.values() if v)} modules")
    sizes = [f.end_lineno - f.lineno + 1 for tree in trees.values() for f in functions(tree)]
    print(f"functions: {len(sizes)}; lines: median {statistics.median(sizes):g}, over 60: "
          f"{sum(s > 60 for s in sizes)}, over 100: {sum(s > 100 for s in sizes)}, longest {max(sizes)}")
    scores = complexity(package)
    print(f"McCabe complexity: median {statistics.median(scores):g}, over 10: {sum(s > 10 for s in scores)}, "
          f"over 12: {sum(s > 12 for s in scores)}, highest {max(scores)}")


if __name__ == "__main__":
    main()
