"""One pool as the desk shows it: partners and their terms, lines, the settlement of a
period with its explanations, savings, the alliance curve, and what-ifs that save nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from contracts import savings as savings_rules
from ledger.figures import SettlementInputs, with_outturns, with_total_outturn, year_end
from ledger.periods import FinancialYear, Period
from ledger.records import Member, Saving
from ledger.services import LedgerError
from ledger.services.reporting import LineFigures, gain_pain_curve, line_figures, saving_figures
from ledger.services.savings import SavingsReport, pool_savings
from ledger.services.settling import inputs_for, settle_inputs, signoff_rows, statement_document
from ledger.statement import Statement, Totals
from ledger.store import reads
from ledger.store.db import read_connection

# the terms a member may carry, as the Partners sheet names them (a label ending % is a percentage)
TERMS = (
    ("contribution", "Contribution"), ("overspend_share", "Overspend %"), ("underspend_share", "Underspend %"),
    ("cap", "Cap"), ("ownership", "Ownership %"), ("cost_share", "Cost share %"), ("target_cost", "Target cost"),
    ("fee", "Fee"), ("gain_split", "Gain split %"),
)


@dataclass(frozen=True, slots=True)
class PartnerTerms:
    partner: str
    name: str
    kind: str
    role: str
    terms: dict[str, Decimal]  # label -> amount or percentage, only those set
    share: Decimal | None  # of the pool's contributions (pooled funds), as a fraction


@dataclass(slots=True)
class PoolView:
    code: str
    name: str
    arrangement: str
    period: Period
    periods: list[Period]  # every quarter the pool can be looked at
    closed: bool
    partners: list[PartnerTerms]
    term_labels: list[str]  # the terms columns any partner has
    lines: list[LineFigures]
    statement: dict[str, Any]  # the settle --json document (recorded at close, else computed now)
    savings: list[tuple[Saving, savings_rules.SavingFigures]]
    savings_report: SavingsReport
    curve: list[tuple[Decimal, Decimal, Decimal]]  # alliance: (outturn, providers, commissioners)
    outturn: Decimal  # today's forecast outturn of the whole pool
    signoffs: list[dict[str, str]] = field(default_factory=list)
    closed_periods: list[Period] = field(default_factory=list)
    inputs: SettlementInputs | None = None  # the books as read: what a what-if starts from


def pool_periods(engine: Engine, pool: str) -> list[Period]:
    """Every quarter of every year the pool has an agreement for."""
    with read_connection(engine) as conn:
        return _periods(conn, pool)


def _periods(conn: Connection, pool: str) -> list[Period]:
    years = reads.pool_years(conn, pool)
    if not years:
        raise LedgerError(f"there is no pool {pool}", "`pool-ledger pools` lists the pools")
    return [y.period(q) for y in years for q in (1, 2, 3, 4)]


def pool_view(engine: Engine, pool: str, period: Period | None = None) -> PoolView:
    """The pool at ``period`` (default: the latest quarter with data, else the first of its latest year)."""
    with read_connection(engine) as conn:
        periods = _periods(conn, pool)
        if period is None:
            with_data = reads.periods_with_data(conn, pool)
            period = with_data[-1] if with_data else periods[-4]
        inputs = inputs_for(conn, pool, period)
        statement = settle_inputs(inputs)
        ag = inputs.agreement
        report = pool_savings(conn, pool, period, SavingsReport(period), (inputs, statement))
        signoffs = signoff_rows(conn, pool, period)
        closed = [Period(FinancialYear(c.year_start), c.quarter) for c in reads.closures(conn, pool)]
    partners = [_terms(m, ag.members) for m in ag.members]
    labels = [label for _, label in TERMS if any(label in p.terms for p in partners)]
    return PoolView(
        code=pool, name=ag.name, arrangement=ag.arrangement.value, period=period,
        periods=periods, closed=inputs.closed, partners=partners, term_labels=labels,
        lines=line_figures(inputs),
        statement=statement_document(engine, pool, period) if inputs.closed else statement.as_json(),
        savings=saving_figures(inputs),
        savings_report=report, curve=gain_pain_curve(inputs, statement), outturn=statement.totals.forecast,
        signoffs=signoffs, closed_periods=sorted(closed), inputs=inputs,
    )


def _terms(m: Member, members: tuple[Member, ...]) -> PartnerTerms:
    terms = {label: getattr(m, attr) for attr, label in TERMS if getattr(m, attr) is not None}
    total = sum((x.contribution or Decimal(0) for x in members), Decimal(0))
    share = (m.contribution / total) if m.contribution is not None and total else None
    return PartnerTerms(m.partner, m.name, m.kind, m.role.value, terms, share)


def is_percent(label: str) -> bool:
    return label.endswith("%")


@dataclass(frozen=True, slots=True)
class Exposure:
    partner: str
    name: str
    exposure_now: Decimal
    exposure_then: Decimal
    balance_now: Decimal
    balance_then: Decimal

    @property
    def change(self) -> Decimal:
        return self.exposure_then - self.exposure_now


@dataclass(frozen=True, slots=True)
class WhatIf:
    period: Period
    outturn_now: Decimal
    outturn_then: Decimal
    exposures: tuple[Exposure, ...]
    problems: tuple[str, ...]
    totals_now: Totals | None = None  # of the year-end projection
    totals_then: Totals | None = None


def what_if(
    engine: Engine, pool: str, period: Period, outturns: dict[str, Decimal] | None = None,
    total: Decimal | None = None,
) -> WhatIf:
    """Each partner's projected exposure with some lines' outturn (or the pool's whole
    outturn) changed; nothing is saved."""
    return what_if_on(what_if_inputs(engine, pool, period), outturns, total)


def what_if_inputs(engine: Engine, pool: str, period: Period) -> SettlementInputs:
    """The books a what-if starts from: read once, then tried as often as the user types."""
    with read_connection(engine) as conn:
        return inputs_for(conn, pool, period)


def what_if_on(
    inputs: SettlementInputs, outturns: dict[str, Decimal] | None = None, total: Decimal | None = None
) -> WhatIf:
    pool = inputs.agreement.pool
    known = {ln.code for ln in inputs.agreement.lines}
    unknown = sorted(set(outturns or {}) - known)
    if unknown:
        raise LedgerError(f"{pool} has no line {', '.join(unknown)}", "lines: " + ", ".join(sorted(known)))
    changed = with_outturns(inputs, outturns or {})
    if total is not None:
        changed = with_total_outturn(changed, total)
    return compare(inputs.period, settle_inputs(year_end(inputs)), settle_inputs(year_end(changed)))


def compare(period: Period, now: Statement, then: Statement) -> WhatIf:
    """Exposure: each partner's obligation for the year in the year-end projection, now and then."""
    after = {p.partner: p for p in then.partners}
    rows = tuple(
        Exposure(p.partner, p.name, p.obligation, after[p.partner].obligation, p.balance, after[p.partner].balance)
        for p in now.partners if p.partner in after
    )
    return WhatIf(period, now.totals.forecast, then.totals.forecast, rows,
                  tuple(str(p) for p in then.problems if p.is_error), now.totals, then.totals)
