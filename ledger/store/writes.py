"""Writing batches: an agreement's terms, a return's rows and their postings.

Bulk rows go through SQLAlchemy Core ``insert()`` with lists of dicts (one
ORM object per row is some twenty times slower at 100,000 rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, and_, func, insert, literal, select

from ledger.journal import transaction
from ledger.money import to_pence
from ledger.problems import Problem
from ledger.records import Agreement, Arrangement, Return
from ledger.store import models as M

CHUNK = 20_000


def _pct(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _p(d: Decimal | None) -> int | None:
    return None if d is None else to_pence(d)


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def bulk(conn: Connection, table: Any, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    for chunk in _chunks(rows):
        conn.execute(insert(table.__table__), chunk)
        n += len(chunk)
    return n


def new_batch(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(M.Batch.__table__).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def write_problems(conn: Connection, batch_id: int, problems: list[Problem]) -> None:
    bulk(
        conn,
        M.ProblemRec,
        (
            {"batch_id": batch_id, "seq": i, "severity": p.severity.value, "location": str(p.source),
             "message": p.message + (f" (hint: {p.hint})" if p.hint else "")}
            for i, p in enumerate(problems)
        ),
    )


def write_agreement(conn: Connection, batch_id: int, ag: Agreement) -> None:
    known = {r.code for r in conn.execute(select(M.PartnerRec.code)).all()}
    bulk(
        conn,
        M.PartnerRec,
        (
            {"code": m.partner, "name": m.name, "kind": m.kind, "batch_id": batch_id}
            for m in ag.members
            if m.partner not in known
        ),
    )
    if conn.execute(select(M.PoolRec.code).where(M.PoolRec.code == ag.pool)).first() is None:
        conn.execute(
            insert(M.PoolRec.__table__).values(
                code=ag.pool, name=ag.name, arrangement=ag.arrangement.value, batch_id=batch_id
            )
        )
    conn.execute(
        insert(M.TermsRec.__table__).values(
            batch_id=batch_id,
            pool=ag.pool,
            year_start=ag.year.start,
            name=ag.name,
            arrangement=ag.arrangement.value,
            host=ag.host,
            underspend=ag.underspend.value,
            aligned_risk_share=ag.aligned_risk_share,
            savings_share=_pct(ag.savings_share),
            savings_share_basis=ag.savings_share_basis,
            kpi_threshold=_pct(ag.kpi_threshold),
            pain_cap=ag.pain_cap,
        )
    )
    bulk(
        conn,
        M.MemberRec,
        (
            {
                "batch_id": batch_id, "seq": i, "partner": m.partner, "name": m.name, "kind": m.kind,
                "role": m.role.value, "sheet": m.source.sheet, "row": m.source.row or 0,
                "cell": m.source.cell or "", "cells": json.dumps(dict(m.cells)),
                "contribution": _p(m.contribution), "overspend_share": _pct(m.overspend_share),
                "underspend_share": _pct(m.underspend_share), "cap": _p(m.cap),
                "ownership": _pct(m.ownership), "cost_share": _pct(m.cost_share),
                "target_cost": _p(m.target_cost), "fee": _p(m.fee), "gain_split": _pct(m.gain_split),
            }
            for i, m in enumerate(ag.members)
        ),
    )
    bulk(
        conn,
        M.LineRec,
        (
            {
                "batch_id": batch_id, "seq": i, "code": ln.code, "name": ln.name, "budget": to_pence(ln.budget),
                "owner": ln.owner, "provider": ln.provider, "sheet": ln.source.sheet,
                "row": ln.source.row or 0, "cell": ln.source.cell or "",
            }
            for i, ln in enumerate(ag.lines)
        ),
    )
    term_rows: list[dict[str, Any]] = []
    for kind, records in (
        ("line_share", ag.line_shares),
        ("schedule", ag.schedule),
        ("band", ag.bands),
        ("kpi", ag.kpis),
    ):
        for i, rec in enumerate(records):
            data = {
                k: (format(v, "f") if isinstance(v, Decimal) else v)
                for k, v in ((f, getattr(rec, f)) for f in rec.__slots__ if f != "source")  # type: ignore[attr-defined]
            }
            term_rows.append(
                {
                    "batch_id": batch_id, "sheet_kind": kind, "seq": i, "data": json.dumps(data),
                    "sheet": rec.source.sheet, "row": rec.source.row or 0, "cell": rec.source.cell or "",
                }
            )
    bulk(conn, M.TermRowRec, term_rows)


def write_return(conn: Connection, batch_id: int, ret: Return, arrangement: Arrangement) -> None:
    year, quarter = ret.period.year.start, ret.period.quarter
    txns: list[dict[str, Any]] = []
    postings: list[dict[str, Any]] = []
    for seq, row in enumerate(ret.money):
        txns.append(
            {
                "batch_id": batch_id, "seq": seq, "pool": ret.pool, "kind": row.kind.value, "year_start": year,
                "quarter": quarter, "date": row.date.isoformat(), "amount": to_pence(row.amount),
                "line": row.line, "partner": row.partner, "counterparty": row.counterparty,
                "provider": row.provider, "reference": row.reference, "description": row.description,
                "corrects": str(row.corrects) if row.corrects else None, "sheet": row.source.sheet,
                "row": row.source.row or 0, "cell": row.source.cell or "",
                "reverses_batch": None, "reverses_seq": None,
            }
        )
        for leg, posting in enumerate(transaction(row, ret.pool, arrangement).postings):
            postings.append(
                {"batch_id": batch_id, "seq": seq, "leg": leg, "account": posting.account, "amount": posting.pence}
            )
    bulk(conn, M.TxnRec, txns)
    bulk(conn, M.PostingRec, postings)
    bulk(
        conn,
        M.ForecastRec,
        (
            {"batch_id": batch_id, "seq": i, "pool": ret.pool, "year_start": year, "quarter": quarter,
             "line": f.line, "amount": to_pence(f.amount), "sheet": f.source.sheet, "row": f.source.row or 0,
             "cell": f.source.cell or ""}
            for i, f in enumerate(ret.forecasts)
        ),
    )
    bulk(
        conn,
        M.KpiActualRec,
        (
            {"batch_id": batch_id, "seq": i, "pool": ret.pool, "year_start": year, "quarter": quarter,
             "kpi": k.kpi, "actual": format(k.actual, "f"), "sheet": k.source.sheet, "row": k.source.row or 0,
             "cell": k.source.cell or ""}
            for i, k in enumerate(ret.kpi_actuals)
        ),
    )
    bulk(
        conn,
        M.SavingRec,
        (
            {"batch_id": batch_id, "seq": i, "pool": ret.pool, "year_start": year, "quarter": quarter,
             "line": s.line, "measure": s.measure, "quantity": format(s.quantity, "f"),
             "unit_cost": to_pence(s.unit_cost), "beneficiary": s.beneficiary,
             "deadweight": format(s.deadweight, "f"), "attribution": format(s.attribution, "f"),
             "optimism_bias": format(s.optimism_bias, "f"), "cashable": format(s.cashable, "f"),
             "status": s.status, "evidence": s.evidence, "sheet": s.source.sheet, "row": s.source.row or 0,
             "cell": s.source.cell or ""}
            for i, s in enumerate(ret.savings)
        ),
    )


def reverse_batch(conn: Connection, new_batch: int, old_batch: int) -> int:
    """Post the negation of every transaction of ``old_batch`` in ``new_batch``.

    Reversals keep the original's date and period, so the period's figures
    lose the old rows; their sequence numbers follow the new batch's rows.
    Done in SQL (INSERT ... SELECT) so a large batch is not read into Python.
    """
    t, p = M.TxnRec.__table__, M.PostingRec.__table__
    last = conn.execute(select(func.max(t.c.seq)).where(t.c.batch_id == new_batch)).scalar()
    offset = 0 if last is None else last + 1
    cols = [c.name for c in t.columns]
    values = []
    for name in cols:
        col = t.c[name]
        if name == "batch_id":
            values.append(literal(new_batch).label(name))
        elif name == "seq":
            values.append((col + offset).label(name))
        elif name == "amount":
            values.append((-col).label(name))
        elif name == "reverses_batch":
            values.append(t.c.batch_id.label(name))
        elif name == "reverses_seq":
            values.append(t.c.seq.label(name))
        else:
            values.append(col)
    n = conn.execute(
        t.insert().from_select(cols, select(*values).where(and_(t.c.batch_id == old_batch, t.c.reverses_batch.is_(None))))
    ).rowcount
    conn.execute(
        p.insert().from_select(
            ["batch_id", "seq", "leg", "account", "amount"],
            select(
                literal(new_batch).label("batch_id"),
                (p.c.seq + offset).label("seq"),
                p.c.leg,
                p.c.account,
                (-p.c.amount).label("amount"),
            ).where(
                and_(
                    p.c.batch_id == old_batch,
                    p.c.seq.in_(select(t.c.seq).where(and_(t.c.batch_id == old_batch, t.c.reverses_batch.is_(None)))),
                )
            ),
        )
    )
    return n
