"""The journal of a pool, a page at a time, with each posting's provenance.

A pool may hold a million postings: pages are read by key (``after``), never
by offset and never all at once, in journal order (batch, transaction, leg).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, tuple_

from ledger.money import from_pence
from ledger.periods import FinancialYear, Period
from ledger.store import models as M
from ledger.store.db import read_connection

T, P, B = M.TxnRec.__table__, M.PostingRec.__table__, M.Batch.__table__
Key = tuple[int, int, int]  # (batch_id, seq, leg)


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """Postings of one pool, narrowed by partner, line, period and source file (all optional)."""

    pool: str
    partner: str | None = None
    line: str | None = None
    period: Period | None = None
    file: str | None = None  # part of the source file's name

    def where(self) -> Any:
        cond = [T.c.pool == self.pool]
        if self.partner:
            cond.append(or_(T.c.partner == self.partner, T.c.counterparty == self.partner))
        if self.line:
            cond.append(T.c.line == self.line)
        if self.period is not None:
            cond += [T.c.year_start == self.period.year.start, T.c.quarter == self.period.quarter]
        if self.file:
            cond.append(B.c.file_name.contains(self.file, autoescape=True))
        return and_(*cond)


@dataclass(frozen=True, slots=True)
class Posting:
    key: Key
    date: str
    period: str
    kind: str
    account: str
    amount: Decimal
    line: str | None
    partner: str | None
    reference: str
    description: str
    file: str  # the source file, as imported
    cell: str  # Sheet!Cell of the row it came from
    operator: str
    imported_at: str
    reverses_batch: int | None

    @property
    def file_name(self) -> str:
        return PurePath(self.file).name

    @property
    def provenance(self) -> str:
        where = f"{self.file_name}:{self.cell}" if self.cell else self.file_name
        text = f"{where}, batch {self.key[0]} row {self.key[1] + 1}, imported {self.imported_at} by {self.operator}"
        if self.reverses_batch is not None:
            text += f"; reverses batch {self.reverses_batch}"
        return text


@dataclass(frozen=True, slots=True)
class Page:
    postings: tuple[Posting, ...]
    more: bool  # another page follows

    @property
    def last(self) -> Key | None:
        return self.postings[-1].key if self.postings else None


def _query(f: JournalFilter) -> Any:
    return (
        select(T.c.batch_id, T.c.seq, P.c.leg, T.c.date, T.c.year_start, T.c.quarter, T.c.kind, P.c.account,
               P.c.amount, T.c.line, T.c.partner, T.c.reference, T.c.description, T.c.sheet, T.c.cell,
               B.c.file_name, B.c.operator, B.c.imported_at, T.c.reverses_batch)
        .select_from(T.join(P, and_(P.c.batch_id == T.c.batch_id, P.c.seq == T.c.seq))
                     .join(B, B.c.id == T.c.batch_id))
        .where(f.where())
    )


def journal_page(engine: Engine, f: JournalFilter, after: Key | None = None, size: int = 200) -> Page:
    """Up to ``size`` postings after ``after`` (from the start when None)."""
    q = _query(f)
    if after is not None:
        q = q.where(tuple_(T.c.batch_id, T.c.seq, P.c.leg) > tuple_(*after))
    q = q.order_by(T.c.batch_id, T.c.seq, P.c.leg).limit(size + 1)
    with read_connection(engine) as conn:
        rows = conn.execute(q).all()
    return Page(tuple(_posting(r) for r in rows[:size]), len(rows) > size)


def journal_count(engine: Engine, f: JournalFilter) -> int:
    """How many postings the filter selects (one COUNT in the database)."""
    q = select(func.count()).select_from(
        T.join(P, and_(P.c.batch_id == T.c.batch_id, P.c.seq == T.c.seq)).join(B, B.c.id == T.c.batch_id)
    ).where(f.where())
    with read_connection(engine) as conn:
        return int(conn.execute(q).scalar() or 0)


def journal_choices(engine: Engine, pool: str) -> dict[str, list[str]]:
    """What the filters can choose from: partners, lines, periods and source files of the pool."""
    with read_connection(engine) as conn:
        def distinct(col: Any) -> list[str]:
            return sorted(str(v) for (v,) in conn.execute(select(col).where(T.c.pool == pool).distinct())
                          if v is not None)

        periods = conn.execute(select(T.c.year_start, T.c.quarter).where(T.c.pool == pool).distinct()).all()
        files = conn.execute(select(B.c.file_name).where(B.c.pool == pool).distinct()).scalars().all()
        return {
            "partner": sorted(set(distinct(T.c.partner)) | set(distinct(T.c.counterparty))),
            "line": distinct(T.c.line),
            "period": [str(Period(FinancialYear(y), q)) for y, q in sorted(periods)],
            "file": sorted({PurePath(f).name for f in files}),
        }


def _posting(r: Any) -> Posting:
    return Posting(
        key=(r.batch_id, r.seq, r.leg),
        date=r.date,
        period=str(Period(FinancialYear(r.year_start), r.quarter)),
        kind=r.kind,
        account=r.account,
        amount=from_pence(int(r.amount)),
        line=r.line,
        partner=r.partner,
        reference=r.reference,
        description=r.description,
        file=r.file_name,
        cell=f"{r.sheet}!{r.cell}" if r.cell else r.sheet,
        operator=r.operator,
        imported_at=r.imported_at,
        reverses_batch=r.reverses_batch,
    )
