"""Savings attribution (SPEC section 5.6): whose budget a saving lands in, and sharing it back.

Per savings row::

    gross        = round_pence(quantity * unit_cost)
    net          = round_pence(gross * (1 - deadweight) * attribution * (1 - optimism_bias))
    cashable     = round_pence(net * cashable%)
    non_cashable = net - cashable

Realised rows add up year to date; forecast rows are projections (only the
latest period's count). Each member's investment is what it put in under its
arrangement (contribution, budget, cost share or funding share). At Q4 a
savings share of ``p`` puts ``pot_i = round_pence(realised cashable_i * p)`` of
each member's own cashable savings into a pot split back by the basis shares:
``savings_transfer_i = pot_i - received_i`` (sum zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ledger.money import ZERO, allocate, round_pence
from ledger.records import Agreement, Arrangement, Member, Role, Saving
from ledger.statement import Statement

INVESTMENT_ITEM = {
    Arrangement.LEAD_BODY: "contribution",
    Arrangement.JOINT_VENTURE: "contribution",
    Arrangement.ALIGNED: "budget",
    Arrangement.JOINT_COMMISSIONING: "cost_share",
    Arrangement.ALLIANCE: "funding_share",
}


@dataclass(frozen=True, slots=True)
class SavingFigures:
    gross: Decimal
    net: Decimal
    cashable: Decimal

    @property
    def non_cashable(self) -> Decimal:
        return self.net - self.cashable


def figures(s: Saving) -> SavingFigures:
    """Gross to net to cashable, each rounded once where SPEC names it."""
    gross = round_pence(Fraction(s.quantity) * Fraction(s.unit_cost))
    factor = (1 - Fraction(s.deadweight) / 100) * Fraction(s.attribution) / 100 * (1 - Fraction(s.optimism_bias) / 100)
    net = round_pence(Fraction(gross) * factor)
    cashable = round_pence(Fraction(net) * Fraction(s.cashable) / 100)
    return SavingFigures(gross, net, cashable)


@dataclass(frozen=True, slots=True)
class Benefit:
    """What landed in one partner's budget from one pool."""

    gross: Decimal = ZERO
    net: Decimal = ZERO
    cashable: Decimal = ZERO
    forecast_net: Decimal = ZERO

    @property
    def non_cashable(self) -> Decimal:
        return self.net - self.cashable


def benefits(realised: Iterable[Saving], forecast: Iterable[Saving]) -> dict[str, Benefit]:
    """Realised and forecast benefit by beneficiary."""
    out: dict[str, Benefit] = {}
    for s in realised:
        f = figures(s)
        b = out.get(s.beneficiary, Benefit())
        out[s.beneficiary] = Benefit(b.gross + f.gross, b.net + f.net, b.cashable + f.cashable, b.forecast_net)
    for s in forecast:
        f = figures(s)
        b = out.get(s.beneficiary, Benefit())
        out[s.beneficiary] = Benefit(b.gross, b.net, b.cashable, b.forecast_net + f.net)
    return out


def investments(ag: Agreement, statement: Statement) -> dict[str, Decimal]:
    """Each member's investment under its arrangement (0 for providers and beneficiaries)."""
    item = INVESTMENT_ITEM[ag.arrangement]
    out = {}
    for m in ag.members:
        p = statement.partner(m.partner)
        invests = m.role not in (Role.PROVIDER, Role.BENEFICIARY) and not (
            ag.arrangement is Arrangement.JOINT_VENTURE and m.role is Role.HOST
        )
        out[m.partner] = p.amount(item) if p is not None and invests else ZERO
    return out


def risk_weights(ag: Agreement, members: Sequence[Member], invested: dict[str, Decimal]) -> list[Decimal]:
    """The overspend shares, as the arrangement defines them (basis ``risk``)."""
    if ag.arrangement is Arrangement.JOINT_VENTURE:
        return [m.ownership or ZERO for m in members]
    if ag.arrangement in (Arrangement.JOINT_COMMISSIONING, Arrangement.ALLIANCE):
        return [m.cost_share or ZERO for m in members]
    if any(m.overspend_share is not None for m in members):
        return [m.overspend_share or ZERO for m in members]
    return [invested[m.partner] for m in members]


@dataclass(frozen=True, slots=True)
class SavingsShare:
    pot: dict[str, Decimal]
    received: dict[str, Decimal]
    basis: str

    def transfer(self, partner: str) -> Decimal:
        return self.pot.get(partner, ZERO) - self.received.get(partner, ZERO)


def share_back(ag: Agreement, landed: dict[str, Benefit], invested: dict[str, Decimal]) -> SavingsShare | None:
    """SPEC 5.6 savings share at Q4: None when the agreement shares nothing."""
    p = Fraction(ag.savings_share) / 100
    entity = ag.host if ag.arrangement is Arrangement.JOINT_VENTURE else None  # holds no balance
    members = [m for m in ag.members if m.role is not Role.BENEFICIARY and m.partner != entity]
    if not p or not members:
        return None
    pot = {m.partner: round_pence(Fraction(landed.get(m.partner, Benefit()).cashable) * p) for m in members}
    if ag.savings_share_basis == "risk":
        weights, basis = risk_weights(ag, members, invested), "overspend shares"
    else:
        weights, basis = [invested[m.partner] for m in members], "investment shares"
    total = sum(pot.values(), ZERO)
    if total and not sum(weights):
        return SavingsShare(pot, dict(pot), basis + " (all zero: each keeps its own)")
    parts = allocate(total, weights) if total else tuple(ZERO for _ in members)
    return SavingsShare(pot, {m.partner: x for m, x in zip(members, parts)}, basis)


def matrix(ag: Agreement, landed: dict[str, Benefit], invested: dict[str, Decimal]) -> dict[tuple[str, str], Decimal]:
    """Wrong-pocket cells (investor, beneficiary) -> realised net benefit, for one pool."""
    investors = [m.partner for m in ag.members if invested.get(m.partner, ZERO) > 0]
    weights = [invested[i] for i in investors]
    cells: dict[tuple[str, str], Decimal] = {}
    if not investors:
        return cells
    for beneficiary, b in landed.items():
        if b.net:
            for investor, part in zip(investors, allocate(b.net, weights)):
                cells[(investor, beneficiary)] = cells.get((investor, beneficiary), ZERO) + part
    return cells
