"""The quarterly partner settlement report: gather every figure it shows (the writer lays it out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select

from contracts import alliance
from contracts import savings as savings_rules
from ledger.figures import SettlementInputs, line_outturns
from ledger.money import ZERO
from ledger.periods import Period
from ledger.records import Arrangement, Saving
from ledger.services import LedgerError
from ledger.services.savings import SavingsReport, savings_report
from ledger.services.settling import inputs_for, settle_inputs, signoff_rows, statement_document
from ledger.statement import Statement
from ledger.store import models as M
from ledger.store import reads
from ledger.store.db import read_connection


@dataclass(frozen=True, slots=True)
class LineFigures:
    code: str
    name: str
    budget: Decimal
    spend: Decimal
    income: Decimal
    forecast: Decimal

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.budget


@dataclass(slots=True)
class PoolReport:
    doc: dict[str, Any]  # the settle --json document (recorded at close, else computed now)
    lines: list[LineFigures]
    savings: list[tuple[Saving, savings_rules.SavingFigures]]
    curve: list[tuple[Decimal, Decimal, Decimal]]  # alliance: (outturn, providers, commissioners)
    journal: list[dict[str, Any]]
    signoffs: list[dict[str, str]]

    @property
    def code(self) -> str:
        return str(self.doc["pool"])


@dataclass(slots=True)
class Report:
    period: Period
    partner: str | None
    pools: list[PoolReport] = field(default_factory=list)
    savings: SavingsReport | None = None


def build_report(engine: Engine, period: Period, partner: str | None = None, pool: str | None = None) -> Report:
    """The report for every pool (or one ``pool``), or one partner's pack."""
    report = Report(period, partner)
    with read_connection(engine) as conn:
        codes = [c for c in reads.pool_codes(conn) if reads.load_agreement(conn, c, period.year) is not None]
        if pool is not None:
            if pool not in codes:
                inputs_for(conn, pool, period)  # says what is missing: the pool, or the year's agreement
            codes = [pool]
        if not codes:
            raise LedgerError(f"no pool has an agreement for {period.year}", "import the agreements first")
        for code in codes:
            inputs = inputs_for(conn, code, period)
            if partner and inputs.agreement.member(partner) is None and all(
                m.partner != partner for m in inputs.former_members
            ):
                continue
            statement = settle_inputs(inputs)
            report.pools.append(PoolReport(
                doc=statement_document(engine, code, period) if inputs.closed else statement.as_json(),
                lines=line_figures(inputs), savings=saving_figures(inputs), curve=gain_pain_curve(inputs, statement),
                journal=journal_rows(conn, code, period), signoffs=signoff_rows(conn, code, period),
            ))
    if partner and not report.pools:
        raise LedgerError(f"{partner} is not a partner of any pool in {period.year}",
                          "check the partner code (`pool-ledger pools` lists the pools)")
    report.savings = savings_report(engine, period)
    return report


def export_report(
    engine: Engine, period: Period, out: str | Path, partner: str | None = None, pool: str | None = None
) -> tuple[Path, Report]:
    """Build the report and write it to ``out`` (.xlsx)."""
    from ledger.workbooks.report import write_report

    if not str(out).lower().endswith(".xlsx"):
        raise LedgerError(f"{out}: the report is an Excel workbook", "name it .xlsx")
    report = build_report(engine, period, partner, pool)
    try:
        return write_report(report, out), report
    except OSError as exc:
        raise LedgerError(f"cannot write {out}: {exc.strerror or exc}",
                          "close it in Excel, or choose another name") from None


def line_figures(inputs: SettlementInputs) -> list[LineFigures]:
    """Each line's budget, spend and income to date, and forecast outturn."""
    outturns = {o.line: o.amount for o in line_outturns(inputs)[0]}
    ytd = inputs.ytd
    return [
        LineFigures(ln.code, ln.name, ln.budget, ytd.spend[ln.code], ytd.income[ln.code], outturns.get(ln.code, ZERO))
        for ln in inputs.agreement.lines
    ]


def saving_figures(inputs: SettlementInputs) -> list[tuple[Saving, savings_rules.SavingFigures]]:
    """Each savings row of the year to date (realised, then forecast) from gross to net to cashable."""
    return [(s, savings_rules.figures(s)) for s in inputs.ytd.savings_realised + inputs.ytd.savings_forecast]


def gain_pain_curve(inputs: SettlementInputs, statement: Statement) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Alliance: (outturn, providers' share, commissioners' share) from 80% to 120% of the target cost,
    with the forecast outturn among the points; empty for other arrangements."""
    ag = inputs.agreement
    if ag.arrangement is not Arrangement.ALLIANCE or not statement.totals.budget:
        return []
    toc = statement.totals.budget
    points = [toc * Decimal(p) / 100 for p in range(80, 121, 2)] + [statement.totals.forecast]
    kpi = alliance.kpi_modifier(ag.kpis, dict(inputs.ytd.kpi_actuals.items()), ag.kpi_threshold)
    return alliance.curve(ag, sorted(set(points)), kpi)


def journal_rows(conn: Any, pool: str, period: Period) -> list[dict[str, Any]]:
    """Every posting dated in the period, with its provenance."""
    T, P, B = M.TxnRec.__table__, M.PostingRec.__table__, M.Batch.__table__
    q = (
        select(T.c.date, T.c.kind, T.c.line, T.c.partner, T.c.counterparty, T.c.reference, T.c.corrects,
               T.c.sheet, T.c.row, T.c.reverses_batch, P.c.account, P.c.amount, B.c.file_name, B.c.sha256,
               B.c.operator, B.c.imported_at, B.c.id)
        .join(P, and_(P.c.batch_id == T.c.batch_id, P.c.seq == T.c.seq))
        .join(B, B.c.id == T.c.batch_id)
        .where(and_(T.c.pool == pool, T.c.year_start == period.year.start, T.c.quarter == period.quarter))
        .order_by(T.c.date, T.c.batch_id, T.c.seq, P.c.leg)
    )
    return [dict(r._mapping) for r in conn.execute(q)]
