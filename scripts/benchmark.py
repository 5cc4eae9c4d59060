"""Generate a large project, build it, and build 1,000 plain markdown pages with Pelican beside it.

    pip install -e ".[bench]"                         # sitegen and Pelican (for the side-by-side)
    python scripts/benchmark.py                       # 1,000 clients x 12 months = 12,000 reports
    python scripts/benchmark.py --clients 20 --compare 0 --keep /tmp/bench

Every build runs in a fresh process (`python -m sitegen build`, or `pelican`); its peak memory is the
largest sum of resident memory of that process and its workers, sampled every 50 ms. Prints, per build:
wall seconds, ms per report, CPU seconds of all its processes (user + system; steadier than wall time on a
busy VM) and per stage (summed over worker processes), peak memory and output size. Builds of the big project:
  cold    nothing cached (no build cache, no converted data, no chart images)
  again   nothing changed: the project's build cache
  no-cache  `--no-cache`: everything rebuilt, converted data (Parquet cache) reused
A benchmark, not a test: nothing here asserts a time.

Where the project lies matters: on the VM of docs/benchmarks.md, creating a file in a new folder
under /tmp cost about 0.6 ms of system time, under /work 0.03 ms (`--keep` picks the folder).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sitegen.demo import generate_many
from sitegen.project.privacy import new_password, new_secret, write_secrets

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CACHE = ".sitegen-cache"


def _tree_rss(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1]: the parent's pid
        rss[pid] = int(fields[21]) * PAGE_SIZE
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], env: dict | None = None) -> tuple[float, int, str, float]:
    """(wall seconds, peak resident bytes of the process tree, stdout, CPU seconds of the process tree) of a
    command. The CPU seconds (user + system, the command's and its workers') vary less than wall time on a
    busy or throttled machine."""
    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak, done = 0, threading.Event()

    def sample():
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{err[-4000:]}")
    return seconds, peak, out, _children_cpu() - cpu


BUILD = """
import json, sys
from pathlib import Path
from sitegen.build import BuildOptions, build
options = BuildOptions(output=Path(sys.argv[2]), jobs=int(sys.argv[3]) or None, use_cache=sys.argv[4] == "1")
r = build(Path(sys.argv[1]), options)
print(json.dumps({"reports": r.reports, "files": r.files, "bytes": r.bytes, "jobs": r.jobs,
                  "timings": dict(r.timings), "work": dict(r.work),
                  "imported": [m for m in ("pandas", "pyarrow", "altair") if m in sys.modules]}))
"""


def sitegen_build(root: Path, jobs: int | None, use_cache: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SITEGEN_CACHE_DIR"}  # every cache in the project
    seconds, peak, out, cpu = run([sys.executable, "-c", BUILD, str(root), str(root / "output"), str(jobs or 0),
                              "1" if use_cache else "0"], env)
    return {**json.loads(out.strip().splitlines()[-1]), "seconds": seconds, "peak": peak, "cpu": cpu}


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def show(label: str, result: dict, output: Path | None = None) -> None:
    reports = max(result["reports"], 1)
    size = f"   output {_size(output) / 1e6:,.0f} MB" if output else ""
    processes = f"{result['jobs']} process{'es' if result['jobs'] != 1 else ''}"
    print(f"{label:<9} {result['seconds']:8.2f} s   {1000 * result['seconds'] / reports:6.2f} ms/report   "
          f"peak {result['peak'] / 1e6:,.0f} MB   {result['files']:,} files{size}   ({processes}, "
          f"CPU {result['cpu']:.1f} s)")
    stages = result["timings"]
    if stages:
        print("          CPU s per stage: " + "   ".join(f"{k} {v:.2f} ({1000 * v / reports:.2f} ms/rep)"
                                                       for k, v in stages.items() if v >= 0.005))


def pelican_pages(root: Path, pages: int) -> Path:
    """A Pelican project of `pages` plain markdown articles, about the size of a report's commentary."""
    content = root / "content"
    content.mkdir(parents=True)
    body = ("Likes rose **12%** on the back of two trend videos; the *spring* campaign carried paid reach.\n\n"
            "- Reply rate held at 91%, median first answer 38 minutes.\n- Discount code SPRING10 led revenue.\n\n"
            "## Next month\n\nShift budget to the best converting ad group and test two creator posts.\n") * 3
    for i in range(pages):
        (content / f"page-{i:05d}.md").write_text(
            f"Title: Report {i}\nDate: 2026-10-{1 + i % 28:02d}\nCategory: client-{i // 12:04d}\n\n{body}",
            encoding="utf-8")
    (root / "pelicanconf.py").write_text(
        'SITENAME = "Bench"\nPATH = "content"\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\nRELATIVE_URLS = True\n'
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = False\n", encoding="utf-8")
    return root


def compare(pages: int, jobs: int | None, base: Path) -> None:
    """sitegen building `pages` reports beside Pelican building `pages` plain pages, in this run."""
    months = 10
    project = base / "compare-sitegen"
    generate_many(project, max(1, pages // months), months)
    sitegen = sitegen_build(project, jobs)
    print(f"\nside by side, {pages:,} pages each:")
    show("sitegen", sitegen, project / "output")
    if shutil.which("pelican") is None:
        print("pelican   not installed: pip install -e '.[bench]' (or pip install pelican markdown)")
        return
    site = pelican_pages(base / "compare-pelican", pages)
    seconds, peak, _, cpu = run(["pelican", str(site / "content"), "-o", str(site / "output"), "-s",
                            str(site / "pelicanconf.py"), "-q"])
    html = sum(1 for _ in (site / "output").rglob("*.html"))
    print(f"{'pelican':<9} {seconds:8.2f} s   {1000 * seconds / pages:6.2f} ms/page     peak {peak / 1e6:,.0f} MB   "
          f"{html:,} HTML files   output {_size(site / 'output') / 1e6:,.0f} MB   (1 process, CPU {cpu:.1f} s)")
    print(f"sitegen / pelican: {sitegen['seconds'] / seconds:.2f}x the time, {sitegen['cpu'] / cpu:.2f}x the CPU")


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    memory = os.sysconf("SC_PHYS_PAGES") * PAGE_SIZE / 2**30
    return (f"{model}, {len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB RAM, "
            f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.release()}")


def private(root: Path, jobs: int | None, plain: dict) -> None:
    """The same project, every client private: built cold (each page sealed), and again (nothing changed); what
    each mode adds per report over the plain cold build."""
    settings = root / "sitegen.toml"
    original = settings.read_text(encoding="utf-8")
    slugs = sorted(p.name for p in (root / "content").iterdir() if (p / "data").is_dir())
    write_secrets(root, new_secret(), {slug: new_password() for slug in slugs})
    try:
        for mode in ("link", "password"):
            settings.write_text(f'privacy = "{mode}"\n' + original, encoding="utf-8")
            shutil.rmtree(root / "output", ignore_errors=True)
            shutil.rmtree(root / CACHE, ignore_errors=True)
            built = sitegen_build(root, jobs)
            show(mode, built, root / "output")
            added = (built["seconds"] - plain["seconds"]) / max(built["reports"], 1)
            print(f"          {mode}: {1000 * added:+.2f} ms/report over the plain cold build")
            show("again", sitegen_build(root, jobs))
    finally:
        settings.write_text(original, encoding="utf-8")


def from_tables(root: Path, jobs: int | None, files: dict, spec: str) -> None:
    """The same data in one table per kind (all clients, with a `client` column, sorted by it) in DuckDB or
    PostgreSQL, read through [[sources]] with the data folders set aside; what it costs per report against the
    files' cold build."""
    scheme, _, url = spec.partition("=")
    tables = _tables(root)
    if scheme == "duckdb":
        import duckdb
        url = f"duckdb:///{root / 'warehouse.duckdb'}"
        with duckdb.connect(str(root / "warehouse.duckdb")) as con:
            for kind, frame in tables.items():
                con.register("rows", frame)
                con.execute(f"CREATE OR REPLACE TABLE {kind} AS SELECT * FROM rows")
                con.unregister("rows")
    else:
        import psycopg
        with psycopg.connect(url, autocommit=True) as con:
            for kind, frame in tables.items():
                con.execute(f"DROP TABLE IF EXISTS {kind}")
                columns = ", ".join(f'"{c}" text' for c in frame.columns)
                con.execute(f"CREATE TABLE {kind} ({columns})")
                with con.cursor().copy(f"COPY {kind} FROM STDIN") as copy:
                    for row in frame.itertuples(index=False):
                        copy.write_row(row)
                con.execute(f"CREATE INDEX ON {kind} (client)")
    settings = root / "sitegen.toml"
    original = settings.read_text(encoding="utf-8")
    sources = "".join(f'\n[[sources]]\nurl = "{url}"\nquery = "SELECT * FROM {kind} WHERE client = :client"\n'
                      for kind in tables)
    folders = sorted((root / "content").glob("*/data"))
    try:
        for folder in folders:
            folder.rename(folder.with_name("data-files"))
        settings.write_text(original + sources, encoding="utf-8")
        shutil.rmtree(root / "output", ignore_errors=True)
        shutil.rmtree(root / CACHE, ignore_errors=True)
        built = sitegen_build(root, jobs)
        show(scheme, built, root / "output")
        ratio = built["seconds"] / files["seconds"]
        print(f"          {scheme}: {ratio:.2f} times the files' cold build per report")
        show("again", sitegen_build(root, jobs))
    finally:
        settings.write_text(original, encoding="utf-8")
        for folder in folders:
            folder.with_name("data-files").rename(folder)


def _tables(root: Path) -> dict:
    """Every client's data files as one table per kind (cells as written), with the client's slug."""
    import pandas as pd
    frames: dict[str, list] = {}
    for path in sorted((root / "content").glob("*/data/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.insert(0, "client", path.parent.parent.name)
        frames.setdefault(path.name.split("-")[0], []).append(frame)
    return {kind: pd.concat(parts, ignore_index=True).sort_values("client", kind="stable")
            for kind, parts in frames.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--compare", type=int, default=1000, metavar="PAGES",
                        help="also build this many reports and as many Pelican pages side by side (0: skip)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--jobs", type=int, help="worker processes (default: sitegen's choice)")
    parser.add_argument("--sources", metavar="KINDS", default="",
                        help="also build the project's data from one table per kind: 'duckdb', and/or "
                             "'postgresql=URL' (a running server; comma-separated), and compare with the files")
    parser.add_argument("--private", action="store_true",
                        help="also build the project with privacy \"link\" and \"password\" (every client), "
                             "and print what privacy adds per report")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    try:
        print(f"machine: {machine()}")
        if args.compare:
            compare(args.compare, args.jobs, base)
        if args.clients:
            root = base / "project"
            start = time.perf_counter()
            generate_many(root, args.clients, args.months)
            print(f"\nproject: {args.clients:,} clients x {args.months} months, generated in "
                  f"{time.perf_counter() - start:.1f} s ({_size(root / 'content') / 1e6:,.0f} MB of data)")
            shutil.rmtree(root / CACHE, ignore_errors=True)
            shutil.rmtree(root / "output", ignore_errors=True)
            cold = sitegen_build(root, args.jobs)
            show("cold", cold, root / "output")
            again = sitegen_build(root, args.jobs)
            show("again", again)
            print(f"          nothing changed: {again['seconds'] / cold['seconds']:.1%} of the cold build's time; "
                  f"imported {', '.join(again['imported']) or 'none of pandas, pyarrow and Altair'}")
            show("no-cache", sitegen_build(root, args.jobs, use_cache=False))
            if args.private:
                private(root, args.jobs, cold)
            for spec in filter(None, args.sources.split(",")):
                from_tables(root, args.jobs, cold, spec)
    finally:
        if not args.keep:  # deleting 100,000 files can take minutes here: in the background
            subprocess.Popen(["rm", "-rf", "--", str(base)], start_new_session=True)


if __name__ == "__main__":
    sys.exit(main())
