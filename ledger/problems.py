"""Problems are data: a located message with a hint, never an exception.

Printed one per line as ``path:Sheet!A1: error: what is wrong (hint: ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from: a file, and within it a sheet and a cell."""

    file: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.file
        if self.cell is None:
            return f"{self.file}:{self.sheet}"
        return f"{self.file}:{self.sheet}!{self.cell}"

    def at(self, cell: str, row: int | None = None) -> Source:
        return Source(self.file, self.sheet, cell, row if row is not None else self.row)

    def in_sheet(self, sheet: str) -> Source:
        return Source(self.file, sheet)


@dataclass(frozen=True, slots=True)
class Problem:
    source: Source
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.source}: {self.severity.value}: {self.message}{hint}"

    def as_json(self) -> dict[str, str]:
        text = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return {"severity": self.severity.value, "where": str(self.source), "message": text}


def error(source: Source, message: str, hint: str | None = None) -> Problem:
    return Problem(source, message, hint, Severity.ERROR)


def warning(source: Source, message: str, hint: str | None = None) -> Problem:
    return Problem(source, message, hint, Severity.WARNING)


def has_errors(problems: list[Problem] | tuple[Problem, ...]) -> bool:
    return any(p.is_error for p in problems)
