"""The conversion cache (sitegen.data.conversion_cache): a big file's typed cells kept as Parquet, keyed by its
bytes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import DATA, german_resave, table_problems, write_csv
from tiny_data import TABLES

from sitegen import storage
from sitegen.data import combine, conversion_cache, load
from sitegen.data.fx import ExchangeRates, Rate
from sitegen.data.load import load_client_data
from sitegen.data.options import LoadOptions
from sitegen.errors import Diagnostics, SitegenError, error_lines


@pytest.fixture(autouse=True)
def cache_every_file(monkeypatch):
    """Cache files of any size (the tests' files are small)."""
    monkeypatch.setattr(load, "CACHE_MIN_BYTES", 0)


# the real export is in IDR, the others in USD (the default): its amounts are converted after the cache
RATES = ExchangeRates("USD", (Rate("IDR", date(2020, 1, 1), 15_700.0),))


def _load(folder: Path, cache: Path | None, columns=None):
    diagnostics = Diagnostics()
    data = load_client_data(folder, diagnostics, cache_dir=cache, options=LoadOptions(dict(columns or {}), fx=RATES))
    return data, diagnostics.warnings


def _same(a, b) -> list[str]:
    (x, wx), (y, wy) = a, b
    problems = [p for kind in x.tables for p in table_problems(x.tables[kind], y.tables[kind], kind)]
    fx = [(f.path, f.kind, f.rows, f.first, f.last, f.notes) for f in x.files]
    fy = [(f.path, f.kind, f.rows, f.first, f.last, f.notes) for f in y.files]
    if fx != fy:
        problems.append(f"files {fx} vs {fy}")
    if x.currencies != y.currencies:
        problems.append(f"currencies {x.currencies} vs {y.currencies}")
    if wx != wy:
        problems.append(f"warnings {wx} vs {wy}")
    return problems


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "data").rglob("*.parquet"))


@pytest.fixture
def data_folder(tmp_path) -> Path:
    """Exports as downloaded (totals row, currency, unknown columns, a German one with 1.234,56 and 31.10.2026)
    and every kind of tiny table, so every column type goes through the cache."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA / "ads-manager-export.csv", folder / "ads-manager.csv")
    shutil.copy(DATA / "ads-manager-real.csv", folder / "real.csv")
    german_resave(DATA / "ads-manager-export.csv", folder / "german.csv")
    for kind, rows in TABLES.items():
        if kind != "ads":
            write_csv(folder / f"{kind}.csv", [{**row, "mood": "fine"} for row in rows])  # an unknown column
    write_csv(folder / "community-more.csv", [{**TABLES["community"][0], "lead": "", "sentiment": "-"}])
    return folder


def test_a_hit_gives_what_converting_gives(data_folder, tmp_path, monkeypatch):
    reference = _load(data_folder, None)
    cache = tmp_path / "cache"
    first = _load(data_folder, cache)  # converts and stores
    assert _same(reference, first) == []
    stored = _entries(cache)
    assert len(stored) == len(list(data_folder.iterdir()))

    def no_typing(kind, sources):
        raise AssertionError(f"typed again: {[s.path.name for s in sources]}")

    monkeypatch.setattr(combine, "type_sources", no_typing)
    again = _load(data_folder, cache)  # every file from the cache
    assert _same(reference, again) == []
    assert _entries(cache) == stored
    assert any("unknown column" in w for w in again[1])  # warnings of the reading stage come back too
    assert any("decimal comma" in " ".join(f.notes) for f in again[0].files)


def test_a_moved_file_keeps_its_entry_and_names_its_new_place(data_folder, tmp_path):
    cache = tmp_path / "cache"
    _load(data_folder, cache)
    moved = tmp_path / "elsewhere" / "data"
    shutil.copytree(data_folder, moved)
    assert _same(_load(moved, None), _load(moved, cache)) == []
    assert len(_entries(cache)) == len(list(data_folder.iterdir()))


def test_the_key_follows_the_bytes_the_mapping_and_the_reader(data_folder, tmp_path):
    cache = tmp_path / "cache"
    _load(data_folder, cache)
    before = set(_entries(cache))
    path = data_folder / "account.csv"
    path.write_bytes(path.read_bytes().replace(b"1010", b"1011"))
    changed = _load(data_folder, cache)
    assert changed[0]["account"]["followers"].tolist()[1] == 1011
    assert _same(_load(data_folder, None), changed) == []
    added = set(_entries(cache)) - before
    assert len(added) == 1
    _load(data_folder, cache, columns={"Spend net": "spend"})  # another mapping: every file anew
    assert len(set(_entries(cache)) - before - added) == len(list(data_folder.iterdir()))


def test_a_damaged_entry_is_ignored_and_written_again(data_folder, tmp_path):
    cache = tmp_path / "cache"
    reference = _load(data_folder, cache)
    entries = _entries(cache)
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # cut short
    entries[1].write_bytes(b"PAR1 not really")
    entries[2].unlink()
    assert _same(reference, _load(data_folder, cache)) == []
    assert _entries(cache) == entries
    assert all(e.stat().st_size > 200 for e in entries)
    assert not list((cache / "data").rglob("*.tmp"))  # written by rename, no leftovers


def test_an_unwritable_cache_only_costs_time(data_folder, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder would go")
    assert _same(_load(data_folder, None), _load(data_folder, blocker)) == []


def test_files_with_bad_cells_are_not_stored_and_say_where(tmp_path):
    rows = [dict(TABLES["ads"][0]), dict(TABLES["ads"][1], clicks="many")]
    write_csv(tmp_path / "data" / "ads.csv", rows)
    cache = tmp_path / "cache"
    for _ in range(2):
        with pytest.raises(SitegenError) as raised:
            _load(tmp_path / "data", cache)
        assert error_lines(raised.value)[0].endswith("ads.csv:3:clicks: found 'many', expected a whole number >= 0")
    assert _entries(cache) == []


def test_big_files_only(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "CACHE_MIN_BYTES", 1_000)
    export = DATA / "ads-manager-export.csv"
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(export, folder / "big.csv")
    write_csv(folder / "account.csv", TABLES["account"])
    _load(folder, tmp_path / "cache")
    assert export.stat().st_size > 1_000 > (folder / "account.csv").stat().st_size
    assert len(_entries(tmp_path / "cache")) == 1


def test_an_unchanged_file_is_not_read_again(data_folder, tmp_path, monkeypatch):
    """The hash of a file whose stat (size, mtime, ctime, inode) has not changed since a settled scan is
    remembered; a write changes the ctime, a file written just now is scanned every time."""
    import os

    cache = tmp_path / "cache"
    monkeypatch.setattr(storage, "RACY_NS", 0)
    reference = _load(data_folder, cache)
    scans = []
    real_scan = conversion_cache.scan_file
    monkeypatch.setattr(conversion_cache, "scan_file", lambda path, digest=True: scans.append(path) or
                        real_scan(path, digest))
    assert _same(reference, _load(data_folder, cache)) == []
    assert scans == []
    path = data_folder / "account.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b"1010", b"1012"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the old mtime back: the ctime still tells
    changed = _load(data_folder, cache)
    assert scans == [path]
    assert changed[0]["account"]["followers"].tolist()[1] == 1012
    monkeypatch.setattr(storage, "RACY_NS", 10**18)  # every file "just written": always scanned
    for note in (cache / "data" / "stat").iterdir():
        note.unlink()
    scans.clear()
    _load(data_folder, cache)
    _load(data_folder, cache)
    assert len(scans) == 2 * len(list(data_folder.iterdir()))


def test_an_entry_holds_the_notes_of_its_file_alone(data_folder, tmp_path, monkeypatch):
    """The note on rows another file reports too is made after the entry's writer started: it is not stored
    (a slow writer showed it, and the next load noted it twice)."""
    import time

    real_put = conversion_cache.ConversionCache.put
    monkeypatch.setattr(conversion_cache.ConversionCache, "put",
                        lambda self, *args: time.sleep(0.3) or real_put(self, *args))
    cache = tmp_path / "cache"
    fresh = _load(data_folder, cache)
    assert any(" also in " in n and "counted once" in n for f in fresh[0].files for n in f.notes)
    assert _same(fresh, _load(data_folder, cache)) == []
