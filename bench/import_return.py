"""Benchmark: import a quarterly return of many rows (default 100,000 Spend rows).

Prints the time to write the workbook (setup), then for the import: reading
and checking, writing to the database, rows per second, and peak memory.
Run: .venv/bin/python bench/import_return.py [ROWS]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.records import Arrangement  # noqa: E402
from ledger.services.importing import import_files  # noqa: E402
from ledger.store.db import open_engine  # noqa: E402
from ledger.workbooks.templates import write  # noqa: E402
from tests.conftest import example_a_agreement  # noqa: E402


def write_big_return(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Return")
    for r in (["Field", "Value"], ["Pool", "SWN-CYP"], ["Period", "2025-26-Q1"], ["Submitted by", "SBC"]):
        ws.append(r)
    ws = wb.create_sheet("Spend")
    ws.append(["Date", "Line", "Amount", "Reference", "Description", "Paid by"])
    start = date(2025, 4, 1)
    for i in range(rows):
        ws.append([start + timedelta(days=i % 91), "CYP-SOC" if i % 2 else "CYP-HLTH", round(10 + (i % 997) * 1.37, 2),
                   f"INV-{i:07d}", "Placement", "SBC"])
    wb.save(path)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        write_big_return(d / "big.xlsx", rows)
        write(d / "a.xlsx", "agreement", Arrangement.LEAD_BODY, example_a_agreement(), examples=False)
        print(f"setup: wrote a {rows:,}-row return in {time.perf_counter() - t0:.1f} s "
              f"({(d / 'big.xlsx').stat().st_size / 1e6:.1f} MB)")
        engine = open_engine(f"sqlite:///{d / 'bench.db'}")
        import_files(engine, [str(d / "a.xlsx")])
        marks: dict[str, float] = {}

        def progress(ev) -> None:  # type: ignore[no-untyped-def]
            marks.setdefault(ev.stage, time.perf_counter())

        t1 = time.perf_counter()
        [r] = import_files(engine, [str(d / "big.xlsx")], progress=progress)
        t2 = time.perf_counter()
        assert r.status == "imported", [str(p) for p in r.problems[:5]]
        read = marks.get("writing", t2) - t1
        print(f"import: {t2 - t1:.1f} s in all ({rows / (t2 - t1):,.0f} rows/s): "
              f"read and check {read:.1f} s, write {t2 - marks.get('writing', t2):.1f} s")
        t3 = time.perf_counter()
        [again] = import_files(engine, [str(d / "big.xlsx")])
        print(f"same file again: {again.status} in {time.perf_counter() - t3:.2f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (whole process): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
