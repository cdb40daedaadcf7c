"""Aligned budgets: SPEC section 5.3.

Budgets stay on each owner's books. Each line has an owner; ``B_i`` and
``S_i`` are the budgets of and net spend on the lines owned by ``i``, and
``V_i = S_i - B_i`` (from forecast outturns before Q4). With
``aligned_risk_share = shared`` each partner bears its share of the total
variance ``V``: ``transfer_i = share_i(V) - V_i`` (summing to zero), projected
before Q4 and payable at Q4. No money is paid into a pool: ``paid = 0``.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.common import clause, former_member_statements, nothing_paid, partner_statement, pct, savings_item
from ledger.figures import SettlementInputs, line_outturns
from ledger.money import ZERO, allocate, fmt_money
from ledger.records import Member, Role
from ledger.statement import Item, PartnerStatement, Statement, Totals

ITEM_NAMES = ("budget", "spend", "variance", "transfer", "projected_transfer", "savings_transfer")


def _weights(parties: tuple[Member, ...], field: str, budgets: list[Decimal]) -> tuple[list[Decimal], str]:
    given = [getattr(m, field) for m in parties]
    if any(g is not None for g in given):
        return [g or ZERO for g in given], field.replace("_", " ")
    return budgets, "budget share"


def transfers(
    variances: list[Decimal], budgets: list[Decimal], parties: tuple[Member, ...], shared: bool
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...], str]:
    """Each party's share of the total variance, and the transfer that brings it there."""
    total = sum(variances, ZERO)
    if not shared or not parties:
        return tuple(variances), tuple(ZERO for _ in parties), "none"
    field = "overspend_share" if total > 0 else "underspend_share"
    weights, basis = _weights(parties, field, budgets)
    shares = allocate(total, weights)  # all-zero weights are refused when the agreement is imported
    return shares, tuple(s - v for s, v in zip(shares, variances)), basis


def settle(inputs: SettlementInputs) -> Statement:
    ag, ytd = inputs.agreement, inputs.ytd
    final = inputs.final
    parties = ag.with_role(Role.CONTRIBUTOR)
    outturns, problems = line_outturns(inputs)
    outturn = {o.line: o.amount for o in outturns}
    owner = {ln.code: ln.owner for ln in ag.lines}
    budgets = [sum((ln.budget for ln in ag.lines if ln.owner == m.partner), ZERO) for m in parties]
    spent = [sum((ytd.net_spend(ln.code) for ln in ag.lines if ln.owner == m.partner), ZERO) for m in parties]
    forecasts = [sum((outturn[c] for c, o in owner.items() if o == m.partner), ZERO) for m in parties]
    variances = [f - b for f, b in zip(forecasts, budgets)]
    shared = ag.aligned_risk_share == "shared"
    shares, moves, basis = transfers(variances, budgets, parties, shared)
    total = sum(variances, ZERO)
    when = "actual" if final else "projected"

    statements: list[PartnerStatement] = []
    for i, m in enumerate(parties):
        move = moves[i]
        if not shared:
            why = "aligned risk share is none: each partner keeps its own variance"
        else:
            why = (
                f"its share {fmt_money(shares[i])} ({pct(shares[i], total) if total else '0%'} by {basis}, "
                f"clause: {clause(m, 'overspend_share' if total > 0 else 'underspend_share')}) of the {when} "
                f"total variance {fmt_money(total)} less its own variance {fmt_money(variances[i])}"
            )
        items = (
            Item("budget", budgets[i], f"budgets of the lines {m.partner} owns"),
            Item("spend", spent[i], f"net spend to date on the lines {m.partner} owns"),
            Item("variance", variances[i], f"{when} outturn {fmt_money(forecasts[i])} less budget {fmt_money(budgets[i])}"),
            Item("transfer", move if final else ZERO, why if final else "payable at Q4; see projected_transfer"),
            Item("projected_transfer", move, why),
            savings_item(),
        )
        statements.append(partner_statement(m, inputs, move if final else ZERO, items, nothing_paid))
    statements.extend(former_member_statements(inputs, ITEM_NAMES, nothing_paid))
    budget = sum((ln.budget for ln in ag.lines), ZERO)
    totals = Totals(
        budget=budget,
        spend=ytd.spend.total(),
        income=ytd.income.total(),
        forecast=ytd.total_net_spend if final else sum(outturn.values(), ZERO),
    )
    return Statement(ag.pool, ag.name, ag.arrangement, inputs.period, final, totals, tuple(statements),
                     problems, inputs.closed)
