"""Deterministic demo projects for sitegen.

`generate_project` writes the bundled three-client demo (`sitegen.toml` + `content/`);
`generate_many` writes N generic clients for benchmarks. All randomness comes from numpy's
`default_rng`, seeded per client (seed + slug), so the same arguments give byte-identical files.
Every client gets the same story: a likes spike without views in the first report month,
a viral post in the second, a comment crisis in the last, and a likes-only ad campaign throughout.
"""
from __future__ import annotations

import argparse
import zlib
from pathlib import Path

import numpy as np

from sitegen.demo.clients import DEMO_CLIENTS, ClientSpec, generic_client
from sitegen.demo.data import (
    CRISIS_DOM,
    SPIKE_DOM,
    VIRAL_DOM,
    gen_account,
    gen_ads,
    gen_community,
    gen_hashtags,
    gen_orders,
    gen_videos,
    make_calendar,
    month_range,
)
from sitegen.demo.text import INDEX_MD, SITE_TOML, STATIC_CHARTS, client_toml, commentary, load_templates

__all__ = ["generate_many", "generate_project", "generic_client", "month_range"]


def generate_client(root: Path, spec: ClientSpec, months: list[str], seed: int, templates: dict) -> None:
    rng = np.random.default_rng([seed, zlib.crc32(spec.slug.encode())])
    cal = make_calendar(months)
    viral_month = months[min(1, len(months) - 1)]
    ev = {"spike": cal.day(months[0], SPIKE_DOM), "viral": cal.day(viral_month, VIRAL_DOM),
          "crisis": cal.day(months[-1], CRISIS_DOM), "crisis_n": int(rng.integers(45, 80))}
    folder = root / spec.slug
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "client.toml").write_text(client_toml(spec), encoding="utf-8")
    conversions = gen_ads(spec, cal, rng, folder / "data")
    vid = gen_videos(spec, cal, rng, ev, folder / "data")
    gen_account(spec, cal, rng, vid, ev, folder / "data")
    negative = gen_community(spec, cal, rng, vid, ev, folder / "data")
    gen_orders(spec, cal, rng, conversions, vid, folder / "data")
    gen_hashtags(spec, cal, rng, ev, folder / "data")
    regular = vid["views"][vid["kind"] == 0]
    roas = [c for c in spec.campaigns if c.roas and c.end >= 1]
    facts = dict(ev, viral_x=int(round(vid["views"][vid["kind"] == 1][0] / np.median(regular))),
                 negative=negative, viral_title=spec.viral_title, crisis_title=spec.crisis_title,
                 crisis_topic=spec.crisis_topic,
                 likes_campaign=next(c.name for c in spec.campaigns if c.roas is None),
                 best_campaign=max(roas, key=lambda c: c.roas).name, code=spec.codes[0][0], hashtag=spec.hashtags[0])
    for month in months:
        role = ("crisis" if month == months[-1] else "viral" if month == viral_month
                else "spike" if month == months[0] else "regular")
        text = commentary(spec, cal, month, role, facts, templates)
        (folder / f"{month}.md").write_text(text, encoding="utf-8")


def write_site(dest: Path, static_charts: bool = False) -> Path:
    (dest / "content").mkdir(parents=True, exist_ok=True)
    site_toml = SITE_TOML.format(static_charts=STATIC_CHARTS if static_charts else "")
    (dest / "sitegen.toml").write_text(site_toml, encoding="utf-8")
    (dest / "content" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    return dest / "content"


def generate_project(dest: Path, clients: list[ClientSpec] | None = None, months: list[str] | None = None,
                     seed: int = 7) -> None:
    """Write the demo project (sitegen.toml + content/) into `dest`."""
    root, templates = write_site(Path(dest), static_charts=True), load_templates()
    for spec in clients or DEMO_CLIENTS:
        generate_client(root, spec, months or month_range(3), seed, templates)


def generate_many(dest: Path, n_clients: int, n_months: int, seed: int = 7) -> None:
    """Write n generic clients with n_months of reports ending 2026-10 (plus one comparison month)."""
    root, templates, months = write_site(Path(dest)), load_templates(), month_range(n_months)
    for i in range(n_clients):
        generate_client(root, generic_client(i), months, seed, templates)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sitegen.demo", description="Write a sitegen demo project.")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--clients", type=int, help="number of generic clients (default: the 3-client demo)")
    parser.add_argument("--months", type=int, default=3, help="report months ending 2026-10")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.clients is None:
        generate_project(args.dest, months=month_range(args.months), seed=args.seed)
    else:
        generate_many(args.dest, args.clients, args.months, args.seed)
