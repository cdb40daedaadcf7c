"""The pools at a glance: arrangement, latest year and period, budget against spend and forecast."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from ledger.figures import SettlementInputs, line_outturns, pool_budget
from ledger.money import money_str, ratio_str
from ledger.periods import Period
from ledger.services.settling import inputs_for
from ledger.store import reads
from ledger.store.db import read_connection

RED_OVER = Decimal("0.02")  # a forecast more than 2% over budget is red


@dataclass(frozen=True, slots=True)
class PoolSummary:
    code: str
    name: str
    arrangement: str
    year: str
    period: str | None
    budget: Decimal
    spend: Decimal
    forecast: Decimal
    closed: bool

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.budget

    @property
    def variance_ratio(self) -> Decimal | None:
        """Forecast over (+) or under (-) budget as a fraction of the budget."""
        return self.variance / self.budget if self.budget else None

    @property
    def status(self) -> str:
        """Red, amber or green by variance (docs/design.md): red when the forecast is more than
        2% over budget, amber when over by up to 2% or with no budget to measure against, else green."""
        ratio = self.variance_ratio
        if ratio is None:
            return "amber" if self.variance else "green"
        if ratio > RED_OVER:
            return "red"
        return "amber" if ratio > 0 else "green"

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "arrangement": self.arrangement,
            "year": self.year,
            "period": self.period,
            "budget": money_str(self.budget),
            "spend": money_str(self.spend),
            "forecast": money_str(self.forecast),
            "variance": money_str(self.variance),
            "variance_ratio": None if self.variance_ratio is None else ratio_str(self.variance_ratio),
            "status": self.status,
            "closed": self.closed,
        }


def summarise(inputs: SettlementInputs, has_data: bool) -> PoolSummary:
    ag = inputs.agreement
    outturns, _ = line_outturns(inputs)
    forecast = inputs.ytd.total_net_spend if inputs.final else sum((o.amount for o in outturns), Decimal(0))
    return PoolSummary(
        code=ag.pool,
        name=ag.name,
        arrangement=ag.arrangement.value,
        year=str(ag.year),
        period=str(inputs.period) if has_data else None,
        budget=pool_budget(ag, inputs.carried_in),
        spend=inputs.ytd.total_net_spend,
        forecast=forecast,
        closed=inputs.closed and has_data,
    )


def list_pools(engine: Engine) -> list[PoolSummary]:
    out = []
    with read_connection(engine) as conn:
        for code in reads.pool_codes(conn):
            years = reads.pool_years(conn, code)
            if not years:
                continue
            year = years[-1]
            periods = [p for p in reads.periods_with_data(conn, code) if p.year == year]
            period = periods[-1] if periods else Period(year, 1)
            out.append(summarise(inputs_for(conn, code, period), bool(periods)))
    return out
