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
R = B.alias("reversed")  # the batch a reversal undoes
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
        if self.file:  # the pool's batches by name first: a handful, then their postings by key
            cond.append(T.c.batch_id.in_(
                select(B.c.id).where(B.c.pool == self.pool, B.c.file_name.contains(self.file, autoescape=True))))
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
    reversed_file: str | None = None  # the file of the batch reversed, where ``cell`` is

    @property
    def file_name(self) -> str:
        return PurePath(self.file).name

    @property
    def provenance(self) -> str:
        if self.reverses_batch is not None:  # its cell is that of the row reversed, in the earlier file
            old = PurePath(self.reversed_file or "").name
            return (f"{self.file_name}, batch {self.key[0]}, imported {self.imported_at} by {self.operator}: "
                    f"reverses {old}:{self.cell} (batch {self.reverses_batch})")
        where = f"{self.file_name}:{self.cell}" if self.cell else self.file_name
        return f"{where}, batch {self.key[0]} row {self.key[1] + 1}, imported {self.imported_at} by {self.operator}"


@dataclass(frozen=True, slots=True)
class Page:
    postings: tuple[Posting, ...]
    more: bool  # another page follows

    @property
    def last(self) -> Key | None:
        return self.postings[-1].key if self.postings else None


LEGS = T.join(P, and_(P.c.batch_id == T.c.batch_id, P.c.seq == T.c.seq))  # a transaction and its postings


def _query(f: JournalFilter) -> Any:
    return (
        select(T.c.batch_id, T.c.seq, P.c.leg, T.c.date, T.c.year_start, T.c.quarter, T.c.kind, P.c.account,
               P.c.amount, T.c.line, T.c.partner, T.c.reference, T.c.description, T.c.sheet, T.c.cell,
               B.c.file_name, B.c.operator, B.c.imported_at, T.c.reverses_batch, R.c.file_name.label("reversed_file"))
        .select_from(LEGS.join(B, B.c.id == T.c.batch_id).outerjoin(R, R.c.id == T.c.reverses_batch))
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
    q = select(func.count()).select_from(LEGS).where(f.where())
    with read_connection(engine) as conn:
        return int(conn.execute(q).scalar() or 0)


def journal_choices(engine: Engine, pool: str) -> dict[str, list[str]]:
    """What the filters can choose from: the pool's partners and lines (from its agreements), and the
    periods and source files of its batches that post (from the batch register: no scan of the journal)."""
    Mm, L, Tm = M.MemberRec.__table__, M.LineRec.__table__, M.TermsRec.__table__
    terms = select(Tm.c.batch_id).where(Tm.c.pool == pool)
    posting = and_(B.c.pool == pool, B.c.kind != "agreement")
    with read_connection(engine) as conn:
        partners = conn.execute(select(Mm.c.partner).where(Mm.c.batch_id.in_(terms), Mm.c.role != "beneficiary")
                                .distinct()).scalars().all()
        lines = conn.execute(select(L.c.code).where(L.c.batch_id.in_(terms)).distinct()).scalars().all()
        periods = conn.execute(select(B.c.year_start, B.c.quarter).where(posting, B.c.quarter.is_not(None))
                               .distinct()).all()
        files = conn.execute(select(B.c.file_name).where(posting).distinct()).scalars().all()
    return {
        "partner": sorted(set(partners)),
        "line": sorted(set(lines)),
        "period": [str(Period(FinancialYear(y), q)) for y, q in sorted(set(periods))],
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
        reversed_file=r.reversed_file,
    )
