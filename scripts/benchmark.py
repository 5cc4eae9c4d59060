"""Build a generated project and print where the time goes.

    python scripts/benchmark.py                      # 20 clients x 12 months = 240 reports
    python scripts/benchmark.py --clients 100 --months 12 --keep /tmp/bench

Prints total seconds, seconds per report, seconds per stage, peak memory (max RSS of this
process) and output size, for a first build (no cached chart images) and a second one with nothing
changed. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sitegen import chart_images
from sitegen.assets import vega_bundle
from sitegen.build import build
from sitegen.demo import generate_many


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, help="worker processes (default: sitegen's choice)")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        start = time.perf_counter()
        generate_many(root, args.clients, args.months)
        generated = time.perf_counter() - start
        vega_bundle()  # made once per vl-convert version and cached in ~/.cache/sitegen: not part of a build
        shutil.rmtree(chart_images.cache_root(root), ignore_errors=True)  # start cold: no chart images drawn yet

        start = time.perf_counter()
        result = build(root, root / "output", jobs=args.jobs)
        total = time.perf_counter() - start
        start = time.perf_counter()
        build(root, root / "output", jobs=args.jobs)
        again = time.perf_counter() - start
        peak_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
              f"{len(__import__('os').sched_getaffinity(0))} cores")
        print(f"project: {args.clients} clients x {args.months} months, generated in {generated:.2f} s")
        print(f"reports: {result.reports}   files: {result.files}   output: {_size(root / 'output') / 1e6:.1f} MB")
        print(f"total:   {total:.2f} s   per report: {1000 * total / max(result.reports, 1):.1f} ms   "
              f"({result.jobs} process{'es' if result.jobs > 1 else ''})")
        print(f"again:   {again:.2f} s with nothing changed (the project's build cache)")
        print("per stage of the first build (CPU seconds, summed over processes):")
        for stage, seconds in result.timings.items():
            print(f"  {stage:<9} {seconds:7.2f} s  {1000 * seconds / max(result.reports, 1):7.1f} ms/report")
        print(f"peak memory (max RSS of the main process or the largest worker): {peak_mb:.0f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
