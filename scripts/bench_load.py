"""Load a big TikTok Ads Manager export with several engines; print seconds and peak memory.

    python scripts/bench_load.py                          # 1,000,000 rows in a temp folder, 3 runs each
    python scripts/bench_load.py --rows 10000000 --repeat 3 --keep /tmp/bench-load --only sitegen
    python scripts/bench_load.py --small                  # many small files: a generated client's data

Generates (numpy default_rng(7)) an Ads Manager CSV (UTF-8 BOM, unsorted dates, '-' null tokens,
a 'Total of N results' last row), the same data as Parquet, and canonical copies (data/ads.csv,
data_parquet/ads.parquet) for sitegen's loader. Each variant runs in fresh subprocesses: read, type
Date/Cost/Impression/Clicks/Conversions, sum by date. Prints median seconds (imports excluded), max RSS
(imports included), and checks all variants find the same rows and total cost. A benchmark, not a test.

The sitegen variants run `load_client_data` and `client_facts` (the daily sums come from its daily facts):
on the export as downloaded (data_export/), cold (an empty conversion cache) and warm (the typed Parquet of an
earlier run in .sitegen-cache/data), on the Parquet export (data_export_parquet/), and on the canonical copies;
"rows by rows" is the row-by-row reference the tests compare the loader with (tests/reference_loader.py).

`--small` generates `generate_many(root, 10, 12)` (10 clients, 78 small CSV files each) and prints the
median of `load_client_data` per client, CPU and wall, with the column-wise and the row-by-row path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = ["Cost", "Impression", "Clicks (Destination)", "Conversions"]


# --- data ----------------------------------------------------------------------------------------

def _write_csv(path: Path, columns: dict, head: bytes = b"", tail: str = "") -> None:
    """Minimal quoting like a spreadsheet export: only cells holding a comma are quoted."""
    import pyarrow as pa
    import pyarrow.compute as pc
    cells = []
    for values in columns.values():
        text = pc.cast(pa.array(values), pa.string())
        cells.append(pc.if_else(pc.match_substring(text, ","), pc.binary_join_element_wise('"', text, '"', ""), text))
    lines = pc.binary_join_element_wise(*cells, ",").to_pylist()
    path.write_bytes(head + "\n".join([",".join(columns), *lines, tail]).encode())


def generate(folder: Path, rows: int) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    for sub in ("data", "data_parquet", "data_export", "data_export_parquet"):  # (with --keep, folder too)
        (folder / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    objectives = ["Conversions", "Traffic", "Reach", "Video views"]
    campaigns = np.array([f"C{i:03d} {objectives[i % 4]}, {2024 + i % 3} push" for i in range(200)])
    groups = np.array([f"C{i // 5:03d} AG{i % 5}" for i in range(1000)])
    ads = np.array([f"{groups[i // 4]} ad {i % 4} - 9:16" for i in range(4000)])
    group = rng.integers(0, 200, rows) * 5 + rng.integers(0, 5, rows)
    ad = group * 4 + rng.integers(0, 4, rows)
    dates = pa.array(np.datetime64("2025-01-01") + rng.integers(0, 365, rows), pa.date32())  # not sorted
    impressions = np.round(rng.lognormal(7.5, 1.2, rows)).astype(np.int64) + 1
    clicks = rng.binomial(impressions, 0.012)
    conversions = rng.binomial(clicks, 0.05)
    cents = np.round(impressions * rng.uniform(0.2, 1.5, rows)).astype(np.int64)
    cents[0] = 1250                                                           # first Cost reads "12.50"

    def decimal2(hundredths, null=None):                                     # "12.50", "-" where null
        h = pa.array(np.round(hundredths).astype(np.int64))
        text = pc.binary_join_element_wise(pc.cast(pc.divide(h, 100), pa.string()),
                                           pc.utf8_lpad(pc.cast(pc.remainder(h, 100), pa.string()), 2, "0"), ".")
        return text if null is None else pc.if_else(pa.array(null), "-", text)

    export = {"Campaign name": campaigns[group // 5], "Ad Group Name": groups[group], "Date": dates,
              "Ad Name": ads[ad], "Cost": decimal2(cents),
              "CPC (Destination)": decimal2(cents / np.maximum(clicks, 1), (clicks == 0) | (rng.random(rows) < .01)),
              "CPM": decimal2(cents * 1000 / impressions), "Impression": impressions, "Clicks (Destination)": clicks,
              "CTR (Destination)": decimal2(clicks * 10000 / impressions), "Conversions": conversions,
              "CPA": decimal2(cents / np.maximum(conversions, 1), (conversions == 0) | (rng.random(rows) < .01)),
              "Currency": np.full(rows, "USD")}
    total, imps, clks, convs = int(cents.sum()), impressions.sum(), clicks.sum(), conversions.sum()
    _write_csv(folder / "export.csv", export, b"\xef\xbb\xbf",
               f"Total of {rows} results,-,-,-,{total // 100}.{total % 100:02d},{total / clks / 100:.2f},"
               f"{total * 10 / imps:.2f},{imps},{clks},{clks * 100 / imps:.2f},{convs},{total / convs / 100:.2f},USD\n")
    typed = {c: pc.cast(pc.if_else(pc.equal(v, "-"), None, v), pa.float64())
             for c, v in export.items() if c in ("Cost", "CPC (Destination)", "CPM", "CTR (Destination)", "CPA")}
    pq.write_table(pa.table({**export, **typed}), folder / "export.parquet")
    for name, sub in (("export.csv", "data_export"), ("export.parquet", "data_export_parquet")):
        target = folder / sub / name  # the exports as a client's data folder holds them
        target.unlink(missing_ok=True)
        try:
            os.link(folder / name, target)
        except OSError:
            shutil.copy(folder / name, target)
    canonical = {"date": dates, "campaign": export["Campaign name"], "ad_group": export["Ad Group Name"],
                 "ad": export["Ad Name"], "spend": export["Cost"], "impressions": impressions, "clicks": clicks,
                 "conversions": conversions}
    _write_csv(folder / "data" / "ads.csv", canonical)
    # timestamps, not date32: some sitegen loader versions fail on datetime.date cells
    pq.write_table(pa.table({**canonical, "date": pc.cast(dates, pa.timestamp("ms")), "spend": typed["Cost"]}),
                   folder / "data_parquet" / "ads.parquet")
    return {"rows": rows, "cents": total}


# --- variants (each runs in its own subprocess) ----------------------------------------------------

def _daily(frame, date: str = "Date", numbers: list[str] = NUMBERS):
    """The workload after loading: sums per day. Returns (frame as loaded, rows, total cost)."""
    daily = frame.groupby(date)[numbers].sum()
    return frame, len(frame), float(daily[numbers[0]].sum())


def _read_csv(d: Path, **options):
    import pandas as pd
    raw = pd.read_csv(d / "export.csv", encoding="utf-8-sig", keep_default_na=False, **options)
    return raw[~raw["Campaign name"].str.startswith("Total of")]


def _typed_from_text(raw):
    import pandas as pd
    frame = raw.assign(Date=pd.to_datetime(raw["Date"], format="%Y-%m-%d"),
                       **{c: pd.to_numeric(raw[c], errors="coerce") for c in NUMBERS})
    return (raw, *_daily(frame)[1:])  # the notes describe the cells as read


def _duckdb(source: str, select: str = "*"):
    import duckdb
    return _daily(duckdb.sql(f"""SELECT {select} FROM {source} WHERE "Campaign name" NOT LIKE 'Total of %'""").df())


def _loader(rows: bool):
    """sitegen's loader, or the row-by-row reference of the tests."""
    if rows:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from reference_loader import load_rows
        return load_rows
    from sitegen.data.load import load_client_data
    return load_client_data


def _sitegen(folder: Path, cache: str | None = None, rows: bool = False):
    """load_client_data + client_facts; cache: "cold" (emptied first), "warm" (kept) or None (no cache)."""
    from sitegen.errors import Diagnostics
    from sitegen.metrics.facts import client_facts
    cache_dir = folder.parent / ".sitegen-cache" if cache else None
    if cache == "cold":
        shutil.rmtree(cache_dir, ignore_errors=True)
    data = _loader(rows)(folder, Diagnostics(), None, cache_dir) if not rows else \
        _loader(rows)(folder, Diagnostics(), None)
    facts = client_facts(data)
    return data["ads"], len(data["ads"]), float(facts.daily["spend"].sum())


def _duckdb_sql_only(d: Path):
    import duckdb
    daily = duckdb.sql(f"""SELECT TRY_CAST("Date" AS DATE) AS day, count(*) AS n, sum(TRY_CAST("Cost" AS
        DECIMAL(18,2))) AS cost FROM read_csv('{d / "export.csv"}', header=true, all_varchar=true)
        WHERE "Campaign name" NOT LIKE 'Total of %' GROUP BY day""").df()
    return None, int(daily["n"].sum()), float(daily["cost"].sum())


CASTS = ('* REPLACE (TRY_CAST("Date" AS DATE) AS "Date", TRY_CAST("Cost" AS DECIMAL(18,2)) AS "Cost", '
         + ", ".join(f'TRY_CAST("{c}" AS BIGINT) AS "{c}"' for c in NUMBERS[1:]) + ")")
VARIANTS = {  # the child imports pandas, pyarrow and (by name) duckdb or sitegen's loader before the clock starts
    "a pandas C engine, text": lambda d: _typed_from_text(_read_csv(d, dtype=str)),
    "b pandas pyarrow engine, text": lambda d: _typed_from_text(_read_csv(d, dtype=str, engine="pyarrow")),
    "c pandas pyarrow engine, typed": lambda d: _daily(_read_csv(d, engine="pyarrow", na_values=["-"])),
    "c2 same, dtype_backend=pyarrow": lambda d: _daily(_read_csv(d, engine="pyarrow", na_values=["-"],
                                                                 dtype_backend="pyarrow")),
    "d duckdb all_varchar+TRY_CAST .df()": lambda d: _duckdb(
        f"read_csv('{d / 'export.csv'}', header=true, all_varchar=true)", CASTS),
    "d2 duckdb inferred, nullstr .df()": lambda d: _duckdb(f"read_csv('{d / 'export.csv'}', header=true, nullstr='-')"),
    "d3 duckdb GROUP BY in SQL only": _duckdb_sql_only,
    "e pandas.read_parquet": lambda d: _daily(__import__("pandas").read_parquet(d / "export.parquet")),
    "e2 duckdb read_parquet .df()": lambda d: _duckdb(f"read_parquet('{d / 'export.parquet'}')"),
    "f sitegen export CSV, cache cold": lambda d: _sitegen(d / "data_export", "cold"),
    "f2 sitegen export CSV, cache warm": lambda d: _sitegen(d / "data_export", "warm"),
    "f3 sitegen export CSV, no cache": lambda d: _sitegen(d / "data_export"),
    "f4 sitegen export Parquet, no cache": lambda d: _sitegen(d / "data_export_parquet"),
    "f5 sitegen canonical CSV, no cache": lambda d: _sitegen(d / "data"),
    "f6 sitegen canonical Parquet": lambda d: _sitegen(d / "data_parquet"),
    "f7 sitegen export CSV, rows by rows": lambda d: _sitegen(d / "data_export", rows=True),
}
WARMS_UP = {"f2 sitegen export CSV, cache warm": "f sitegen export CSV, cache cold"}  # run once, not timed


def _describe(frame) -> str:
    """How the loaded table holds Cost and the CPA null token (for the notes)."""
    if frame is None:
        return "only the 365 daily sums leave DuckDB"
    cost = "Cost" if "Cost" in frame.columns else "spend"
    note = f"{cost}: {frame[cost].dtype}, first {frame[cost].iloc[0]!r}"
    if "CPA" in frame.columns:
        cpa = frame["CPA"]
        note += f"; CPA: {cpa.dtype}, {int(cpa.isna().sum())} null, {int((cpa == '-').sum())} '-'"
    return note


def child(name: str, folder: str) -> None:
    try:
        start = time.perf_counter()
        engines = [m for m in ("duckdb", "sitegen.data.load") if m.split(".")[0] in name]
        if "sitegen" in name:  # what its first call would import
            engines += ["sitegen.metrics.facts", "pyarrow.csv", "pyarrow.parquet"]
        for module in ["pandas", "pyarrow", *engines]:
            __import__(module)
        imported = time.perf_counter() - start
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start, cpu = time.perf_counter(), time.process_time()
        system = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        frame, rows, cost = VARIANTS[name](Path(folder))
        seconds = time.perf_counter() - start
        result = {"seconds": seconds, "cpu": time.process_time() - cpu, "import": imported, "base_mb": base,
                  "sys": resource.getrusage(resource.RUSAGE_SELF).ru_stime - system,
                  "rows": rows, "cost": cost, "note": _describe(frame)}
    except Exception as exc:  # e.g. sitegen's loader API changed under us: report, do not stop
        result = {"error": f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"}
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps(result))


def measure(name: str, folder: Path, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if name in WARMS_UP:  # fill the cache first
        subprocess.run([sys.executable, __file__, "--child", WARMS_UP[name], str(folder)], capture_output=True,
                       env=env)
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, __file__, "--child", name, str(folder)],
                              capture_output=True, text=True, env=env)
        runs.append(json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip()
                    else {"error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"})
        if "error" in runs[-1]:
            return runs[-1]
    return {**runs[0], "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs), "sys": statistics.median(r["sys"] for r in runs),
            "rss_mb": max(r["rss_mb"] for r in runs), "all": [r["seconds"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant (median seconds, max RSS)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--only", help="run only the variants whose name contains one of these texts (a|b)")
    parser.add_argument("--small", action="store_true", help="many small files instead (generate_many(root, 10, 12))")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.small:
        return small(args.repeat, args.keep)
    if args.child:  # generating in a child too: a child's ru_maxrss starts at its parent's RSS at fork
        gen = args.child[0] == "generate"
        return print(json.dumps(generate(Path(args.child[1]), args.rows))) if gen else child(*args.child)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-load-"))
    try:
        start = time.perf_counter()
        marker = folder / "generated.json"  # with --keep, a folder generated before with as many rows is reused
        truth = json.loads(marker.read_text()) if args.keep and marker.is_file() else {}
        if truth.get("rows") != args.rows or not (folder / "data_export").is_dir():
            truth = json.loads(subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--child",
                                               "generate", str(folder)], capture_output=True, text=True,
                                              check=True).stdout)
            marker.write_text(json.dumps(truth))
        mb = {f: (folder / f).stat().st_size / 1e6 for f in ("export.csv", "export.parquet")}
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s: "
              + ", ".join(f"{f} {m:.0f} MB" for f, m in mb.items()) + f"  ({folder})")
        print(f"python {sys.version.split()[0]}, {len(os.sched_getaffinity(0))} cores, {args.repeat} runs each; "
              f"expected {truth['rows']:,} rows, total cost {truth['cents'] / 100:,.2f}\n")
        print(f"{'variant':<38} {'median s':>8} {'runs s':>17} {'cpu s':>6} {'sys s':>5} {'import s':>8} {'RSS MB':>7} "
              f"{'(base)':>6} {'rows':>10} {'total cost':>15}")
        notes, mismatches = [], []
        for name in [n for n in VARIANTS if not args.only or any(part in n for part in args.only.split("|"))]:
            r = measure(name, folder, args.repeat)
            if "error" in r:
                print(f"{name:<38} FAILED: {r['error']}")
                continue
            runs = "/".join(f"{s:.2f}" for s in r["all"])
            print(f"{name:<38} {r['seconds']:>8.2f} {runs:>17} {r['cpu']:>6.2f} {r['sys']:>5.2f} {r['import']:>8.2f} "
                  f"{r['rss_mb']:>7.0f} {r['base_mb']:>6.0f} {r['rows']:>10,} {r['cost']:>15,.2f}", flush=True)
            notes.append(f"  {name.split()[0]:<3} {r['note']}")
            if r["rows"] != truth["rows"] or round(r["cost"] * 100) != truth["cents"]:
                mismatches.append(f"{name}: {r['rows']:,} rows, cost {r['cost']:,.2f}")
        parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("\nseconds: read + type + group by date (imports not counted; sitegen: load_client_data + client_facts); "
              "cpu s: the child's CPU time in that span, all threads (wall time suffers from other jobs on the "
              "machine, CPU time less); sys s: the part of it in the kernel (mostly first touches of memory, whose "
              f"cost varies a lot in a VM); RSS MB: the child's peak, imports included; (base): RSS after imports; "
              f"this parent: {parent_mb:.0f} MB\nnotes:\n" + "\n".join(notes))
        for line in mismatches:
            print(f"MISMATCH {line} (expected {truth['rows']:,} rows, cost {truth['cents'] / 100:,.2f})")
        if not mismatches:
            print(f"all {len(notes)} variants that ran agree: same rows and same total cost to the cent")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def small(repeat: int, keep: Path | None) -> None:
    """Median load_client_data per client of a generated project, column-wise and row by row."""
    from sitegen.demo import generate_many
    from sitegen.errors import Diagnostics

    root = keep or Path(tempfile.mkdtemp(prefix="sitegen-bench-small-"))
    try:
        if not (root / "content").is_dir():
            generate_many(root, 10, 12)
        folders = sorted(root.glob("content/*/data"))
        files = sum(1 for f in folders for _ in f.iterdir())
        print(f"{len(folders)} clients, {files / len(folders):.0f} files each ({root}); python "
              f"{sys.version.split()[0]}, {len(os.sched_getaffinity(0))} cores; {max(repeat, 5)} loads per client")
        for label, rows in (("column-wise (sitegen's loader)", False), ("row by row (the tests' reference)", True)):
            load = _loader(rows)
            load(folders[0], Diagnostics())  # imports, caches of header names
            walls, cpus = [], []
            for folder in folders:
                for _ in range(max(repeat, 5)):
                    start, cpu = time.perf_counter(), time.process_time()
                    load(folder, Diagnostics())
                    walls.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - cpu)
            print(f"  {label:<40} median {statistics.median(walls) * 1000:6.1f} ms wall, "
                  f"{statistics.median(cpus) * 1000:6.1f} ms CPU per client (min {min(walls) * 1000:.1f} ms wall)")
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
