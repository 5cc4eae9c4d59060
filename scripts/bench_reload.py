"""How long from saving a commentary file to the reload message of `sitegen serve`.

    python scripts/bench_reload.py                 # the bundled demo and a generated ~1,000-report project
    python scripts/bench_reload.py --clients 20    # a smaller generated project

Starts the real `sitegen serve` on a free loopback port, listens to its event stream, appends a
line to one report's commentary and measures until the new build's message arrives (on loopback,
that is when it leaves the server). Prints the median and range of --repeat edits.
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


def measure(root: Path, repeat: int) -> list[float]:
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
        report = sorted((root / "content").glob("*/*.md"))[-1]
        seconds = []
        for i in range(repeat):
            started = time.perf_counter()
            with report.open("a", encoding="utf-8") as handle:
                handle.write(f"\nEdit {i}.\n")
            while (new := next_state())["generation"] == state["generation"]:
                pass
            seconds.append(time.perf_counter() - started)
            state = new
            time.sleep(0.5)
        return seconds
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)


def report(name: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{name}: median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}, n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=84, help="generated clients (x 12 months)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitegen-reload-") as tmp:
        demo = Path(tmp) / "demo"
        shutil.copytree(REPO / "content", demo / "content")
        shutil.copy(REPO / "sitegen.toml", demo / "sitegen.toml")
        report("demo (9 reports)", measure(demo, args.repeat))
        big = Path(tmp) / "big"
        generate_many(big, args.clients, 12)
        reports = len(list((big / "content").glob("*/*.md")))
        report(f"generated ({reports} reports)", measure(big, args.repeat))


if __name__ == "__main__":
    main()
