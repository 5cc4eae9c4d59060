"""The machinery of the fuzz tests (test_fuzz.py, and the tests that compare two ways of reading a file on
fuzzed inputs): the bounds every example runs under, seeds and byte mutations, and structurally random CSV,
XLSX, JSON and Parquet files.

Fuzzed loaders: random and mutated CSV, XLSX, JSON, Parquet, TOML and front matter fed to the real entry
points. Every input must end in success or a `SitegenError` (one line per problem, exit code 2 in the
CLI), never another exception, a hang or a memory blow-up.

Bounds, per example:
* time: hypothesis' `deadline` (slow but finishing inputs) and a `setitimer` alarm (`TIME_LIMIT`) that
  raises `Hang` into a loader stuck in Python code; C code (the CSV tokenizer, a regex) is interrupted at
  its next return to Python, and hypothesis' deadline reports it. The regression tests of hangs also
  assert a few seconds of wall time.
* memory: inputs are capped at `MAX_BYTES`, and the process' peak RSS (`ru_maxrss`, a high-water mark, so
  free to read, and blind to nothing: pandas, numpy and pyarrow all count) may not rise by more than
  `MEMORY_LIMIT` during one example. `tracemalloc` was measured and rejected: it slows loading 4x and
  misses pyarrow's allocations. `RLIMIT_AS` is not set inside pytest (pyarrow and V8 reserve large
  address ranges); the CLI runs in a child process under `RLIMIT_DATA` (a hard stop: a runaway ends in a
  MemoryError traceback or an abort, either of which fails the test) that reports its peak RSS at exit,
  which must stay under `CLI_PEAK_LIMIT`.

Runs are deterministic (`derandomize=True`). To look for new crashes: `SITEGEN_FUZZ_EXAMPLES=10` multiplies
every example count, `SITEGEN_FUZZ_RANDOM=1` draws new examples on every run (with `--hypothesis-seed=N` to
repeat one), and `SITEGEN_FUZZ_LONG=1` adds a 2,000-example CSV run (marked `slow`). A coverage-guided fuzzer
(atheris) could drive `fuzz_csv_bytes` below as its one-input target; it is not a dependency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import resource
import signal
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from helpers import DATA, SHARED_SAMPLES, csv_bytes
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from tiny_data import TABLES

import sitegen
from sitegen.data.headers import ALIASES, IGNORED
from sitegen.data.kinds import KINDS
from sitegen.data.load import load_client_data
from sitegen.demo import generate_many
from sitegen.errors import Diagnostics, SitegenError, error_lines

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(sitegen.__file__).resolve().parent
MAX_BYTES = 64_000  # generated inputs stay below this size: a blow-up must come from the loader, not the input
SEED_ROWS = 25  # data rows kept of each sample file (plus its header and a totals row)
TIME_LIMIT = 8.0  # seconds per example before the alarm calls it a hang
DEADLINE = None  # hypothesis' per-example limit: off, it flakes on a loaded CI machine; the alarm bounds time
MEMORY_LIMIT = 400 * 2**20  # bytes the peak RSS may grow during one example
CLI_MEMORY_LIMIT = 4 * 2**30  # RLIMIT_DATA of a CLI build: a hard stop, above what V8 reserves
CLI_PEAK_LIMIT = 1 * 2**30  # peak RSS of a CLI build (a tiny project's build peaks at ~200 MB)
SCALE = float(os.environ.get("SITEGEN_FUZZ_EXAMPLES", "1"))
EXPLORE = bool(os.environ.get("SITEGEN_FUZZ_RANDOM"))  # a new random run each time, to look for new crashes


def fuzz_settings(examples: int, deadline: int | None = DEADLINE):
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=deadline, derandomize=not EXPLORE,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much], database=None)


# --- the guard every example runs under ---------------------------------------------------------------------


class Hang(Exception):
    """An input took longer than TIME_LIMIT."""


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


@contextmanager
def bounded(seconds: float = TIME_LIMIT, memory: int = MEMORY_LIMIT):
    def ring(signum, frame):
        raise Hang(f"no result after {seconds} s")

    before = _peak_rss()
    alarm = threading.current_thread() is threading.main_thread()  # signals reach the main thread only
    if alarm:
        previous = signal.signal(signal.SIGALRM, ring)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    grown = _peak_rss() - before
    assert grown <= memory, f"peak memory grew by {grown / 2**20:.0f} MB on one input"


def outcome(call, known: tuple[tuple[str, str], ...] = ()) -> str:
    """'ok' or 'error' (a SitegenError with proper one-line messages); anything else propagates, but for
    `known` crashes: (file, function) of sitegen where a reported, not yet fixed problem is raised."""
    result = _outcome(call, known)
    if currently_in_test_context():  # shown by --hypothesis-show-statistics
        event(result)
    return result


def _outcome(call, known: tuple[tuple[str, str], ...]) -> str:
    with bounded():
        try:
            call()
        except SitegenError as exc:
            problem = _message_problem(error_lines(exc))
            if problem and _raised_in(exc, known):
                return "known"
            assert not problem, problem
            if currently_in_test_context():
                event(f"error: {_kind_of_error(error_lines(exc)[0])}")
            return "error"
        except Exception as exc:
            if _raised_in(exc, known):
                return "known"
            raise
    return "ok"


def _message_problem(lines: list[str]) -> str | None:
    """What is wrong with the lines the CLI would print for an error, if anything."""
    if not lines:
        return "a SitegenError without a message"
    for line in lines:
        if not line.strip():
            return f"an empty error line in {lines!r}"
        if "\n" in line or "\r" in line:
            return f"an error message over several lines: {line!r}"
        if "Traceback" in line:
            return f"a traceback in an error message: {line!r}"
    return None


def _kind_of_error(line: str) -> str:
    """The message of an error line without file, row, column and the quoted parts."""
    message = re.sub(r"^.*?:(\d+:)?([^ :]+:)? ", "", line.replace(tempfile.gettempdir(), ""), count=1)
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", message)[:60]


def _raised_in(exc: BaseException, known: tuple[tuple[str, str], ...]) -> bool:
    """Whether the innermost sitegen frame of the traceback (but errors.py's `raise_all`) is one of `known`."""
    frames = [(Path(f.f_code.co_filename).name, f.f_code.co_name) for f, _ in _walk(exc.__traceback__)
              if PACKAGE in Path(f.f_code.co_filename).parents and Path(f.f_code.co_filename).name != "errors.py"]
    return bool(frames) and frames[-1] in known


def _walk(tb):
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def load_file(name: str, data: bytes, *others: tuple[str, bytes]) -> str:
    """`load_client_data` on a data folder holding the file (and `others`, more (name, bytes) files)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        for other, content in [(name, data), *others]:
            (folder / other).write_bytes(content)
        return outcome(lambda: load_client_data(folder, Diagnostics()))


def fuzz_csv_bytes(data: bytes) -> str:
    """One-input target (also for a coverage-guided fuzzer such as atheris)."""
    return load_file("export.csv", data)


# --- seeds: real files to mutate ----------------------------------------------------------------------------


def _shorten(data: bytes) -> bytes:
    """Header, a few data rows and the last line (the totals row of Ads Manager exports)."""
    lines = data.splitlines(keepends=True)
    if len(lines) <= SEED_ROWS + 2:
        return data
    return b"".join(lines[:SEED_ROWS + 1] + lines[-1:])


@cache
def csv_seeds() -> dict[str, bytes]:
    seeds = {f"tiny-{kind}": csv_bytes(rows) for kind, rows in TABLES.items()}
    for path in sorted(DATA.rglob("*.csv")):
        seeds[f"data-{path.parent.name}-{path.stem[:20]}"] = _shorten(path.read_bytes())
    if SHARED_SAMPLES.is_dir():  # more seeds where a workspace has them
        for path in sorted(SHARED_SAMPLES.rglob("*.csv")):
            seeds[f"sample-{path.parent.name}-{path.stem[:20]}"] = _shorten(path.read_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        generate_many(Path(tmp), 1, 1)
        for path in sorted(Path(tmp).rglob("data/*-2026-10.csv")):
            seeds[f"demo-{path.stem}"] = _shorten(path.read_bytes())
    return seeds


SEEDS = st.deferred(lambda: st.sampled_from(sorted(csv_seeds().items())))

# --- byte mutations -----------------------------------------------------------------------------------------

JUNK_NUMBERS = ["1" * 5000, "1e300", "1e16", "1e400", "-1e400", "1e308", "1e-400", "-", "--", "NaN", "nan", "inf",
                "-inf", "Infinity", "9" * 400, "-5", "-0", "0x1F", "1.234,56", "1,234.56", "1.2.3", "١٢٣", "½",
                "1_000", "+-1", "7.45891E+18", "", " ", "N/A", "<5", "€", "$-1", "0.0000000001",
                "99999999999999999999", "TRUE", "=1+1", "'0123", "1 234 567", "12%", "1e", "e5", ".", ",", "1,2,3",
                "0,5", "٫", "€100", "100 EUR", "usd7", "kr 5", "¥1,000", "US$ 1,234.56", "100 XYZ", "$1.234,56",
                "€", "12 €€", "R 5", "€-5"]
JUNK_DATES = ["0000-00-00", "9999-12-31", "3000-01-01", "1000-01-01", "1677-09-21", "2262-04-12", "1677-09-22",
              "2026-02-30", "2026-13-01", "31.02.2026", "99/99/9999", "01/02/03", "10000-01-01",
              "2026-10-31T25:61", "2026-10-31 23:59:60", "1.1.1", "2026-10-31Z", "-2026-10-31", "0001-01-01",
              "2026/10/31", "31.12.9999", "12/31/9999", "1/1/0001", "2026-10-31 10:00:00+14:00", "44000",
              "2026-W44", "2026-10-31 10:00:00.123456789"]
TOKENS = [b",", b";", b"\t", b"|", b'"', b"'", b"\n", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe",
          b"\xfe\xff", b"\\", b"\xe2\x80\xa8", b"\x1a", b"\xc3", b"\x85", b"Total of 3 results", b'=HYPERLINK("x")',
          b'""', b'"\n"', b"\xa0", b"date", b"Cost", b"video_id"]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "utf-8-sig", "shift_jis", "cp437"]
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?")
_DATE_LIKE = re.compile(rb"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")


@st.composite
def mutate(draw, data: bytes) -> bytes:
    """Up to five mutations: byte ranges deleted, duplicated, swapped; tokens inserted; truncation;
    numbers and dates replaced by junk; the whole file re-encoded."""
    for _ in range(draw(st.integers(1, 5))):
        n = len(data)
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "number", "numbers",
                                   "date", "encode", "byte"]))
        i = draw(st.integers(0, n)) if n else 0
        j = min(n, i + draw(st.integers(0, 200)))
        if op == "delete":
            data = data[:i] + data[j:]
        elif op == "duplicate":
            data = (data[:j] + data[i:j] * draw(st.integers(1, 50)) + data[j:])[:MAX_BYTES]
        elif op == "swap" and j < n:
            k = draw(st.integers(j, n))
            m = min(n, k + (j - i))
            data = data[:i] + data[k:m] + data[j:k] + data[i:j] + data[m:]
        elif op == "insert":
            token = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
            data = data[:i] + token * draw(st.integers(1, 3)) + data[i:]
        elif op == "truncate":
            data = data[:i]
        elif op in ("number", "numbers", "date"):
            pattern = _DATE_LIKE if op == "date" else _NUMBER
            spans = [m.span() for m in pattern.finditer(data)]
            if spans:
                junk = draw(st.sampled_from(JUNK_DATES if op == "date" else JUNK_NUMBERS)).encode()
                chosen = spans if op == "numbers" else [spans[draw(st.integers(0, len(spans) - 1))]]
                if op == "numbers":  # every number of one column, roughly: every k-th match
                    step = draw(st.integers(1, 20))
                    chosen = spans[draw(st.integers(0, step - 1))::step]
                for a, b in reversed(chosen):
                    data = data[:a] + junk + data[b:]
        elif op == "encode":
            text = data.decode("utf-8", errors="replace")
            data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
        elif op == "byte" and n:
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data[:MAX_BYTES]


mutated_csv = SEEDS.flatmap(lambda seed: mutate(seed[1]))
# (original, mutated): to load the mutated file alone, beside its original or twice (files of one kind combine)
mutated_pair = SEEDS.flatmap(lambda seed: st.tuples(st.just(seed[1]), mutate(seed[1])))

# --- structurally random tables: CSV, XLSX, JSON, Parquet ---------------------------------------------------

TYPE_OF = {}  # canonical column -> its type (the first kind that has it)
for _kind in KINDS.values():
    for _column, _ctype in _kind.columns.items():
        TYPE_OF.setdefault(_column, _ctype)
NAME_TYPE = {**{s: TYPE_OF.get(c) for c, spellings in ALIASES.items() for s in spellings},
             **{c: TYPE_OF.get(c) for c in ALIASES}, **TYPE_OF}  # header as written -> type, when known
HEADER_NAMES = sorted({*NAME_TYPE, *IGNORED, "Total", "Time"})


def _respell(name: str, how: str) -> str:
    return {"upper": name.upper(), "title": name.title(), "nbsp": name.replace(" ", "\xa0"),
            "pad": f"  {name} ", "fullwidth": name.replace("(", "（").replace(")", "）"), "plural": name + "s",
            "bom": "\ufeff" + name, "newline": name.replace(" ", "\n")}.get(how, name)


SPELLINGS = st.sampled_from(["same"] * 8 + ["upper", "title", "nbsp", "pad", "fullwidth", "plural", "bom", "newline"])
headers = st.one_of(st.builds(_respell, st.sampled_from(HEADER_NAMES), SPELLINGS), st.text(max_size=15))
cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(JUNK_NUMBERS + JUNK_DATES),
    st.integers().map(str),
    st.floats().map(repr),
    st.decimals(allow_nan=True).map(str),
    st.dates().map(str),
    st.datetimes().map(str),
    st.integers(10**15, 10**19).map(str),
    st.sampled_from(["comment", "dm", "mention", "video_reply", "like", "inbound", "outbound", "positive",
                     "negative", "neutral", "true", "false", "yes", "Total of 5 results", "https://x/video/12345678"]),
)
_DAYS = st.dates(dt.date(2025, 1, 1), dt.date(2026, 12, 31))
_TIMES = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2026, 12, 31))
_DAY_TEXT = _DAYS.map(str) | _DAYS.map(lambda d: d.strftime("%d.%m.%Y")) | _DAYS.map(lambda d: d.strftime("%m/%d/%Y"))
_TIME_TEXT = _TIMES.map(lambda t: t.strftime("%Y-%m-%d %H:%M")) | _TIMES.map(lambda t: t.strftime("%d.%m.%Y %H:%M"))
_AMOUNTS = st.decimals(0, 10**6, places=2)
VALID_TEXT = {  # cells that fit a column type, in the forms exports write them
    "date": _DAY_TEXT,
    "datetime": _TIME_TEXT,
    "int": st.integers(0, 10**9).map(str) | st.integers(1000, 10**7).map(lambda n: f"{n:,}") | st.just("-"),
    "net": st.integers(-10**6, 10**9).map(str) | st.just("-"),
    "money": _AMOUNTS.map(str) | _AMOUNTS.map(lambda d: f"{d:,.2f}".replace(",", " ").replace(".", ","))
    | st.tuples(_AMOUNTS, st.sampled_from(["${}", "US$ {:,}", "{} USD", "usd{}", "€{}", "{} EUR", "¥{:,}", "JPY {}",
                                           "Rp {}", "{} kr"])).map(lambda a: a[1].format(a[0])),
    "currency": st.sampled_from(["USD", "USD", "EUR", "JPY", "usd", "IDR", "", "$", "Rupiah", "kr"]),
    "float": st.floats(0, 1e6).map(lambda f: f"{f:.3f}"),
    "text": st.text(min_size=1, max_size=12),
    "id": st.integers(10**18, 9 * 10**18).map(str),
    "bool": st.sampled_from(["true", "false", "True", "FALSE", "1", "0", "ja"]),
}


def valid_text(ctype: str | None) -> st.SearchStrategy[str]:
    if ctype is None:
        return st.text(max_size=12)
    if ctype.startswith("enum:"):
        return st.sampled_from(ctype[5:].split("|"))
    return VALID_TEXT[ctype]


@st.composite
def table_columns(draw) -> list[tuple[str, str | None]]:
    """(header as written, column type or None): often one kind's required columns and some of its optional
    ones, in real spellings, plus random names."""
    columns = []
    if draw(st.integers(0, 3)):
        kind = KINDS[draw(st.sampled_from(sorted(KINDS)))]
        optional = draw(st.lists(st.sampled_from(sorted(kind.optional)), max_size=4, unique=True)) \
            if kind.optional else []
        for column in [*kind.required, *optional]:
            spellings = [column, *ALIASES.get(column, ())]
            columns.append((_respell(draw(st.sampled_from(spellings)), draw(SPELLINGS)), kind.columns[column]))
    for name in draw(st.lists(headers, max_size=4)):
        columns.append((name, NAME_TYPE.get(name)))
    if draw(st.integers(0, 4)) == 0:  # the currency of each row, as Ads Manager and shops write it
        columns.append((draw(st.sampled_from(["Currency", "currency", "Währung"])), "currency"))
    return draw(st.permutations(columns))


@st.composite
def table_rows(draw, columns: list[tuple[str, str | None]], cell=None) -> list[list]:
    """Rows whose cells mostly fit their column's type; some junk, and some ragged rows."""
    junk = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0]))  # share of junk cells in this file
    ragged = draw(st.booleans()) and draw(st.integers(0, 3)) == 0
    rows = []
    for _ in range(draw(st.integers(0, 10))):
        row = [draw(cells) if junk and draw(st.floats(0, 1)) < junk else draw((cell or valid_text)(ctype))
               for _, ctype in columns]
        if ragged:
            row = row[:draw(st.integers(0, len(row)))] + draw(st.lists(cells, max_size=2))
        rows.append(row)
    return rows


@st.composite
def structured_csv(draw) -> bytes:
    """A header of random (often real) column names above rows of typed or random cells, written with a random
    delimiter, quoting and encoding, sometimes below title rows."""
    columns = draw(table_columns())
    names = [name for name, _ in columns]
    rows = draw(table_rows(columns))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    for _ in range(draw(st.integers(0, 3))):
        out.write(draw(st.sampled_from(["TikTok Ads report", "Date range: 2026-10-01 - 2026-10-31", "", ","])) + "\n")
    if draw(st.integers(0, 3)):
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        csv.writer(out, delimiter=delimiter, quoting=quoting).writerows([names, *rows])
    else:  # naive join: unbalanced quotes and stray delimiters stay as they are
        out.write("\n".join(delimiter.join(row) for row in [names, *rows]))
    if draw(st.integers(0, 4)) == 0:
        out.write(f"Total of {len(rows)} results" + delimiter * max(0, len(names) - 1) + "\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return out.getvalue().encode(encoding, errors="replace")[:MAX_BYTES]


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
xlsx_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(10**15, 10**19),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12).map(lambda t: _XML_ILLEGAL.sub("", t)),
    st.sampled_from(JUNK_NUMBERS + JUNK_DATES),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(days=-3), max_value=dt.timedelta(days=3000)),
    st.sampled_from(["=SUM(A1:A3)", "=1/0", "=A1", '=HYPERLINK("https://x","y")', "=NOW()"]),
)


def xlsx_cell(ctype: str | None) -> st.SearchStrategy:
    """A typed value as Excel holds it: dates as dates, counts as numbers, IDs as text or as lossy numbers."""
    typed = {"date": _DAYS, "datetime": _TIMES, "int": st.integers(0, 10**9), "float": st.floats(0, 1e6),
             "money": st.floats(0, 1e6), "id": st.integers(10**18, 9 * 10**18).map(str) | st.integers(10**18, 2**63),
             "bool": st.booleans()}.get(ctype or "")
    text = valid_text(ctype).map(lambda t: _XML_ILLEGAL.sub("", t))
    return text if typed is None else typed | text


SHEET_NAME = st.text(st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")),
                     min_size=1, max_size=31)


@st.composite
def xlsx_workbook(draw) -> bytes:
    """Sheets with random names, title rows, a (merged) header of real or random names, typed and random
    cells, formulas (no cached values: read as empty), dates, booleans; some sheets empty."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for _ in range(draw(st.integers(1, 3))):
        try:
            sheet = workbook.create_sheet(draw(SHEET_NAME))
        except ValueError:
            sheet = workbook.create_sheet()
        if draw(st.integers(0, 4)) == 0:
            continue  # an empty sheet
        for _ in range(draw(st.integers(0, 2))):
            sheet.append([draw(st.sampled_from(["Report", "Date range", None]))])
        columns = [(_XML_ILLEGAL.sub("", name), ctype) for name, ctype in draw(table_columns())]
        sheet.append([name for name, _ in columns])
        header_row = sheet.max_row
        if len(columns) > 1 and draw(st.integers(0, 3)) == 0:
            a = draw(st.integers(1, len(columns) - 1))
            sheet.merge_cells(start_row=header_row, start_column=a, end_row=header_row + draw(st.integers(0, 1)),
                              end_column=a + 1)
        junk = draw(st.sampled_from([0.0, 0.1, 1.0]))
        for _ in range(draw(st.integers(0, 8))):
            sheet.append([draw(xlsx_cells) if junk and draw(st.floats(0, 1)) < junk else draw(xlsx_cell(ctype))
                          for _, ctype in columns])
    out = io.BytesIO()
    workbook.save(out)
    with zipfile.ZipFile(out) as archive:
        return zip_members({name: archive.read(name) for name in archive.namelist()})


def zip_members(members: dict[str, bytes]) -> bytes:
    """A ZIP of `members` that depends on nothing else: openpyxl stamps the time of saving into the
    workbook, and hypothesis needs one example to give one file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            if name == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", content)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@st.composite
def corrupt_xlsx(draw) -> bytes:
    """A valid workbook whose ZIP bytes are mutated, or whose XML members are mutated inside a valid ZIP."""
    data = draw(xlsx_workbook())
    if draw(st.booleans()):
        return draw(mutate(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(mutate(members[name]))
    if draw(st.integers(0, 5)) == 0:
        del members[draw(st.sampled_from(sorted(members)))]
    return zip_members(members)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | cells,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=4,
)


@st.composite
def json_document(draw) -> bytes:
    columns = draw(table_columns())
    typed = {"int": st.integers(0, 10**9), "money": st.floats(0, 1e6), "float": st.floats(0, 1e6),
             "bool": st.booleans()}
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = {}
        for name, ctype in columns:
            if draw(st.integers(0, 9)):
                row[name] = draw(typed.get(ctype, valid_text(ctype)) | valid_text(ctype))
            elif draw(st.booleans()):
                row[name] = draw(json_values)
        rows.append(row)
    shape = draw(st.sampled_from(["list", "list", "rows", "data", "value"]))
    document = {"rows": {"rows": rows}, "list": rows, "data": {"data": rows}}.get(shape) or draw(json_values)
    text = json.dumps(document, allow_nan=True).encode()
    return draw(mutate(text)) if draw(st.integers(0, 3)) == 0 else text


@st.composite
def parquet_file(draw) -> bytes:
    """Typed columns (integers, floats with inf/nan, timestamps with and without zone, dates, lists, nulls,
    decimals) or text, under real or random names; sometimes with mutated bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list({name.replace("\x00", ""): ctype for name, ctype in draw(table_columns())}.items())
    n = draw(st.integers(0, 6))
    arrays = {}
    for name, ctype in columns:
        kind = draw(st.sampled_from(["fit", "fit", "int", "float", "text", "bool", "ts", "tz", "date", "list",
                                     "null", "dec"]))
        values = {
            "fit": xlsx_cell(ctype), "int": st.integers(-(2**63), 2**63 - 1), "float": st.floats(), "text": cells,
            "bool": st.booleans(), "ts": st.datetimes(min_value=dt.datetime(1, 1, 1)),
            "tz": st.datetimes(timezones=st.just(dt.UTC)), "date": st.dates(),
            "list": st.lists(st.integers(0, 9), max_size=2), "null": st.none(),
            "dec": st.decimals(min_value=-1000, max_value=1000, places=2),
        }[kind]
        arrays[name] = draw(st.lists(st.none() | values, min_size=n, max_size=n))
    try:
        table = pa.table({k: pa.array(v) for k, v in arrays.items()})
    except (pa.ArrowException, OverflowError, ValueError, TypeError):  # mixed types in one column: as text
        table = pa.table({k: pa.array([None if x is None else str(x) for x in v]) for k, v in arrays.items()})
    out = io.BytesIO()
    pq.write_table(table, out)
    data = out.getvalue()
    return draw(mutate(data)) if draw(st.integers(0, 3)) == 0 else data




# --- overlapping exports: several files of one kind that report the same rows ----------------------------------

FOLLOWER_ACTIVITY = [dict(date="2026-10-01", hour=str(h), active_followers=str(40 + h)) for h in (9, 10)]
OVERLAP_TABLES = {**TABLES, "follower_activity": FOLLOWER_ACTIVITY}


@st.composite
def overlapping_exports(draw) -> list[tuple[str, bytes]]:
    """Two to four files of one kind, each some rows of the tiny dataset drawn again: repeated (in the file or in
    another), restated with other figures, some without an optional column, named with a download date or
    without (then the modification time, the same for all, and the path decide which is later)."""
    kind = draw(st.sampled_from(sorted(OVERLAP_TABLES)))
    columns = KINDS[kind].columns
    numbers = [c for c, t in columns.items() if t in ("int", "net", "money", "float")]
    files = []
    for n in range(draw(st.integers(2, 4))):
        rows = [dict(r) for r in draw(st.lists(st.sampled_from(OVERLAP_TABLES[kind]), min_size=1, max_size=6))]
        for row in rows:
            for column in [c for c in numbers if c in row]:
                if draw(st.integers(0, 3)) == 0:
                    row[column] = str(draw(st.integers(0, 999)))
        optional = sorted({c for r in rows for c in r} & set(KINDS[kind].optional))
        dropped = draw(st.sets(st.sampled_from(optional), max_size=2)) if optional else set()
        rows = [{k: v for k, v in r.items() if k not in dropped} for r in rows]
        day = draw(st.none() | st.dates(dt.date(2026, 10, 1), dt.date(2026, 10, 9)))
        files.append((f"{kind} {draw(st.sampled_from('abc'))}{n}{f' {day}' if day else ''}.csv", csv_bytes(rows)))
    return files
