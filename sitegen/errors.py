"""One exception root for user mistakes, and the warnings collected during a build."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED = 20


def location(file: Path | str | None, row: int | None = None, column: str | int | None = None) -> str:
    """`file:row:column`, leaving out the parts that are not known."""
    parts = [str(file)] if file is not None else []
    if row is not None:
        parts.append(str(row))
    if column is not None:
        parts.append(str(column))
    return ":".join(parts)


class SitegenError(Exception):
    """A problem the user can fix: shown as one line, exit code 2, no traceback.

    `cells`: how many bad cells of a data file it stands for (1 for one cell, N for a line that sums up
    N cells not listed one by one; 0 when it is not about cells), so that counts say what they count."""

    def __init__(self, message: str, file: Path | str | None = None, row: int | None = None,
                 column: str | int | None = None, cells: int = 0):
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.cells = cells

    def __reduce__(self):  # keep file, row, column and cells when sent back from a worker process
        return (type(self), (self.message, self.file, self.row, self.column, self.cells))

    def __str__(self) -> str:
        where = location(self.file, self.row, self.column)
        return f"{where}: {self.message}" if where else self.message


class SitegenErrors(SitegenError):
    """Several problems found at once (every config error, every bad cell)."""

    def __init__(self, errors: list[SitegenError]):
        self.errors = flat(errors)
        super().__init__(count_text(self.errors))

    def __reduce__(self):
        return (type(self), (self.errors,))

    def lines(self) -> list[str]:
        shown = [str(e) for e in self.errors[:MAX_LISTED]]
        rest = self.errors[MAX_LISTED:]
        if rest:
            shown.append(f"... and {count_text(rest, more=True)} not listed; {count_text(self.errors)} in all")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())


class EnvironmentFailure(SitegenError):
    """Not the input but the machine it runs on: a full disk, a read-only or protected folder. One line, like a
    user mistake, but exit code 1."""


_REASONS = {  # what the user can do something about, said plainly; any other error by the system's words
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted (is the folder protected or immutable?)",
}


def os_reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno) or exc.strerror or type(exc).__name__


def os_failure(exc: OSError, doing: str = "", file: Path | str | None = None) -> EnvironmentFailure:
    """An OSError as one line: `file: doing: reason` (`file`: the error's own when not given)."""
    where = file if file is not None else (os.fsdecode(exc.filename) if exc.filename is not None else None)
    return EnvironmentFailure(f"{doing}: {os_reason(exc)}" if doing else os_reason(exc), where)


def only_environment(exc: SitegenError) -> bool:
    """Is every problem the machine's (exit code 1), none the user's (exit code 2)?"""
    return all(isinstance(e, EnvironmentFailure) for e in flat([exc]))


def flat(errors: list[SitegenError]) -> list[SitegenError]:
    """The errors with those that gather several replaced by theirs."""
    return [e for error in errors for e in (error.errors if isinstance(error, SitegenErrors) else [error])]


def count_text(errors: list[SitegenError], more: bool = False) -> str:
    """What the errors stand for, counted exactly: "365 bad cells in 2 files", "3 problems", "1 bad cell in
    ads.csv and 2 other problems"; `more`: "345 more bad cells (180 in a.csv, 165 in b.csv)"."""
    errors = flat(errors)
    per_file: dict[str, int] = {}  # file -> bad cells
    for e in errors:
        if e.cells:
            per_file[str(e.file)] = per_file.get(str(e.file), 0) + e.cells
    cells, others = sum(per_file.values()), sum(1 for e in errors if not e.cells)
    extra = "more " if more else ""
    parts = []
    if cells:
        files = f"{len(per_file)} files" if len(per_file) > 1 else Path(next(iter(per_file))).name
        if more and 1 < len(per_file) <= MAX_FILES_NAMED:
            files = ", ".join(f"{n:,} in {Path(name).name}" for name, n in per_file.items())
            parts.append(f"{cells:,} {extra}bad cell{_s(cells)} ({files})")
        else:
            parts.append(f"{cells:,} {extra}bad cell{_s(cells)} in {files}")
    if others:
        other = "other " if cells and not more else extra
        parts.append(f"{others:,} {other}problem{_s(others)}")
    return " and ".join(parts) or "no problems"


MAX_FILES_NAMED = 3  # files named one by one in a count of the bad cells not listed


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def raise_all(errors: list[SitegenError]) -> None:
    errors = flat(errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SitegenErrors(errors)


def error_lines(exc: SitegenError) -> list[str]:
    return exc.lines() if isinstance(exc, SitegenErrors) else [str(exc)]


@dataclass
class Diagnostics:
    """Warnings gathered across stages; `--strict` turns them into a failure."""

    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str, file: Path | str | None = None, row: int | None = None,
             column: str | int | None = None) -> None:
        text = str(SitegenError(message, file, row, column))
        if text not in self.warnings:
            self.warnings.append(text)

    def check_strict(self) -> None:
        if self.warnings:
            raise SitegenErrors([SitegenError(f"{w} (a warning; --strict makes it an error)")
                                 for w in self.warnings])
