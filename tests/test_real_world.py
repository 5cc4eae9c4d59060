"""The real downloads of ../shared/samples/real-world/ (and the real Ads Manager export of real/), built as they
were downloaded, with `--strict`; their KPIs compared with a plain pandas recomputation from the raw files.
Skipped when the shared samples are not beside the clone."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from helpers import build, run_cli, shared_samples, write

from sitegen.data.load import load_client_data
from sitegen.errors import Diagnostics

pytestmark = pytest.mark.slow

DOWNLOADED = date(2026, 2, 27)  # the Studio download's last day (SOURCE.txt: 2025-02-28 .. 2026-02-27)
REPORTS = {  # client -> period of its report
    "studio": {"start": "2026-01-01", "end": "2026-01-31"},
    "ads-jp": {"start": "2026-01-01", "end": "2026-01-31"},
    "shopify": {"start": "2020-03-01", "end": "2022-04-30"},
    "ads-real": {"start": "2024-03-01", "end": "2024-03-31"},
}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Path, Path, dict]:
    samples = shared_samples()
    root = tmp_path_factory.mktemp("real-world")
    content = root / "project" / "content"
    sources = {"studio": samples / "real-world/studio-haileytupy", "ads-jp": samples / "real-world/ads-jp-campaign",
               "shopify": samples / "real-world/shopify-explorer", "ads-real": samples / "real"}
    for client, source in sources.items():
        # the Studio download in a folder named with its date, as a user keeps it: the year of its dates
        folder = content / client / "data" / (f"studio-{DOWNLOADED}" if client == "studio" else "")
        folder.mkdir(parents=True)
        for path in source.iterdir():
            if path.suffix == ".csv":
                shutil.copy(path, folder / path.name)
        period = REPORTS[client]
        write(content / client / "report.md", f"---\nperiod: {{start: {period['start']}, end: {period['end']}}}\n"
                                              "comparison: none\n---\n")
    write(content / "ads-jp/client.toml", 'currency = "JPY"\n[files."tiktok.csv"]\nstart = 2026-01-01\n'
                                          'end = 2026-01-31\n')
    write(content / "shopify/client.toml", 'timezone = "America/New_York"\n')
    write(content / "ads-real/client.toml", 'currency = "IDR"\n')
    run = build(root / "project", root / "out", "--strict")
    assert run.returncode == 0, run.stderr
    kpis = {c: json.loads((root / "out" / c / "report" / "kpis.json").read_text())["kpis"] for c in REPORTS}
    return root, samples, kpis


def _value(kpis: dict, client: str, kpi: str):
    return kpis[client][kpi]["value"]


def test_studio_download_builds_strict_and_matches_pandas(real):
    _, samples, kpis = real
    folder = samples / "real-world/studio-haileytupy"
    content = pd.concat([pd.read_csv(p) for p in sorted(folder.glob("Content*.csv"))]).drop_duplicates()

    def posted(text: str) -> date:  # "July 16": the latest such day on or before the download
        day = pd.Timestamp(f"{text} {DOWNLOADED.year}").date()
        return day if day <= DOWNLOADED else day.replace(year=day.year - 1)

    content["posted"] = content["Post time"].map(posted)
    january = content[(content["posted"] >= date(2026, 1, 1)) & (content["posted"] <= date(2026, 1, 31))]
    assert _value(kpis, "studio", "likes") == january["Total likes"].sum()
    assert _value(kpis, "studio", "views") == january["Total views"].sum()
    assert _value(kpis, "studio", "comments") == january["Total comments"].sum()
    assert _value(kpis, "studio", "shares") == january["Total shares"].sum()
    assert kpis["studio"]["likes"]["sources"] == ["videos.likes"]
    assert _value(kpis, "studio", "saves") is None and kpis["studio"]["saves"]["missing"] == "not in your data"
    history = pd.read_csv(folder / "FollowerHistory.csv", na_values=["undefined"])
    history["day"] = [DOWNLOADED - timedelta(days=len(history) - 1 - i) for i in range(len(history))]
    followers = history.set_index("day")["Followers"]
    assert _value(kpis, "studio", "follower_growth") == followers[date(2026, 1, 31)] - followers[date(2025, 12, 31)]


def test_japanese_campaign_totals_match_pandas(real):
    _, samples, kpis = real
    raw = pd.read_csv(samples / "real-world/ads-jp-campaign/tiktok.csv", encoding="cp932")
    rows = raw[~raw["キャンペーン名"].str.startswith("全")]
    for kpi, column in (("spend", "コスト"), ("impressions", "インプレッション"), ("clicks", "クリック（誘導先）"),
                        ("conversions", "コンバージョン")):
        assert _value(kpis, "ads-jp", kpi) == pd.to_numeric(rows[column]).sum(), kpi
    assert _value(kpis, "ads-jp", "revenue") is None and _value(kpis, "ads-jp", "roi") is None


def test_shopify_orders_match_pandas(real):
    _, samples, kpis = real
    raw = pd.read_csv(samples / "real-world/shopify-explorer/orders_export_1.csv", dtype=str, keep_default_na=False)
    orders = raw.drop_duplicates("Name").copy()  # an order's fields are on its first line item
    orders = orders[(orders["Cancelled at"] == "") & ~orders["Financial Status"].isin(["voided", "expired"])]
    net = (pd.to_numeric(orders["Subtotal"]) - pd.to_numeric(orders["Refunded Amount"].replace("", "0"))).clip(0)
    coded = orders["Discount Code"] != ""
    assert _value(kpis, "shopify", "shop_orders") == len(orders)
    assert _value(kpis, "shopify", "code_orders") == int(coded.sum())
    assert _value(kpis, "shopify", "shop_revenue") == pytest.approx(net.sum())
    assert _value(kpis, "shopify", "code_revenue") == pytest.approx(net[coded].sum())


def test_real_ads_export_has_no_revenue_so_no_roi(real):
    _, samples, kpis = real
    [path] = (samples / "real").glob("*.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    date_column = next(c for c in raw.columns if c.lower().startswith(("by day", "date")))
    days = pd.to_datetime(raw[date_column], errors="coerce")
    march = raw[(days >= "2024-03-01") & (days <= "2024-03-31")]
    cost = next(c for c in raw.columns if c.lower().startswith("cost"))
    assert _value(kpis, "ads-real", "spend") == pytest.approx(pd.to_numeric(march[cost]).sum())
    for kpi in ("revenue", "roas", "roi", "likes"):
        assert _value(kpis, "ads-real", kpi) is None, kpi
        assert kpis["ads-real"][kpi]["missing"] == "not in your data"


def test_check_names_ranges_year_sources_and_encodings(real):
    root, _, _ = real
    run = run_cli("check", root / "project")
    assert run.returncode == 0, run.stderr
    assert f"year from the folder name 'studio-{DOWNLOADED}', download day {DOWNLOADED}" in run.stdout
    assert "encoding Shift_JIS (Windows-31J)" in run.stdout
    assert 'covers 2026-01-01 to 2026-01-31 (range from client.toml [files."tiktok.csv"])' in run.stdout
    assert "Shopify order export" in run.stdout


def test_studio_download_as_xlsx_reads_alike(tmp_path):
    """TikTok Studio also downloads XLSX: the same cells, the same days."""
    source = shared_samples() / "real-world/studio-haileytupy"
    folder = tmp_path / "data" / f"studio-{DOWNLOADED}"
    folder.mkdir(parents=True)
    for name in ("Overview", "FollowerHistory"):
        cells = pd.read_csv(source / f"{name}.csv", dtype=str, keep_default_na=False)
        cells.to_excel(folder / f"{name}.xlsx", index=False)
    diagnostics = Diagnostics()
    account = load_client_data(tmp_path / "data", diagnostics)["account"]
    assert diagnostics.warnings == []
    assert (len(account), account["date"].min().date(), account["date"].max().date()) == (
        365, DOWNLOADED - timedelta(days=364), DOWNLOADED)
    assert account["net_followers"].min() < 0
