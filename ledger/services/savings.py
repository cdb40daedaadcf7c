"""Savings attribution across every pool: benefit, investment, ROI and the wrong-pocket matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from contracts import savings as rules
from ledger.figures import SettlementInputs
from ledger.money import ZERO, money_str, ratio_str
from ledger.periods import Period
from ledger.problems import Problem, Source, warning
from ledger.records import Role
from ledger.services import LedgerError
from ledger.services.settling import inputs_for, settle_inputs
from ledger.statement import Statement
from ledger.store import reads
from ledger.store.db import read_connection


@dataclass(frozen=True, slots=True)
class SavingsRow:
    pool: str
    partner: str
    role: str
    investment: Decimal
    benefit: rules.Benefit
    cumulative_net: Decimal

    @property
    def roi(self) -> Decimal | None:
        return None if not self.investment else self.benefit.net / self.investment

    def as_json(self) -> dict[str, Any]:
        b = self.benefit
        return {
            "pool": self.pool,
            "partner": self.partner,
            "role": self.role,
            "investment": money_str(self.investment),
            "gross": money_str(b.gross),
            "net": money_str(b.net),
            "cashable": money_str(b.cashable),
            "non_cashable": money_str(b.non_cashable),
            "forecast_net": money_str(b.forecast_net),
            "cumulative_net": money_str(self.cumulative_net),
            "roi": None if self.roi is None else ratio_str(self.roi),
        }


@dataclass(slots=True)
class SavingsReport:
    period: Period
    rows: list[SavingsRow] = field(default_factory=list)
    matrix: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "rows": [r.as_json() for r in self.rows],
            "matrix": [
                {"investor": i, "beneficiary": b, "net": money_str(v)} for (i, b), v in sorted(self.matrix.items())
            ],
            "problems": [p.as_json() for p in self.problems],
        }


def savings_report(engine: Engine, period: Period) -> SavingsReport:
    """Savings of every pool with an agreement for the period's year, and the wrong-pocket matrix."""
    report = SavingsReport(period)
    with read_connection(engine) as conn:
        for code in reads.pool_codes(conn):
            if reads.load_agreement(conn, code, period.year) is not None:
                pool_savings(conn, code, period, report)
    return report


def pool_savings(
    conn: Connection, code: str, period: Period, report: SavingsReport,
    settled: tuple[SettlementInputs, Statement] | None = None,
) -> SavingsReport:
    """Add one pool's rows and matrix cells to ``report`` (``settled``: its inputs and statement, if at hand)."""
    try:
        inputs, st = settled or _settled(conn, code, period)
    except LedgerError as exc:
        report.problems.append(warning(Source(f"pool {code}"), f"left out: {exc}"))
        return report
    ag = inputs.agreement
    landed = rules.benefits(inputs.ytd.savings_realised, inputs.ytd.savings_forecast)
    invested = rules.investments(ag, st)
    cumulative = rules.benefits(reads.savings(conn, code, period, "realised", all_years=True), ())
    for m in ag.members:
        b = landed.get(m.partner, rules.Benefit())
        if invested[m.partner] or b.net or b.forecast_net or m.role is not Role.BENEFICIARY:
            report.rows.append(SavingsRow(code, m.partner, m.role.value, invested[m.partner], b,
                                          cumulative.get(m.partner, rules.Benefit()).net))
    if any(b.net for b in landed.values()) and not any(v > 0 for v in invested.values()):
        report.problems.append(warning(Source(ag.source.file, "Partners"),
                                       f"pool {code}: no partner has invested yet, so its savings are in no "
                                       "cell of the wrong-pocket matrix"))
    for cell, v in rules.matrix(ag, landed, invested).items():
        report.matrix[cell] = report.matrix.get(cell, ZERO) + v
    return report


def _settled(conn: Connection, code: str, period: Period) -> tuple[SettlementInputs, Statement]:
    inputs = inputs_for(conn, code, period)
    return inputs, settle_inputs(inputs)
