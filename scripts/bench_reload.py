"""How long from saving a file to the reload message of `sitegen serve`.

    python scripts/bench_reload.py                 # the bundled demo and a generated ~1,000-report project
    python scripts/bench_reload.py --clients 20    # a smaller generated project

Starts the real `sitegen serve` on a free loopback port, listens to its event stream, saves a file
and measures until the new build's message arrives (on loopback, that is when it leaves the
server). Edits: a line appended to one report's commentary (the 300 ms target), and one number
changed in one client's ads export (that client's reports are recomputed). Prints the median and
range of --repeat edits, and the server's resident memory at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitegen.demo import generate_many

REPO = Path(__file__).resolve().parents[1]


def commentary_edit(root: Path):
    report = sorted((root / "content").glob("*/*.md"))[-1]

    def edit(i: int) -> None:
        with report.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEdit {i}.\n")
    return edit


def data_edit(root: Path):
    export = sorted((root / "content").glob("*/data/ads-*.csv"))[-1]

    def edit(i: int) -> None:  # a new revenue figure in the last row, written the way editors save: temp + rename
        lines = export.read_text(encoding="utf-8").splitlines()
        head, _, _ = lines[-1].rpartition(",")
        lines[-1] = f"{head},{100 + i}.00"
        tmp = export.with_name(f".{export.name}.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, export)
    return edit


def measure(root: Path, edits: dict, repeat: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        for line in server.stdout:
            match = re.search(r"on http://([\d.]+):(\d+)/", line)
            if match:
                break
        conn = http.client.HTTPConnection(match[1], int(match[2]), timeout=600)
        conn.request("GET", "/__sitegen__/events")
        events = conn.getresponse()

        def next_state() -> dict:
            for raw in events:
                if raw.startswith(b"data: "):
                    return json.loads(raw[6:])
            raise RuntimeError("event stream closed")

        state = next_state()
        results = {}
        for name, make in edits.items():
            edit, seconds = make(root), []
            for i in range(repeat):
                started = time.perf_counter()
                edit(i)
                while (new := next_state())["generation"] == state["generation"]:
                    if new["errors"]:
                        raise RuntimeError(f"build failed: {new['errors']}")
                seconds.append(time.perf_counter() - started)
                state = new
                time.sleep(0.5)
            results[name] = seconds
        status = Path(f"/proc/{server.pid}/status")
        if status.exists():
            rss = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            print(f"  server resident memory: {int(rss[1]) / 1024:.0f} MB")
        return results
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)


def report(name: str, results: dict[str, list[float]]) -> None:
    for edit, seconds in results.items():
        ms = sorted(s * 1000 for s in seconds)
        print(f"{name}, {edit}: median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}, "
              f"n={len(ms)})")


EDITS = {"commentary edit": commentary_edit, "data file edit": data_edit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=84, help="generated clients (x 12 months)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-reload-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "content", demo / "content")
        shutil.copy(REPO / "sitegen.toml", demo / "sitegen.toml")
        report("demo (9 reports)", measure(demo, EDITS, args.repeat))
        big = Path(tmp) / "big"
        generate_many(big, args.clients, 12)
        reports = len(list((big / "content").glob("*/*.md")))
        report(f"generated ({reports} reports)", measure(big, EDITS, args.repeat))


if __name__ == "__main__":
    main()
