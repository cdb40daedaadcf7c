"""``pool-ledger check``: verify the books.

- every transaction balances (its postings sum to zero) and has two legs or more;
- provenance is complete (file, SHA-256, operator, time; sheet and row);
- the conservation law of SPEC 5.1 holds for every pool, using the journal's
  own cash and spend against the settlement's balances (for pools without a
  pooled fund, money on partners' own books stands in for the cash, and the
  balances sum to zero).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, and_, func, or_, select

from ledger.journal import cash
from ledger.money import ZERO, fmt_money, from_pence
from ledger.periods import Period
from ledger.problems import Problem, Source, error
from ledger.services import LedgerError
from ledger.services.closing import recompute
from ledger.services.settling import statements_by_year
from ledger.store import models as M
from ledger.store import reads
from ledger.store.db import read_connection


@dataclass(slots=True)
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


def check_books(engine: Engine) -> CheckReport:
    report = CheckReport()
    with read_connection(engine) as conn:
        P, T, B = M.PostingRec.__table__, M.TxnRec.__table__, M.Batch.__table__
        unbalanced = conn.execute(
            select(P.c.batch_id, P.c.seq, func.sum(P.c.amount), func.count())
            .group_by(P.c.batch_id, P.c.seq)
            .having(or_(func.sum(P.c.amount) != 0, func.count() < 2))
        ).all()
        for batch_id, seq, total, legs in unbalanced:
            report.problems.append(error(Source(f"batch {batch_id}"),
                                         f"transaction {seq} does not balance: its {legs} postings sum to {fmt_money(from_pence(int(total)))}"))
        orphans = conn.execute(
            select(func.count()).select_from(T).where(
                ~select(P.c.seq).where(and_(P.c.batch_id == T.c.batch_id, P.c.seq == T.c.seq)).exists()
            )
        ).scalar()
        if orphans:
            report.problems.append(error(Source("journal"), f"{orphans} transactions have no postings"))
        txns = conn.execute(select(func.count()).select_from(T)).scalar() or 0
        report.summary.append(f"journal: {txns:,} transactions, every one balanced" if not unbalanced and not orphans
                              else f"journal: {txns:,} transactions, {len(unbalanced) + (orphans or 0)} at fault")

        bad_batches = conn.execute(
            select(B.c.id).where(
                or_(B.c.file_name == "", func.length(B.c.sha256) != 64, B.c.operator == "", B.c.imported_at == "")
            )
        ).all()
        for (bid,) in bad_batches:
            report.problems.append(error(Source(f"batch {bid}"), "the batch's provenance is incomplete (file, SHA-256, operator or time)"))
        bad_rows = conn.execute(
            select(func.count()).select_from(T).where(or_(T.c.sheet == "", T.c.row <= 0))
        ).scalar()
        if bad_rows:
            report.problems.append(error(Source("journal"), f"{bad_rows} transactions do not say which sheet and row they came from"))
        batches = conn.execute(select(func.count()).select_from(B)).scalar() or 0
        report.summary.append(
            f"provenance: {batches} batches, complete" if not bad_batches and not bad_rows else "provenance: incomplete"
        )

        checked = failed = 0
        for code in reads.pool_codes(conn):
            years = reads.pool_years(conn, code)
            if not years:
                continue
            ag = reads.load_agreement(conn, code, years[-1])
            if ag is None:
                continue
            periods = reads.periods_with_data(conn, code)
            period = periods[-1] if periods else Period(years[-1], 1)
            try:
                statements = statements_by_year(conn, code, period)
            except LedgerError as exc:
                report.problems.append(error(Source(f"pool {code}"), f"cannot settle: {exc}"))
                continue
            current = statements[-1]
            obligations = sum((p.obligation for st in statements for p in st.partners), ZERO)
            balances = sum((p.balance for p in current.partners), ZERO)
            accounts = dict(
                conn.execute(
                    select(P.c.account, func.sum(P.c.amount))
                    .join(T, and_(T.c.batch_id == P.c.batch_id, T.c.seq == P.c.seq))
                    .where(and_(T.c.pool == code, or_(T.c.year_start < period.year.start,
                                                       and_(T.c.year_start == period.year.start,
                                                            T.c.quarter <= period.quarter))))
                    .group_by(P.c.account)
                ).all()
            )
            journal_cash = from_pence(int(accounts.get(cash(code), 0)))
            net_spend = from_pence(
                sum(int(v) for a, v in accounts.items() if a.startswith(f"pool:{code}:spend:"))
                + sum(int(v) for a, v in accounts.items() if a.startswith(f"pool:{code}:income:"))
            )
            # money spent or received on partners' own books (aligned budgets) is outside any balance
            own = from_pence(sum(int(v) for a, v in accounts.items() if a.endswith(f":{code}:own")))
            before = len(report.problems)
            if journal_cash != current.totals.pool_cash:
                report.problems.append(error(Source(f"pool {code}"),
                                             f"pool cash in the journal {fmt_money(journal_cash)} differs from the "
                                             f"settlement's {fmt_money(current.totals.pool_cash)} at {period}"))
            if balances + journal_cash + own != obligations - net_spend:
                report.problems.append(error(
                    Source(f"pool {code}"),
                    f"conservation fails at {period}: balances {fmt_money(balances)} + pool cash "
                    f"{fmt_money(journal_cash)} + own books {fmt_money(own)} is not obligations "
                    f"{fmt_money(obligations)} - net spend {fmt_money(net_spend)}"))
            elif ag.arrangement.has_pooled_fund and current.final and balances + journal_cash != current.totals.carried_forward - current.totals.unfunded_deficit:
                report.problems.append(error(
                    Source(f"pool {code}"),
                    "at the year end the pool should hold what it carries forward less any unfunded deficit, "
                    f"{fmt_money(current.totals.carried_forward - current.totals.unfunded_deficit)}"))
            if not ag.arrangement.has_pooled_fund and balances != 0:
                report.problems.append(error(Source(f"pool {code}"),
                                             f"the balances at {period} sum to {fmt_money(balances)}, not zero"))
            checked += 1
            failed += len(report.problems) > before
        closures = reads.closures(conn)
        mismatched = 0
        for c in closures:
            same, _ = recompute(conn, c)
            if not same:
                mismatched += 1
                report.problems.append(error(Source(f"pool {c.pool}"),
                                             f"the statement closed for {c.year_start}-{(c.year_start + 1) % 100:02d}-Q{c.quarter} "
                                             "no longer recomputes to its recorded hash",
                                             "something changed the books of a closed quarter: compare the journal with the report"))
        latest = {c.pool: c for c in closures}
        for c in latest.values():
            doc = json.loads(c.statement)
            rows = conn.execute(
                select(P.c.account, func.sum(P.c.amount))
                .join(T, and_(T.c.batch_id == P.c.batch_id, T.c.seq == P.c.seq))
                .where(and_(T.c.pool == c.pool, or_(T.c.year_start < c.year_start,
                                                     and_(T.c.year_start == c.year_start, T.c.quarter <= c.quarter))))
                .where(P.c.account.like(f"partner:%:{c.pool}"))
                .group_by(P.c.account)
            ).all()
            journal = {a.split(":")[1]: from_pence(int(v)) for a, v in rows}
            for p in doc["partners"]:
                if journal.get(p["partner"], ZERO) != Decimal(p["balance"]):
                    report.problems.append(error(Source(f"pool {c.pool}"),
                                                 f"{p['partner']}'s account in the journal holds "
                                                 f"{fmt_money(journal.get(p['partner'], ZERO))}, not its closed balance "
                                                 f"{fmt_money(Decimal(p['balance']))}"))
        report.summary.append(f"closed statements: {len(closures)}, "
                              + ("every one recomputes to its hash" if not mismatched else f"{mismatched} do not"))
        plural = "s" if checked != 1 else ""
        report.summary.append(
            f"conservation: fails for {failed} of {checked} pool{plural}" if failed
            else f"conservation: holds for {checked} pool{plural}"
        )
    return report


__all__ = ["CheckReport", "check_books"]
