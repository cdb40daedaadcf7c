"""Joint commissioning: SPEC section 5.4.

Commissioners share the cost of a third-party provider by cost shares
``c_i`` (a line may override them in ``LineShares``). Each quarter, from
actuals: ``cost_share_i = sum over lines of allocate(net spend on the line, c_line)``;
``paid_i`` = spend paid by ``i`` less income received by ``i``. The balances
(``cost_share - paid``, with transfers between commissioners) sum to zero: the
recharges that settle the quarter.
"""

from __future__ import annotations

from decimal import Decimal

from contracts.common import clause, former_member_statements, partner_statement, savings_item
from ledger.figures import SettlementInputs, line_outturns
from ledger.money import ZERO, allocate, fmt_money
from ledger.records import Agreement, Member, Role
from ledger.statement import Item, PartnerStatement, Statement, Totals

ITEM_NAMES = ("cost_share", "paid_direct", "income_received", "savings_transfer")


def line_weights(ag: Agreement, parties: tuple[Member, ...], line: str) -> tuple[list[Decimal], bool]:
    """The cost shares that split a line: its LineShares rows if any, else the commissioners'."""
    overrides = {s.partner: s.cost_share for s in ag.line_shares if s.line == line}
    if overrides:
        return [overrides.get(m.partner, ZERO) for m in parties], True
    return [m.cost_share or ZERO for m in parties], False


def cost_shares(ag: Agreement, parties: tuple[Member, ...], net_by_line: dict[str, Decimal]) -> list[Decimal]:
    totals = [ZERO for _ in parties]
    for line, net in net_by_line.items():
        weights, _ = line_weights(ag, parties, line)
        if net and sum(weights):
            for i, part in enumerate(allocate(net, weights)):
                totals[i] += part
    return totals


def settle(inputs: SettlementInputs) -> Statement:
    ag, ytd = inputs.agreement, inputs.ytd
    parties = ag.with_role(Role.COMMISSIONER)
    lines = [ln.code for ln in ag.lines] + sorted(set(ytd.spend) | set(ytd.income) - {ln.code for ln in ag.lines})
    net_by_line = {code: ytd.net_spend(code) for code in lines}
    shares = cost_shares(ag, parties, net_by_line)
    overridden = sorted({s.line for s in ag.line_shares})
    outturns, problems = line_outturns(inputs)

    def paid(code: str) -> Decimal:
        return ytd.spend_paid_by[code] - ytd.income_received_by[code]

    statements: list[PartnerStatement] = []
    for i, m in enumerate(parties):
        rule = f"{m.cost_share or 0}% cost share (clause: {clause(m, 'cost_share')})"
        if overridden:
            rule += f"; LineShares for {', '.join(overridden)}"
        items = (
            Item("cost_share", shares[i], f"{rule} of net spend to date {fmt_money(ytd.total_net_spend)}"),
            Item("paid_direct", ytd.spend_paid_by[m.partner], "spend it paid to the provider, to date"),
            Item("income_received", ytd.income_received_by[m.partner], "income it received on the pool's lines"),
            savings_item(),
        )
        statements.append(partner_statement(m, inputs, shares[i], items, paid))
    statements.extend(former_member_statements(inputs, ITEM_NAMES, paid))
    final = inputs.final
    totals = Totals(
        budget=sum((ln.budget for ln in ag.lines), ZERO),
        spend=ytd.spend.total(),
        income=ytd.income.total(),
        forecast=ytd.total_net_spend if final else sum((o.amount for o in outturns), ZERO),
    )
    return Statement(ag.pool, ag.name, ag.arrangement, inputs.period, final, totals, tuple(statements),
                     problems, inputs.closed)
