"""Finding a workbook's sheets by name and warning about the ones not read."""

from __future__ import annotations

from ledger.problems import Problem, Source, error, warning
from ledger.records import Arrangement
from ledger.workbooks.cells import normalise
from ledger.workbooks.reader import Workbook
from ledger.workbooks.specs import SheetSpec


def find(wb: Workbook, spec: SheetSpec, problems: list[Problem]) -> str | None:
    """The title of the sheet for ``spec``, or None (an error if it is required)."""
    titles = wb.find_sheet(spec.name)
    if len(titles) > 1:
        problems.append(
            error(
                Source(wb.name),
                f"the sheets {', '.join(repr(t) for t in titles)} are the same sheet {spec.name!r}",
                "keep one of them",
            )
        )
        return None
    if not titles:
        if spec.required:
            problems.append(
                error(Source(wb.name), f"the required sheet {spec.name!r} is missing", f"add a sheet named {spec.name!r}")
            )
        return None
    return titles[0]


def warn_unread(
    wb: Workbook, specs: tuple[SheetSpec, ...], arrangement: Arrangement | None, problems: list[Problem]
) -> set[str]:
    """Warn about unknown sheets and those that do not apply; return the titles to read."""
    known = {normalise(s.name): s for s in specs}
    read: set[str] = set()
    for title in wb.sheet_titles:
        key = normalise(title)
        if key == "examples":
            continue
        spec = known.get(key)
        if spec is None:
            problems.append(warning(Source(wb.name, title), "this sheet is not one the import reads; ignored",
                                    "the sheets read here are: " + ", ".join(s.name for s in specs)))
        elif arrangement is not None and arrangement not in spec.applies:
            problems.append(
                warning(Source(wb.name, title), f"sheet {spec.name} does not apply to {arrangement.label} pools; ignored",
                        "remove the sheet, or check the pool's arrangement")
            )
        else:
            read.add(title)
    return read
