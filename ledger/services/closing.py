"""Closing a quarter and signing it off (SPEC section 3).

Quarters close in order. Closing records the statement as it stood, with the
SHA-256 of its canonical figures (FORMATS 4), and posts the quarter's
obligations to the journal, so each partner's account then holds its
settlement balance. Nothing dated in a closed quarter can be imported after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from ledger.journal import obligations, partner
from ledger.money import ZERO, to_pence
from ledger.periods import FinancialYear, Period
from ledger.services import LedgerError
from ledger.services.importing import operator_name
from ledger.services.settling import inputs_for, settle_inputs
from ledger.statement import canonical_json, figures_hash
from ledger.store import models as M
from ledger.store import reads, writes
from ledger.store.db import write_transaction


@dataclass(frozen=True, slots=True)
class Closed:
    pool: str
    period: Period
    figures_hash: str
    batch_id: int
    postings: int


def _now(now: Callable[[], datetime] | None) -> str:
    return (now or (lambda: datetime.now(timezone.utc)))().astimezone(timezone.utc).isoformat(timespec="seconds")


def periods_before(first_year: FinancialYear, period: Period) -> list[Period]:
    out = []
    y = first_year
    while y <= period.year:
        for q in (1, 2, 3, 4):
            p = Period(y, q)
            if p < period:
                out.append(p)
        y = y.next()
    return out


def close_period(
    engine: Engine, pool: str, period: Period, operator: str | None = None, now: Callable[[], datetime] | None = None
) -> Closed:
    with write_transaction(engine) as conn:
        inputs = inputs_for(conn, pool, period)  # refuses an unknown pool or a year with no agreement
        done = reads.closure(conn, pool, period)
        if done is not None:
            raise LedgerError(f"{pool} {period} was closed on {done.closed_at[:16].replace('T', ' ')} UTC by "
                              f"{done.operator}", "a closed quarter stays closed; correct it in the next open quarter")
        years = reads.pool_years(conn, pool)
        closed = {(c.year_start, c.quarter) for c in reads.closures(conn, pool)}
        open_before = [p for p in periods_before(years[0], period) if (p.year.start, p.quarter) not in closed]
        if open_before:
            raise LedgerError(f"{pool} {', '.join(str(p) for p in open_before[:4])}"
                              f"{' and more' if len(open_before) > 4 else ''} must be closed before {period}",
                              "quarters close in order")
        statement = settle_inputs(inputs)
        errors = [p for p in statement.problems if p.is_error]
        if errors:
            raise LedgerError(f"{pool} {period} has {len(errors)} error(s): " + "; ".join(str(p) for p in errors),
                              "correct them before closing")
        doc = statement.as_json()
        digest = figures_hash(statement)
        at = _now(now)
        op = operator_name(operator)
        batch_id = writes.new_batch(
            conn, kind="close", pool=pool, year_start=period.year.start, quarter=period.quarter,
            file_name=f"close of {pool} {period}", operator=op, imported_at=at, rows=len(statement.partners),
            sha256=hashlib.sha256(f"close:{pool}:{period}:{digest}".encode()).hexdigest(),
        )
        before = _previous_obligations(conn, pool, period)
        txns, postings = [], []
        for seq, p in enumerate(statement.partners):
            delta = p.obligation - before.get(p.partner, ZERO)
            if not delta:
                continue
            txns.append({
                "batch_id": batch_id, "seq": seq, "pool": pool, "kind": "obligation", "year_start": period.year.start,
                "quarter": period.quarter, "date": period.last_day.isoformat(), "amount": to_pence(delta),
                "line": None, "partner": p.partner, "counterparty": None, "provider": None,
                "reference": f"settlement {period}", "description": "obligations of the quarter, as closed",
                "corrects": None, "sheet": "Statement", "row": seq + 1, "cell": "", "reverses_batch": None,
                "reverses_seq": None,
            })
            postings += [
                {"batch_id": batch_id, "seq": seq, "leg": 0, "account": partner(p.partner, pool), "amount": to_pence(delta)},
                {"batch_id": batch_id, "seq": seq, "leg": 1, "account": obligations(pool), "amount": -to_pence(delta)},
            ]
        writes.bulk(conn, M.TxnRec, txns)
        writes.bulk(conn, M.PostingRec, postings)
        conn.execute(insert(M.ClosureRec.__table__).values(
            pool=pool, year_start=period.year.start, quarter=period.quarter, batch_id=batch_id, closed_at=at,
            operator=op, figures_hash=digest, terms_batch=reads.terms_batch(conn, pool, period.year),
            statement=json.dumps(doc, ensure_ascii=False),
        ))
        return Closed(pool, period, digest, batch_id, len(txns))


def _previous_obligations(conn: Any, pool: str, period: Period) -> dict[str, Decimal]:
    """Obligations already posted this year: those of the quarter closed before (0 at Q1)."""
    if period.quarter == 1:
        return {}
    prev = reads.closure(conn, pool, Period(period.year, period.quarter - 1))
    doc = json.loads(prev.statement)
    return {p["partner"]: Decimal(p["obligation"]) for p in doc["partners"]}


def sign_off(
    engine: Engine, pool: str, period: Period, partner_code: str, name: str | None = None,
    now: Callable[[], datetime] | None = None,
) -> str:
    with write_transaction(engine) as conn:
        closed = reads.closure(conn, pool, period)
        if closed is None:
            raise LedgerError(f"{pool} {period} is not closed", "close the quarter before partners sign it off")
        doc = json.loads(closed.statement)
        if partner_code not in {p["partner"] for p in doc["partners"]}:
            raise LedgerError(f"{partner_code} is not a partner in the {pool} {period} statement",
                              "sign off as one of: " + ", ".join(p["partner"] for p in doc["partners"]))
        for s in reads.signoffs(conn, pool, period):
            if s.partner == partner_code:
                raise LedgerError(f"{partner_code} signed off {pool} {period} on "
                                  f"{s.signed_at[:16].replace('T', ' ')} UTC ({s.name})", "a sign-off is recorded once")
        at = _now(now)
        who = operator_name(name)
        conn.execute(insert(M.SignoffRec.__table__).values(
            pool=pool, year_start=period.year.start, quarter=period.quarter, partner=partner_code, name=who,
            signed_at=at))
        return f"{partner_code} signed off {pool} {period} ({who}, {at} UTC)"


def recompute(conn: Any, closure: Any) -> tuple[bool, str]:
    """Whether a closed statement recomputes to its recorded hash (``check``)."""
    period = Period(FinancialYear(closure.year_start), closure.quarter)
    doc = settle_inputs(inputs_for(conn, closure.pool, period)).as_json()
    digest = hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
    return digest == closure.figures_hash, digest
