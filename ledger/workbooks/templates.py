"""Write workbooks: blank templates with notes and drop-downs, and filled ones.

``template`` writes what a finance officer fills in: every sheet that applies
to the arrangement, headers with a note each, drop-down lists for choices,
and worked example rows on a separate ``Examples`` sheet (never imported).
``filled`` writes the same layout with data, for tests and the sample pools.
Text that starts with ``=``, ``+``, ``-`` or ``@`` is written as text, never
as a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.records import Arrangement
from ledger.workbooks import specs as S
from ledger.workbooks.reader import column_letter
from ledger.workbooks.specs import Column, SheetSpec

MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
PERCENT_FORMAT = "0.00%"  # a real percentage: 50 is written as 0.5 and reads back as 50
DATE_FORMAT = "dd/mm/yyyy"
HEADER_FILL = "DDEBF7"


def sheets_for(kind: str, arrangement: Arrangement | None) -> tuple[SheetSpec, ...]:
    specs = S.AGREEMENT_SHEETS if kind == "agreement" else S.RETURN_SHEETS
    return tuple(s for s in specs if arrangement is None or arrangement in s.applies)


def columns_for(spec: SheetSpec, arrangement: Arrangement | None) -> tuple[Column, ...]:
    return tuple(c for c in spec.columns if arrangement is None or arrangement in c.applies)


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # openpyxl writes numbers as floats; repr() round-trips the pence exactly
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _style_header(cell: Any, note: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
    comment = Comment(note, "pool-ledger")
    comment.width, comment.height = 300, 90
    cell.comment = comment


def _format_for(col: Column) -> str | None:
    return {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT, "date": DATE_FORMAT}.get(col.kind)


def write_text_safe(cell: Any, value: Any) -> None:
    """Set a cell; text that looks like a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"


def _write(cell: Any, value: Any, col: Column | None) -> None:
    if col is not None and col.kind == "percent" and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        value = Decimal(value) / 100
    value = _cell_value(value)
    write_text_safe(cell, value)
    if col is not None and (fmt := _format_for(col)) and not isinstance(value, str):
        cell.number_format = fmt


def _validation(ws: Any, col: Column, ref: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if not col.choices:
        return
    values = list(dict.fromkeys(col.choices.values()))
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    dv.error = f"{col.name}: choose one of {', '.join(values)}"
    dv.errorTitle = col.name
    dv.prompt = col.note
    dv.add(ref)
    ws.add_data_validation(dv)


def _key_value_sheet(ws: Any, spec: SheetSpec, arrangement: Arrangement | None, values: Mapping[str, Any]) -> None:
    ws.append(["Field", "Value"])
    for c in ws[1]:
        _style_header(c, spec.note)
    for col in columns_for(spec, arrangement):
        ws.append([col.name])
        r = ws.max_row
        ws.cell(r, 1).comment = None
        _style_header(ws.cell(r, 1), col.note)
        if col.name in values:
            _write(ws.cell(r, 2), values[col.name], col)
        _validation(ws, col, f"B{r}")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 36


def _table_sheet(ws: Any, spec: SheetSpec, cols: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> None:
    ws.append([c.name for c in cols])
    for cell, col in zip(ws[1], cols):
        _style_header(cell, col.note)
    for i, col in enumerate(cols, start=1):
        letter = column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(col.name) + 4)
        _validation(ws, col, f"{letter}2:{letter}5000")
    for data in rows:
        r = ws.max_row + 1
        for i, col in enumerate(cols, start=1):
            if col.name in data:
                _write(ws.cell(r, i), data[col.name], col)
    ws.freeze_panes = "A2"


def build(
    kind: str,
    arrangement: Arrangement | None,
    data: Mapping[str, Any] | None = None,
    examples: bool = True,
) -> Any:
    """An openpyxl workbook of ``kind`` (agreement | return) for the arrangement.

    ``data`` maps a sheet name to its rows (a list of {header: value}) or, for
    the key/value sheets, to {field: value}. Sheets with no data stay as
    blank templates.
    """
    from openpyxl import Workbook as XlWorkbook
    from openpyxl.styles import Font

    data = data or {}
    wb = XlWorkbook()
    wb.remove(wb.active)
    specs = sheets_for(kind, arrangement)
    for spec in specs:
        ws = wb.create_sheet(spec.name)
        if spec.key_value:
            _key_value_sheet(ws, spec, arrangement, data.get(spec.name, {}))
        else:
            _table_sheet(ws, spec, columns_for(spec, arrangement), data.get(spec.name, []))
    if examples:
        ws = wb.create_sheet("Examples")
        ws.append(["Worked example rows: copy them to the sheets above. This sheet is never imported."])
        ws["A1"].font = Font(bold=True)
        for spec in specs:
            cols = columns_for(spec, arrangement)
            ws.append([])
            ws.append([spec.name])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            if spec.key_value:
                for col in cols:
                    if col.example is not None:
                        ws.append([col.name, _cell_value(col.example)])
            else:
                ws.append([c.name for c in cols])
                ws.append([_cell_value(c.example) for c in cols])
        ws.column_dimensions["A"].width = 24
    props = wb.properties
    props.creator = "pool-ledger"
    props.title = f"pool-ledger {kind} template" + (f" ({arrangement.label})" if arrangement else "")
    return wb


def write(path: str | Path, kind: str, arrangement: Arrangement | None, data: Mapping[str, Any] | None = None,
          examples: bool = True) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb = build(kind, arrangement, data, examples)
    wb.save(p)
    return p


def iso(d: date) -> str:
    return d.isoformat()
