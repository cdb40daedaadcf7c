"""Read a sheet against its ``SheetSpec``: header matching, then typed rows.

Headers match case-insensitively ignoring spaces, ``_``, ``-`` and a trailing
``%`` or ``(£)``. Every problem is collected with its cell; nothing is raised
for a user's mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledger.periods import parse_year
from ledger.problems import Problem, Source, error, warning
from ledger.records import Arrangement
from ledger.workbooks import cells as cl
from ledger.workbooks.cells import Cell, CellError, normalise
from ledger.workbooks.specs import Column, SheetSpec

Rows = Iterable[tuple[int, tuple[Cell, ...]]]


@dataclass(slots=True)
class TableRow:
    row: int
    source: Source  # the row's first cell
    values: dict[str, Any] = field(default_factory=dict)  # field -> value (None when blank)
    cells: dict[str, str] = field(default_factory=dict)  # field -> coordinate
    ok: bool = True

    def at(self, key: str) -> Source:
        """The source of one field's cell (the row's first cell if the column is absent)."""
        cell = self.cells.get(key)
        return self.source.at(cell, self.row) if cell else self.source

    def get(self, key: str, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v


def parse_cell(cell: Cell, col: Column) -> tuple[Any, str | None]:
    """A cell's value as the column's kind, and a warning if any. Raises CellError."""
    kind = col.kind
    if kind == "percent":
        return cl.read_percent(cell)
    if kind == "money":
        return cl.read_money(cell), None
    if kind == "code":
        return (None if cell.is_blank else cl.read_code(cell, f"{col.name.lower()} code")), None
    if kind == "text":
        return (cl.read_text(cell) or None), None
    if kind == "date":
        return cl.read_date(cell), None
    if kind == "number":
        return cl.read_number(cell), None
    if kind == "choice":
        return cl.read_choice(cell, col.choices, col.name.lower()), None
    if kind == "period":
        return cl.read_period(cell), None
    if kind == "score":
        return cl.read_score(cell), None
    if kind == "year":
        if cell.is_blank:
            return None, None
        try:
            return parse_year(cl.read_text(cell)), None
        except ValueError:
            raise CellError(f"{cl.read_text(cell)!r} is not a financial year", "write it like 2025-26") from None
    raise ValueError(f"unknown column kind {kind}")


def needs_formats(spec: SheetSpec) -> bool:
    """Whether reading the sheet needs cell formats (percentages), or values will do."""
    return any(c.kind in ("percent", "number", "score") for c in spec.columns)


def _applies(col: Column, arrangement: Arrangement | None) -> bool:
    return arrangement is None or arrangement in col.applies


def _required(col: Column, arrangement: Arrangement | None) -> bool:
    return col.required or (arrangement is not None and arrangement in col.required_for)


def _read_into(row: TableRow, cell: Cell, col: Column, required: bool, problems: list[Problem]) -> None:
    src = row.source.at(cell.coordinate, row.row)
    row.cells[col.field] = cell.coordinate
    try:
        value, note = parse_cell(cell, col)
    except CellError as exc:
        problems.append(error(src, f"{col.name}: {exc.message}", exc.hint))
        row.ok = False
        row.values[col.field] = None
        return
    if note:
        problems.append(warning(src, f"{col.name}: {note}"))
    if value is None and required:
        problems.append(error(src, f"{col.name} is required", col.note))
        row.ok = False
    row.values[col.field] = value


def read_key_values(
    rows: Rows, spec: SheetSpec, src: Source, arrangement: Arrangement | None, problems: list[Problem]
) -> TableRow:
    """A key/value sheet: field in column A, value in column B; ``Field | Value`` header skipped."""
    by_name = {normalise(c.name): c for c in spec.columns}
    out = TableRow(row=1, source=src.at("A1", 1))
    seen: dict[str, str] = {}
    for r, cells in rows:
        key_cell = cells[0] if cells else Cell(None)
        value_cell = cells[1] if len(cells) > 1 else Cell(None, coordinate=f"B{r}")
        if not value_cell.coordinate:
            value_cell = Cell(value_cell.value, value_cell.number_format, f"B{r}", value_cell.uncalculated)
        if key_cell.is_blank:
            if not value_cell.is_blank:
                problems.append(warning(src.at(f"A{r}", r), "a value with no field name is ignored",
                                        "write the field's name in column A"))
            continue
        try:
            key = normalise(cl.read_text(key_cell))
        except CellError as exc:
            problems.append(error(src.at(key_cell.coordinate or f"A{r}", r), f"field name: {exc.message}", exc.hint))
            out.ok = False
            continue
        if key == "field" and not value_cell.uncalculated and value_cell.error is None \
                and normalise(cl.read_text(value_cell)) == "value":
            continue
        col = by_name.get(key)
        if col is None:
            problems.append(
                warning(src.at(f"A{r}", r), f"{cl.read_text(key_cell)!r} is not a field of {spec.name}; ignored",
                        "the fields read here are: " + ", ".join(c.name for c in spec.columns))
            )
            continue
        if col.field in seen:
            problems.append(
                error(
                    src.at(f"A{r}", r),
                    f"{col.name} is given twice (also at {seen[col.field]})",
                    "keep one row per field",
                )
            )
            out.ok = False
            continue
        seen[col.field] = f"A{r}"
        if not _applies(col, arrangement):
            problems.append(warning(src.at(f"A{r}", r), f"{col.name} does not apply to {arrangement.label} pools; ignored",  # type: ignore[union-attr]
                                    "remove the row, or check the pool's arrangement"))
            continue
        row = TableRow(row=r, source=src.at(f"A{r}", r))
        _read_into(row, value_cell, col, _required(col, arrangement), problems)
        out.values[col.field] = row.values[col.field]
        out.cells[col.field] = value_cell.coordinate
        out.ok = out.ok and row.ok
    return out


def check_required_fields(
    kv: TableRow, spec: SheetSpec, src: Source, arrangement: Arrangement | None, problems: list[Problem]
) -> None:
    """A required field with no row at all in a key/value sheet."""
    for col in spec.columns:
        if _required(col, arrangement) and col.field not in kv.cells:
            problems.append(
                error(
                    src,
                    f"the field {col.name!r} is missing",
                    f"add a row with {col.name!r} in column A and its value in column B",
                )
            )
            kv.ok = False


def read_table(
    rows: Rows,
    spec: SheetSpec,
    src: Source,
    arrangement: Arrangement | None,
    problems: list[Problem],
    progress: Callable[[int], None] | None = None,
) -> Iterator[TableRow]:
    """The data rows of a table sheet; the header is its first non-empty row."""
    by_name = {normalise(c.name): c for c in spec.columns}
    it = iter(rows)
    header = next(it, None)
    if header is None:
        return
    hr, hcells = header
    mapping: list[tuple[int, Column]] = []
    seen: dict[str, str] = {}
    for i, cell in enumerate(hcells):
        if cell.is_blank:
            continue
        at = src.at(cell.coordinate, hr)
        try:
            text = cl.read_text(cell)
        except CellError as exc:
            problems.append(error(at, f"header: {exc.message}", exc.hint))
            continue
        key = normalise(text)
        if key in seen:
            problems.append(
                error(at, f"the header {text!r} is the same column as {seen[key]}", "remove or rename one of them")
            )
            continue
        seen[key] = cell.coordinate
        col = by_name.get(key)
        if col is None:
            problems.append(warning(at, f"{text!r} is not a column of {spec.name}; ignored",
                                    "the columns read here are: " + ", ".join(c.name for c in spec.columns)))
            continue
        if not _applies(col, arrangement):
            problems.append(warning(at, f"{col.name} does not apply to {arrangement.label} pools; ignored",  # type: ignore[union-attr]
                                    "remove the column, or check the pool's arrangement"))
            continue
        mapping.append((i, col))
    present = {col.field for _, col in mapping}
    missing = [c for c in spec.columns if _required(c, arrangement) and c.field not in present and _applies(c, arrangement)]
    for col in missing:
        problems.append(
            error(src, f"the required column {col.name!r} is missing", f"add a header {col.name!r} to the first row")
        )
    if missing:
        return
    count = 0
    for r, cells in it:
        row = TableRow(row=r, source=src.at(cells[0].coordinate if cells and cells[0].coordinate else f"A{r}", r))
        for i, col in mapping:
            cell = cells[i] if i < len(cells) else Cell(None, coordinate=f"{hcells[i].coordinate.rstrip('0123456789')}{r}")
            _read_into(row, cell, col, col.required, problems)  # by role: ledger.validate
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
        yield row
    if progress is not None:
        progress(count)
