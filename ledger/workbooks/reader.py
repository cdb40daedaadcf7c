"""Open an .xlsx file and stream its sheets as rows of ``Cell``.

Two readers, chosen per sheet. Sheets whose columns need cell formats (a
percentage is only a percentage by its format) are read with openpyxl in
read-only mode. The large money sheets need values only and are read with
python-calamine, several times faster on a 100,000-row return (see
``bench/import_return.py``). Formulas that Excel never calculated read as
empty through both, so each sheet's XML is scanned for a formula with no
cached value, and those cells are refused by name.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET  # the XML is untrusted: no entity bombs

from ledger.problems import Problem, Source, error
from ledger.workbooks.cells import Cell, normalise

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SAVE_HINT = "save it from Excel as an .xlsx workbook"


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


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the worksheet's XML part in the zip."""
    book = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = {}
    for s in book.iter(f"{_NS}sheet"):
        target = targets.get(s.get(f"{_REL}id"), "")
        out[s.get("name", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target)
        )
    return out


class Workbook:
    """A workbook opened for reading; ``name`` is the path as the user gave it."""

    def __init__(self, path: Path, name: str):
        self.path = path
        self.name = name
        if not path.exists():
            raise WorkbookError(error(Source(name), "no such file", "check the path"))
        if not zipfile.is_zipfile(path):
            raise WorkbookError(error(Source(name), "not an Excel workbook (.xlsx)", SAVE_HINT))
        try:
            with zipfile.ZipFile(path) as zf:
                self._paths = _sheet_paths(zf)
        except (KeyError, zipfile.BadZipFile, SafeET.ParseError, OSError) as exc:
            raise WorkbookError(
                error(Source(name), f"not an Excel workbook (.xlsx) that can be read ({type(exc).__name__})", SAVE_HINT)
            ) from None
        except Exception as exc:  # defusedxml refuses entities and DTDs
            raise WorkbookError(error(Source(name), f"the workbook cannot be read: {exc}", SAVE_HINT)) from None
        self._openpyxl: Any = None
        self._calamine: Any = None
        self._scanned: dict[str, tuple[set[str], dict[str, str]]] = {}

    def close(self) -> None:
        if self._openpyxl is not None:
            self._openpyxl.close()
        if self._calamine is not None:
            self._calamine.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sheet_titles(self) -> list[str]:
        return list(self._paths)

    def find_sheet(self, name: str) -> list[str]:
        """Titles of the sheets whose name normalises like ``name``."""
        key = normalise(name)
        return [t for t in self._paths if normalise(t) == key]

    def _scan(self, title: str) -> tuple[set[str], dict[str, str]]:
        """Cells whose formula has no cached value, and cells holding an error value (#N/A...).

        Both readers would show either as blank; the sheet's XML says which they are.
        """
        if title not in self._scanned:
            uncalculated: set[str] = set()
            errors: dict[str, str] = {}
            with zipfile.ZipFile(self.path) as zf, zf.open(self._paths[title]) as fh:
                data = fh.read()
            if b"<f" in data or b't="e"' in data:
                for c in SafeET.fromstring(data).iter(f"{_NS}c"):
                    f, v = c.find(f"{_NS}f"), c.find(f"{_NS}v")
                    if c.get("t") == "e":
                        errors[c.get("r", "")] = (v.text if v is not None else None) or "#ERROR"
                    elif f is not None and (v is None or v.text is None):
                        uncalculated.add(c.get("r", ""))
            self._scanned[title] = (uncalculated, errors)
        return self._scanned[title]

    def _open(self, which: str) -> Any:
        import openpyxl  # heavy: only when a workbook is read
        from python_calamine import CalamineWorkbook

        try:
            if which == "openpyxl":
                if self._openpyxl is None:
                    self._openpyxl = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
                return self._openpyxl
            if self._calamine is None:
                self._calamine = CalamineWorkbook.from_path(str(self.path))
            return self._calamine
        except Exception as exc:  # both readers raise many kinds on a damaged file
            raise WorkbookError(error(Source(self.name), f"the workbook cannot be read: {exc}", SAVE_HINT)) from None

    def rows(self, title: str, formats: bool = True) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        """Every non-empty row: (row number, cells from column A).

        ``formats=False`` reads values only (no number formats), much faster.
        """
        try:
            uncalculated, errors = self._scan(title)
            yield from self._cells(title, formats, uncalculated, errors)
        except WorkbookError:
            raise
        except Exception as exc:  # a damaged sheet part: each reader raises its own kinds
            raise WorkbookError(
                error(Source(self.name, title), f"the sheet cannot be read: {exc}", SAVE_HINT)
            ) from None

    def _cells(
        self, title: str, formats: bool, uncalculated: set[str], errors: dict[str, str]
    ) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        source = self._formatted_rows(title) if formats else self._value_rows(title)
        for r, values in source:
            cells: list[Cell] = []
            any_value = False
            for c, (value, fmt) in enumerate(values, start=1):
                coord = f"{_letter(c)}{r}"
                missing = coord in uncalculated
                failed = errors.get(coord) if errors else None
                if missing or failed or (value is not None and not (isinstance(value, str) and not value.strip())):
                    any_value = True
                cells.append(Cell(value, fmt, coord, missing, failed))
            if any_value:
                yield r, tuple(cells)

    def _formatted_rows(self, title: str) -> Iterator[tuple[int, list[tuple[Any, str]]]]:
        ws = self._open("openpyxl")[title]
        ws.reset_dimensions()  # some writers record a wrong size; read what is there
        for r, row in enumerate(ws.iter_rows(), start=1):
            yield r, [(getattr(c, "value", None), getattr(c, "number_format", None) or "General") for c in row]

    def _value_rows(self, title: str) -> Iterator[tuple[int, list[tuple[Any, str]]]]:
        sheet = self._open("calamine").get_sheet_by_name(title)
        for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            yield r, [(None if v == "" else v, "General") for v in row]
