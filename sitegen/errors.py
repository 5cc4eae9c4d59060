"""One exception root for user mistakes, and the warnings collected during a build."""

from __future__ import annotations

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
    """A problem the user can fix: shown as one line, exit code 2, no traceback."""

    def __init__(self, message: str, file: Path | str | None = None, row: int | None = None,
                 column: str | int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column

    def __reduce__(self):  # keep file, row and column when sent back from a worker process
        return (type(self), (self.message, self.file, self.row, self.column))

    def __str__(self) -> str:
        where = location(self.file, self.row, self.column)
        return f"{where}: {self.message}" if where else self.message


class SitegenErrors(SitegenError):
    """Several problems found at once (every config error, every bad cell)."""

    def __init__(self, errors: list[SitegenError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problems")

    def __reduce__(self):
        return (type(self), (self.errors,))

    def lines(self) -> list[str]:
        shown = [str(e) for e in self.errors[:MAX_LISTED]]
        if len(self.errors) > MAX_LISTED:
            shown.append(f"... and {len(self.errors) - MAX_LISTED} more problems")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())


def raise_all(errors: list[SitegenError]) -> None:
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
