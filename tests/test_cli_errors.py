"""The real CLI (`python -m sitegen build`) on tiny projects: every user mistake exits with code 2 and one
`path:row:column: message` line that names the file, where in it, and what was expected - never a
traceback - and a failed build never touches the last good site."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import CLIENT_TOML, SITE_TOML, Run, build, csv_bytes, error_for, make_project, run_cli, tree_digest, write
from tiny_data import TABLES

DATA = Path("content/acme/data")


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {rel}"
        write(path, text.replace(old, new, 1))
    return mutate


def _write(rel: str, text: str | bytes) -> Callable[[Path], None]:
    return lambda root: write(root / rel, text)


def _all(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        for mutation in mutations:
            mutation(root)
    return mutate


def _with_currency_column(currencies: list[str]) -> Callable[[Path], None]:
    """The ads rows with a Currency column (as Ads Manager writes it), one code per row."""
    rows = [{**row, "Currency": code} for row, code in zip(TABLES["ads"], currencies)]
    return _write(f"{DATA}/ads.csv", csv_bytes(rows))


_USD_CLIENT = _write("content/acme/client.toml", 'name = "Acme"\ncurrency = "USD"\n')


def _report(*front: str, body: str = "All good.\n") -> str:
    return "---\n" + "".join(f"{line}\n" for line in front) + "---\n" + body


def _drop_column(csv_text: str, column: str) -> str:
    rows = [line.split(",") for line in csv_text.splitlines()]
    at = rows[0].index(column)
    return "".join(",".join(r[:at] + r[at + 1:]) + "\n" for r in rows)


@dataclass
class Case:
    id: str
    mutate: Callable[[Path], None]
    file: str | tuple[str, ...]  # the file the error must name (any of them, for a tuple)
    row: int | None = None  # checked when given
    column: str | None = None  # checked when given
    expects: tuple[str, ...] = ()  # what the message must say (the expected value, the found value...)
    marks: tuple = field(default_factory=tuple)


CASES = [
    Case("missing-required-column",
         _write(f"{DATA}/videos.csv", "video_id,posted_at,views\n7458906761674860773,2026-10-01 10:52,119638\n"),
         f"{DATA}/videos.csv", row=1, expects=("missing required column 'likes'", "videos",
                                               "video_id, posted_at, views, likes")),
    Case("ads-without-spend", _write(f"{DATA}/ads.csv", _drop_column(csv_bytes(TABLES["ads"]).decode(), "spend")),
         f"{DATA}/ads.csv", row=1, expects=("missing required column 'spend'", "ads")),
    Case("text-in-number-column", _replace(f"{DATA}/ads.csv", "2026-10-02,B,50,5000,", "2026-10-02,B,50,lots,"),
         f"{DATA}/ads.csv", row=3, column="impressions", expects=("'lots'", "expected a whole number")),
    Case("negative-spend", _replace(f"{DATA}/ads.csv", "2026-09-30,A,999,", "2026-09-30,A,-999,"),
         f"{DATA}/ads.csv", row=4, column="spend", expects=("'-999'", "expected an amount >= 0")),
    # issue 17: €100 and $100 in one column were added as 200 dollars; 100 EUR read as 100; EUR and JPY summed
    Case("euro-amount-for-a-dollar-client",
         _all(_USD_CLIENT, _replace(f"{DATA}/ads.csv", "2026-10-01,A,100,", "2026-10-01,A,€100,"),
              _replace(f"{DATA}/ads.csv", "2026-10-02,B,50,", "2026-10-02,B,$100,")),
         f"{DATA}/ads.csv", row=2, column="spend", expects=("found '€100'", "expected an amount in USD "
                                                             "(the client's currency)", "[fx]")),
    Case("currency-code-after-the-amount",
         _all(_USD_CLIENT, _replace(f"{DATA}/ads.csv", "2026-10-01,A,100,", "2026-10-01,A,100 EUR,")),
         f"{DATA}/ads.csv", row=2, column="spend", expects=("found '100 EUR'", "expected an amount in USD")),
    Case("currency-column-mixes-currencies", _with_currency_column(["EUR", "JPY", "EUR"]),
         f"{DATA}/ads.csv", row=3, column="currency", expects=("found 'JPY'", "expected EUR (the client's currency)",
                                                                "exchange rates")),
    Case("empty-csv", _write(f"{DATA}/ads.csv", b""),
         f"{DATA}/ads.csv", expects=("empty file", "expected a header row")),
    Case("empty-xlsx", _write(f"{DATA}/more.xlsx", b""),
         f"{DATA}/more.xlsx", expects=("empty file",)),
    Case("unreadable-date", _replace(f"{DATA}/ads.csv", "2026-10-02", "31/02/2026"),
         f"{DATA}/ads.csv", row=3, column="date", expects=("'31/02/2026'", "expected a date like 2026-10-31")),
    Case("unknown-client-loose-report",
         _write("content/report.md", _report('title: "Group report"', 'period: "2026-10"', "client: globex")),
         "content/report.md", row=4, expects=("client", "'globex'", "known clients: acme")),
    Case("unknown-client-in-client-folder",
         _write("content/acme/2026-09.md", _report('title: "September"', 'period: "2026-09"', "client: initech")),
         "content/acme/2026-09.md", row=4, expects=("client", "'initech'", "known clients: acme")),
    Case("unknown-kpi",
         _write("content/acme/2026-10.md", _report('title: "October"', 'period: "2026-10"', body=(
             "A first paragraph.\n"  # line 5
             "\n"
             'ROI was {{ kpi("roi") }},\n'  # line 7
             'and this is {{ kpi("nope") }}.\n'))),  # line 8
         "content/acme/2026-10.md", row=8, expects=("unknown KPI 'nope'", "known:", "roi")),
    Case("unknown-chart",
         _write("content/acme/2026-10.md", _report('title: "October"', 'period: "2026-10"', body=(
             "A first paragraph.\n\n"  # lines 5-6
             '{{ chart("pie_of_doom") }}\n'))),  # line 7
         "content/acme/2026-10.md", row=7, expects=("unknown chart 'pie_of_doom'", "known:", "likes_daily")),
    Case("broken-site-toml", _write("sitegen.toml", 'title = "Reports"\nlocale = en_US\n'),
         "sitegen.toml", row=2, column="10", expects=("TOML",)),
    Case("client-toml-schema", _write("content/acme/client.toml", 'name = "Acme"\ncurrency = "EURO"\n'),
         "content/acme/client.toml", expects=("currency", "'EURO'", "expected an ISO 4217 code")),
    Case("duplicate-report-slugs",
         _write("content/acme/october.md", _report('title: "October again"', 'period: "2026-10"',
                                                   "slug: 2026-10")),
         ("content/acme/october.md", "content/acme/2026-10.md"),
         expects=("slug '2026-10'",)),
    Case("missing-data-folder", lambda root: shutil.rmtree(root / DATA),
         str(DATA), expects=("data folder", "expected data files")),
    Case("invalid-front-matter-yaml",
         _write("content/acme/2026-10.md", _report('title: "October"', 'period: "2026-10"',
                                                   "sections: engagement: paid")),
         "content/acme/2026-10.md", row=4, expects=("front matter", "YAML")),
    Case("period-month-13",
         _write("content/acme/2026-10.md", _report('title: "October"', 'period: "2026-13"')),
         "content/acme/2026-10.md", row=3, expects=("period", "'2026-13'", "expected a month like 2026-10")),
    Case("period-not-a-month",
         _write("content/acme/2026-10.md", _report('title: "October"', 'period: "October 2026"')),
         "content/acme/2026-10.md", row=3, expects=("period", "'October 2026'", "expected a month like 2026-10")),
]


@dataclass
class CaseRun:
    project: Path
    out: Path
    run: Run


def _run_case(case: Case, folder: Path) -> CaseRun:
    project = make_project(folder / "project", site_toml=SITE_TOML, client_toml=CLIENT_TOML)
    case.mutate(project)
    out = folder / "site"
    return CaseRun(project, out, build(project, out))


class _CaseRuns:
    """Each case's build, made on first use; `prefetch` runs several in parallel (one process per core),
    as each build is a fresh interpreter that spends most of its second importing pandas and altair."""

    def __init__(self, base: Path):
        self.base = base
        self.done: dict[str, CaseRun] = {}

    def prefetch(self, cases: list[Case]) -> None:
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            futures = {c.id: pool.submit(_run_case, c, self.base / c.id) for c in cases}
            self.done.update({cid: f.result() for cid, f in futures.items()})

    def __getitem__(self, case: Case) -> CaseRun:
        if case.id not in self.done:
            self.done[case.id] = _run_case(case, self.base / case.id)
        return self.done[case.id]


@pytest.fixture(scope="module")
def case_runs(request, tmp_path_factory) -> _CaseRuns:
    runs = _CaseRuns(tmp_path_factory.mktemp("cases"))
    if not hasattr(request.config, "workerinput"):  # under xdist a worker runs only some of the cases
        runs.prefetch([item.callspec.params["case"] for item in request.session.items
                       if item.module is request.module
                       and "case" in getattr(getattr(item, "callspec", None), "params", {})])
    return runs


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_user_mistake_is_one_located_error(case: Case, case_runs: _CaseRuns) -> None:
    project, out, run = case_runs[case].project, case_runs[case].out, case_runs[case].run

    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 2, f"exit code {run.returncode}; stderr:\n{run.stderr}"
    assert all(line.startswith(("error: ", "warning: ")) for line in run.stderr.splitlines() if line.strip()), \
        run.stderr
    files = case.file if isinstance(case.file, tuple) else (case.file,)
    found = []
    for rel in files:
        try:
            found.append(error_for(run, project / rel, project))
        except AssertionError:
            pass
    assert found, f"no error line names {' or '.join(files)}; stderr:\n{run.stderr}"
    where = found[0]
    if case.row is not None:
        assert where.row == case.row, f"expected row {case.row} in: {where.line}"
    if case.column is not None:
        assert where.column == case.column, f"expected column {case.column!r} in: {where.line}"
    for text in case.expects:
        assert text in where.message, f"{text!r} not in: {where.line}"
    for rel in files:  # a clash names every file involved
        assert Path(rel).name in where.line, f"{rel} not named in: {where.line}"
    assert not out.exists(), "a failed build must not write an output folder"


# --- builds that work ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """A small valid project, built once into its default output folder (PROJECT_DIR/output)."""
    project = make_project(tmp_path_factory.mktemp("good") / "project")
    run = run_cli("build", project)
    return project, run


def test_good_project_builds(good_build) -> None:
    project, run = good_build
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert run.error_lines == [] and run.warning_lines == [], run.stderr
    assert (project / "output" / "index.html").is_file()
    assert (project / "output" / "acme" / "index.html").is_file()
    assert (project / "output" / "acme" / "2026-10" / "index.html").is_file()
    assert "Built 1 reports for 1 clients" in run.stdout


def test_two_builds_are_byte_identical(good_build, tmp_path: Path) -> None:
    project, first = good_build
    assert first.returncode == 0, first.stderr
    # another process with another hash seed must not change a single byte
    second = build(project, tmp_path / "again", env={"PYTHONHASHSEED": "12345"})
    assert second.returncode == 0, second.stderr
    before, after = tree_digest(project / "output"), tree_digest(tmp_path / "again")
    assert before.keys() == after.keys()
    assert [p for p in before if before[p] != after[p]] == []


def test_failed_build_leaves_last_good_site_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    out = tmp_path / "site"
    first = build(project, out)
    assert first.returncode == 0, first.stderr
    good = tree_digest(out)
    assert "index.html" in good

    _replace(f"{DATA}/ads.csv", "2026-10-02,B,50,5000,", "2026-10-02,B,50,lots,")(project)
    second = build(project, out)

    assert second.returncode == 2, second.stderr
    assert "Traceback" not in second.stderr
    assert error_for(second, project / DATA / "ads.csv", project).row == 3
    assert tree_digest(out) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"], "temporary folders were left"


def test_unknown_site_key_warns_and_fails_only_with_strict(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", site_toml=SITE_TOML + 'colour = "teal"\n')

    lenient = build(project, tmp_path / "lenient")
    assert lenient.returncode == 0, lenient.stderr
    assert any("sitegen.toml" in w and "colour" in w for w in lenient.warning_lines), lenient.stderr
    assert (tmp_path / "lenient" / "index.html").is_file()

    strict = build(project, tmp_path / "strict", "--strict")
    assert strict.returncode == 2, strict.stderr
    assert "Traceback" not in strict.stderr
    assert any("sitegen.toml" in e and "colour" in e for e in strict.error_lines), strict.stderr
    assert not (tmp_path / "strict").exists()


def test_help_exits_zero() -> None:
    run = run_cli("--help")
    assert run.returncode == 0, run.stderr
    assert "build" in run.stdout
    sub = run_cli("build", "--help")
    assert sub.returncode == 0, sub.stderr
    assert "--output" in sub.stdout and "--strict" in sub.stdout

