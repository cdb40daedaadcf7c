"""What the books say for one pool, year to date: the settlement's inputs.

The store aggregates these in SQL; tests may build them by hand. Everything
here is pure: values in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from ledger.money import ZERO, allocate, fmt_money
from ledger.periods import Period
from ledger.problems import Problem, warning
from ledger.records import Agreement, Amounts, Arrangement, Member, Role, Saving


@dataclass(frozen=True, slots=True)
class YearToDate:
    """Sums over the financial year up to and including the period."""

    spend: Amounts = field(default_factory=Amounts)  # by line
    income: Amounts = field(default_factory=Amounts)  # by line
    contributions: Amounts = field(default_factory=Amounts)  # by partner, into the pool
    spend_paid_by: Amounts = field(default_factory=Amounts)  # by partner
    income_received_by: Amounts = field(default_factory=Amounts)  # by partner
    transfers_out: Amounts = field(default_factory=Amounts)  # by partner
    transfers_in: Amounts = field(default_factory=Amounts)  # by partner
    forecasts: Amounts = field(default_factory=Amounts)  # latest forecast per line
    # spend rows that name their provider (alliance): (line, provider, amount)
    provider_spend: tuple[tuple[str, str, Decimal], ...] = ()
    kpi_actuals: Amounts = field(default_factory=Amounts)  # latest actual per KPI
    savings_realised: tuple[Saving, ...] = ()  # realised savings rows of the year to date
    savings_forecast: tuple[Saving, ...] = ()  # forecast rows of the latest period that has them

    def net_spend(self, line: str) -> Decimal:
        return self.spend[line] - self.income[line]

    @property
    def total_net_spend(self) -> Decimal:
        return self.spend.total() - self.income.total()


@dataclass(frozen=True, slots=True)
class SettlementInputs:
    agreement: Agreement
    period: Period
    ytd: YearToDate
    brought_forward: Amounts = field(default_factory=Amounts)  # by partner
    former_members: tuple[Member, ...] = ()  # balance brought forward, not in this year's terms
    carried_in: Decimal = ZERO  # carried forward out of the previous year
    cash_before: Decimal = ZERO  # pool cash at the start of the year
    closed: bool = False

    @property
    def final(self) -> bool:
        return self.period.is_year_end


@dataclass(frozen=True, slots=True)
class Outturn:
    """A line's full-year net outturn and how it was arrived at."""

    line: str
    amount: Decimal
    basis: str  # actual | forecast | budget | spend_to_date


def line_outturns(inputs: SettlementInputs) -> tuple[tuple[Outturn, ...], tuple[Problem, ...]]:
    """SPEC section 5: each line's forecast outturn (the actual at Q4)."""
    ag, ytd = inputs.agreement, inputs.ytd
    out: list[Outturn] = []
    problems: list[Problem] = []
    for line in ag.lines:
        net = ytd.net_spend(line.code)
        if inputs.final:
            out.append(Outturn(line.code, net, "actual"))
        elif line.code in ytd.forecasts:
            out.append(Outturn(line.code, ytd.forecasts[line.code], "forecast"))
        elif net > line.budget:
            out.append(Outturn(line.code, net, "spend_to_date"))
            problems.append(
                warning(
                    line.source,
                    f"line {line.code} has no forecast for {inputs.period} and its net spend to date "
                    f"{fmt_money(net)} is above its budget {fmt_money(line.budget)}; "
                    "it is forecast at its spend to date",
                    "send a Forecast row for the line",
                )
            )
        else:
            out.append(Outturn(line.code, line.budget, "budget"))
    return tuple(out), tuple(problems)


def pool_budget(ag: Agreement, carried_in: Decimal = ZERO) -> Decimal:
    """FORMATS 5 ``totals.budget``: contributions plus any amount carried in (pooled
    funds), the providers' target cost (alliance), else the sum of line budgets."""
    if ag.arrangement.has_pooled_fund:
        payers = ag.with_role(Role.HOST, Role.CONTRIBUTOR, Role.OWNER)
        return sum((m.contribution or ZERO for m in payers), ZERO) + carried_in
    if ag.arrangement is Arrangement.ALLIANCE:
        return sum((m.target_cost or ZERO for m in ag.with_role(Role.PROVIDER)), ZERO)
    return sum((ln.budget for ln in ag.lines), ZERO)


def with_outturns(inputs: SettlementInputs, outturns: dict[str, Decimal]) -> SettlementInputs:
    """A what-if: the same books with some lines' full-year outturn set by hand.

    Before Q4 the outturn is the forecast, so the forecast is replaced; at Q4 it
    is the net spend, so the line's spend moves by the difference.
    """
    ytd = inputs.ytd
    if inputs.final:
        moved = [(line, v - ytd.net_spend(line)) for line, v in outturns.items()]
        return replace(inputs, ytd=replace(ytd, spend=Amounts.of(list(ytd.spend.items()) + moved)))
    kept = [(k, v) for k, v in ytd.forecasts.items() if k not in outturns]
    return replace(inputs, ytd=replace(ytd, forecasts=Amounts.of(kept + list(outturns.items()))))


def year_end(inputs: SettlementInputs) -> SettlementInputs:
    """The books projected to the year end: each line's forecast outturn taken as its actual
    at Q4 (the obligations then hold every share of the year's variance, for every arrangement)."""
    if inputs.final:
        return inputs
    outturns = {o.line: o.amount for o in line_outturns(inputs)[0]}
    return with_outturns(replace(inputs, period=inputs.period.year.period(4), closed=False), outturns)


def with_total_outturn(inputs: SettlementInputs, total: Decimal) -> SettlementInputs:
    """A what-if on the whole pool (an alliance's outturn): the change is spread over the
    lines in proportion to their outturns (their budgets when every outturn is nil, evenly
    when every budget is nil too)."""
    outturns, _ = line_outturns(inputs)
    now = sum((o.amount for o in outturns), ZERO)
    weights = [abs(o.amount) for o in outturns]
    if not any(weights):
        weights = [ln.budget for ln in inputs.agreement.lines]
    if not any(weights):
        weights = [Decimal(1)] * len(outturns)
    if not outturns:
        return inputs
    parts = allocate(total - now, weights)
    return with_outturns(inputs, {o.line: o.amount + d for o, d in zip(outturns, parts, strict=True)})
