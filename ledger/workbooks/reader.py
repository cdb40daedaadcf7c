"""Open an .xlsx file and stream its sheets as rows of ``Cell``.

openpyxl in read-only mode keeps memory flat on large returns and gives each
cell's number format (a percentage needs it). Formulas that Excel never
calculated read as empty with ``data_only=True``; they are found by scanning
the sheet's XML for a formula with no cached value, so they can be refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET  # the XML is untrusted: no entity bombs

from ledger.problems import Problem, Source, error
from ledger.workbooks.cells import Cell, normalise

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(1, 200)]


def _letter(i: int) -> str:
    return _LETTERS[i - 1] if i < len(_LETTERS) else column_letter(i)


class WorkbookError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class Workbook:
    """A workbook opened for reading; ``name`` is the path as the user gave it."""

    def __init__(self, path: Path, name: str):
        import openpyxl  # heavy: only when a workbook is read

        self.path = path
        self.name = name
        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except FileNotFoundError:
            raise WorkbookError(error(Source(name), "no such file", "check the path")) from None
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise WorkbookError(
                error(
                    Source(name),
                    f"not an Excel workbook that can be read ({type(exc).__name__})",
                    "save it from Excel as an .xlsx workbook",
                )
            ) from None
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise WorkbookError(
                error(Source(name), f"the workbook cannot be read: {exc}", "save it again from Excel as .xlsx")
            ) from None
        self._uncalculated: dict[str, set[str]] = {}

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sheet_titles(self) -> list[str]:
        return list(self._wb.sheetnames)

    def find_sheet(self, name: str) -> list[str]:
        """Titles of the sheets whose name normalises like ``name``."""
        key = normalise(name)
        return [t for t in self._wb.sheetnames if normalise(t) == key]

    def _uncalculated_cells(self, title: str) -> set[str]:
        if title not in self._uncalculated:
            ws = self._wb[title]
            found: set[str] = set()
            try:
                with zipfile.ZipFile(self.path) as zf, zf.open(ws._worksheet_path) as fh:  # noqa: SLF001
                    data = fh.read()
                if b"<f" in data:
                    root = SafeET.fromstring(data)
                    for c in root.iter(f"{_NS}c"):
                        f = c.find(f"{_NS}f")
                        v = c.find(f"{_NS}v")
                        if f is not None and (v is None or v.text is None):
                            found.add(c.get("r", ""))
            except (KeyError, AttributeError, zipfile.BadZipFile):
                pass
            self._uncalculated[title] = found
        return self._uncalculated[title]

    def rows(self, title: str) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """Every non-empty row: (row number, cells from column A)."""
        ws = self._wb[title]
        uncalculated = self._uncalculated_cells(title)
        ws.reset_dimensions()  # some writers record a wrong size; read what is there
        for r, row in enumerate(ws.iter_rows(), start=1):
            cells: list[Cell] = []
            any_value = False
            for c, cell in enumerate(row, start=1):
                value: Any = getattr(cell, "value", None)
                coord = f"{_letter(c)}{r}"
                missing = coord in uncalculated
                if value is not None or missing:
                    any_value = any_value or missing or not (isinstance(value, str) and not value.strip())
                cells.append(
                    Cell(value, getattr(cell, "number_format", "General") or "General", coord, missing)
                )
            if any_value:
                yield r, tuple(cells)
