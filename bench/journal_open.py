"""Benchmark: open a pool's journal of a million postings, a page at a time.

Builds, in a temporary SQLite file, the Swindon sample pool (its agreement
imported as a user would) with ``--rows`` postings (default 1,000,000: 500,000
two-leg transactions in 40 returns of 12,500, ten a quarter, from both
partners, over its lines), written in bulk with SQLAlchemy Core. Then times
what the journal screen asks of ``ledger.services.journal``: the first page,
the next, a page deep in the journal, the count, the filter choices, and a
first page under each filter. Each figure is the first call and the best of
``--repeat``.

Then the figure a user feels: the terminal UI (headless) opens the pool and
its Journal tab, and the time from the key press to the first page on screen
is printed ("time to first screen"), with the count arriving later in a worker.

``--without-index`` first times everything with the journal's key indexes
dropped (what they are worth); ``--plan`` prints SQLite's plan of each query.
Run: .venv/bin/python bench/journal_open.py [--rows N] [--without-index] [--plan]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlmodel import SQLModel

from ledger import journal as J
from ledger.periods import FinancialYear, Period
from ledger.services.demo import sample_pools_dir
from ledger.services.importing import import_files
from ledger.services.journal import JournalFilter, journal_choices, journal_count, journal_page
from ledger.store import models as M
from ledger.store import reads, writes
from ledger.store.db import ensure_indexes, open_engine, write_transaction

POOL = "SWN-CYP"
YEAR = FinancialYear(2025)
AGREEMENT = sample_pools_dir() / "swindon-cyp" / "agreement.xlsx"
RETURNS = 40  # ten a quarter
PAGE = 200
# indexes that let a page walk the journal in key order, whole or by period, and stop
KEY_INDEXES = ("ix_txn_pool_key", "ix_txn_pool_period_key")  # ledger/store/models.py


@dataclass(frozen=True, slots=True)
class Books:
    """What was built: enough to aim the deep page and the filters."""

    batches: list[tuple[int, str, int]]  # (batch id, file name, transactions)
    partners: tuple[str, ...]
    lines: tuple[str, ...]


# ------------------------------------------------------------------------------------------
# building the books
# ------------------------------------------------------------------------------------------


def _kind(i: int) -> str:
    """Mostly spend; some contributions, income and transfers (by row number, repeatable)."""
    r = i % 200
    return "contribution" if r < 8 else "income" if r < 16 else "transfer" if r < 18 else "spend"


def _line(i: int, lines: tuple[str, ...]) -> str:
    """60% on the first line, the rest on the second; one row in a thousand on the last (rare)."""
    if i % 1000 == 999:
        return lines[-1]
    return lines[0] if (i * 7) % 10 < 6 else lines[1 % len(lines)]


Rows = Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]


def _rows(batch_id: int, n: int, period: Period, by: str, other: str, lines: tuple[str, ...]) -> Rows:
    """A return's transactions and their postings, the double entry of ``ledger.journal``."""
    days = (period.last_day - period.first_day).days + 1
    sheets = {"contribution": "Contributions", "income": "Income", "transfer": "Transfers", "spend": "Spend"}
    counts = dict.fromkeys(sheets, 0)
    for seq in range(n):
        kind = _kind(seq)
        counts[kind] += 1
        row = counts[kind] + 1
        pence = 1_000 + (seq * 7_919 + batch_id * 104_729) % 2_500_000
        line = _line(seq, lines) if kind in ("spend", "income") else None
        counterparty = other if kind == "transfer" else None
        if kind == "contribution":
            legs = ((J.cash(POOL), pence), (J.partner(by, POOL), -pence))
        elif kind == "transfer":
            legs = ((J.partner(by, POOL), -pence), (J.partner(other, POOL), pence))
        elif kind == "spend":
            legs = ((J.spend(POOL, line or ""), pence), (J.cash(POOL), -pence))
        else:
            legs = ((J.cash(POOL), pence), (J.income(POOL, line or ""), -pence))
        txn = {
            "batch_id": batch_id, "seq": seq, "pool": POOL, "kind": kind, "year_start": period.year.start,
            "quarter": period.quarter, "date": (period.first_day + timedelta(days=seq % days)).isoformat(),
            "amount": pence, "line": line, "partner": by, "counterparty": counterparty, "provider": None,
            "reference": f"{by}-{period.quarter}-{seq:06d}", "description": f"{kind} {line or counterparty or by}",
            "corrects": None, "sheet": sheets[kind], "row": row, "cell": f"A{row}",
            "reverses_batch": None, "reverses_seq": None,
        }
        yield txn, [{"batch_id": batch_id, "seq": seq, "leg": leg, "account": a, "amount": p}
                    for leg, (a, p) in enumerate(legs)]


def build(engine: Any, postings: int, folder: Path) -> Books:
    """The Swindon agreement imported, then ``postings`` postings in bulk, in one transaction."""
    [agreement] = import_files(engine, [str(AGREEMENT)], operator="bench")
    assert agreement.status == "imported", [str(p) for p in agreement.problems]
    txns = postings // 2
    per, extra = divmod(txns, RETURNS)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    batches = []
    with write_transaction(engine) as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB for the big insert (~20% faster)
        ag = reads.load_agreement(conn, POOL, YEAR)
        assert ag is not None
        partners = tuple(m.partner for m in ag.members)
        lines = tuple(ln.code for ln in ag.lines)
        for b in range(RETURNS):
            period = YEAR.period(b * 4 // RETURNS + 1)
            by, other = (partners[0], partners[1]) if b % 2 == 0 else (partners[1], partners[0])
            n = per + (1 if b < extra else 0)
            name = str(folder / f"return-{period}-{by}-{b % (RETURNS // 4) // 2 + 1:02d}.xlsx")
            batch_id = writes.new_batch(
                conn, kind="return", pool=POOL, year_start=period.year.start, quarter=period.quarter,
                submitted_by=by, file_name=name, sha256=hashlib.sha256(name.encode()).hexdigest(),
                operator="bench", imported_at=at, rows=n,
            )
            tx: list[dict[str, Any]] = []
            legs: list[dict[str, Any]] = []
            for t, ps in _rows(batch_id, n, period, by, other, lines):
                tx.append(t)
                legs += ps
            writes.bulk(conn, M.TxnRec, tx)
            writes.bulk(conn, M.PostingRec, legs)
            batches.append((batch_id, Path(name).name, n))
    engine.dispose()  # the queries are timed on new connections, with SQLite's default cache
    return Books(batches, partners, lines)


# ------------------------------------------------------------------------------------------
# timing
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    first: float
    best: float
    result: str


def timed(name: str, call: Callable[[], Any], repeat: int) -> Figure:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    return Figure(name, times[0], min(times), describe(result))


def describe(result: Any) -> str:
    if isinstance(result, int):
        return f"{result:,}"
    if isinstance(result, dict):
        return ", ".join(f"{k} {len(v)}" for k, v in result.items())
    rows = result.postings
    span = f"{rows[0].key} .. {rows[-1].key}" if rows else "empty"
    return f"{len(rows)} postings{', more' if result.more else ''}: {span}"


def calls(engine: Any, books: Books) -> list[tuple[str, Callable[[], Any]]]:
    everything = JournalFilter(POOL)
    first = journal_page(engine, everything, size=PAGE)
    last_batch, _, last_n = books.batches[-1]
    deep = (last_batch, max(0, last_n - 150), 1)
    middle_file = books.batches[len(books.batches) * 3 // 4 - 1][1].removesuffix(".xlsx")

    def page(**kw: Any) -> Callable[[], Any]:
        after = kw.pop("after", None)
        return lambda: journal_page(engine, JournalFilter(POOL, **kw), after=after, size=PAGE)

    return [
        ("first page", page()),
        ("next page (after=page.last)", page(after=first.last)),
        (f"deep page (after={deep})", page(after=deep)),
        ("journal_count", lambda: journal_count(engine, everything)),
        ("journal_choices", lambda: journal_choices(engine, POOL)),
        (f"first page, partner {books.partners[1]}", page(partner=books.partners[1])),
        (f"first page, line {books.lines[0]}", page(line=books.lines[0])),
        (f"first page, line {books.lines[-1]} (rare)", page(line=books.lines[-1])),
        (f"first page, period {YEAR.period(4)}", page(period=YEAR.period(4))),
        (f"first page, file {middle_file}", page(file=middle_file)),
        ("first page, file agreement (no postings)", page(file="agreement")),
    ]


def measure(engine: Any, books: Books, repeat: int) -> list[Figure]:
    return [timed(name, call, repeat) for name, call in calls(engine, books)]


def plans(engine: Any, books: Books) -> None:
    """SQLite's plan of each query the journal ran (captured as it ran)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        for name, call in calls(engine, books):
            seen.clear()
            call()
            print(f"\n{name}:")
            with engine.connect() as conn:
                for statement, parameters in seen:
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
                        print(f"    {'  ' * (row[1] > 0)}{row[3]}")
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    print(f"\n{title}")
    print("  ".join(c.ljust(w) if i in (0, len(columns) - 1) else c.rjust(w)
                    for i, (c, w) in enumerate(zip(columns, widths, strict=True))))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(v.ljust(w) if i in (0, len(r) - 1) else v.rjust(w)
                        for i, (v, w) in enumerate(zip(r, widths, strict=True))))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def drop_indexes(engine: Any) -> None:
    with engine.begin() as conn:
        for name in KEY_INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


def add_indexes(engine: Any) -> None:
    t0 = time.perf_counter()
    ensure_indexes(engine, SQLModel.metadata)
    print(f"indexes {', '.join(KEY_INDEXES)} created in {time.perf_counter() - t0:.1f} s")


async def _first_screen(engine: Any, pool: str) -> tuple[float, float, int]:
    from textual.css.query import NoMatches
    from textual.widgets import DataTable

    from tui.app import make_app

    app = make_app(engine)
    app.animation_level = "none"  # the tabs' underline slides otherwise, and the pilot waits for it
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        t0 = time.perf_counter()
        app.open_pool(pool)  # the pool screen reads the journal's first page as it opens
        while True:
            try:
                table = app.screen.query_one("#journal-table", DataTable)
                if table.row_count:
                    break
            except NoMatches:
                pass
            await asyncio.sleep(0.001)
        opened = time.perf_counter() - t0
        t0 = time.perf_counter()
        await pilot.press("3")  # to the Journal tab, drawn
        await pilot.pause()
        first = time.perf_counter() - t0
        return opened, first, table.row_count


def first_screen(engine: Any) -> None:
    """The pool screen, then its journal's first page, as a user waits for them."""
    opened, first, rows = asyncio.run(_first_screen(engine, POOL))
    print(f"\nUI (headless, 120x34): pool screen open with the journal's first page ({rows} rows) in "
          f"{ms(opened)} (it settles the pool for every tab's figures); Journal tab drawn {ms(first)} after its key; "
          f"time to first screen {ms(opened + first)}")


def report(postings: int, repeat: int, before: list[Figure], after: list[Figure] | None) -> None:
    title = f"journal of {postings:,} postings (page of {PAGE}; first call, best of {repeat})"
    if after is None:
        table(title, ["query", "first", "best", "result"],
              [[f.name, ms(f.first), ms(f.best), f.result] for f in before])
        return
    table(title + ", without and with the indexes",
          ["query", "first", "best", "first, indexed", "best, indexed", "result (indexed)"],
          [[b.name, ms(b.first), ms(b.best), ms(a.first), ms(a.best), a.result]
           for b, a in zip(before, after, strict=True)])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=lambda s: int(s.replace(",", "").replace("_", "")), default=1_000_000,
                    help="postings to build (two per transaction; default 1,000,000)")
    ap.add_argument("--repeat", type=int, default=3, help="calls of each query (default 3)")
    ap.add_argument("--without-index", action="store_true",
                    help="time first without the journal's key indexes, then with them")
    ap.add_argument("--plan", action="store_true", help="print SQLite's plan of each query")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = open_engine(f"sqlite:///{folder / 'journal.db'}")
        t0 = time.perf_counter()
        books = build(engine, args.rows, folder)
        built = time.perf_counter() - t0
        txns = sum(n for _, _, n in books.batches)
        size = (folder / "journal.db").stat().st_size / 1e6
        print(f"build: {POOL} agreement imported, then {2 * txns:,} postings ({txns:,} transactions, "
              f"{len(books.batches)} returns) in {built:.1f} s ({2 * txns / built:,.0f} postings/s); "
              f"database {size:,.0f} MB")
        after = None
        if args.without_index:
            drop_indexes(engine)
            before = measure(engine, books, args.repeat)
            add_indexes(engine)
            after = measure(engine, books, args.repeat)
        else:
            before = measure(engine, books, args.repeat)
        if args.plan:
            plans(engine, books)
        report(2 * txns, args.repeat, before, after)
        first_screen(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
