"""Pooled funds: lead body (SPEC 5.1) and joint venture (SPEC 5.2).

A lead body is a Section 75 pool hosted by one partner. A joint venture is the
same with the entity in the host's place: its owners fund it, both variance
shares are the ownership shares, a surplus is retained unless the agreement
says ``return``, and a deficit left after the owners' caps is reported as the
entity's unfunded deficit instead of falling on a host.

The steps, in order:
1. the pool budget ``B = sum of contributions + amount carried in``;
2. instalments due to date (four equal ones, or the agreement's schedule);
3. contributions paid; memorandum spend shares of net spend to date;
4. the variance, forecast before Q4 and actual at Q4, split into shares:
   an overspend by overspend shares under caps (what no share can take is the
   host's, or the entity's unfunded deficit), an underspend by underspend
   shares, returned or carried forward;
5. ``obligation = due + risk_share + savings_transfer`` and
   ``balance = brought_forward + obligation - paid - transfers_out + transfers_in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.common import clause, former_member_statements, partner_statement, pct, savings_item, zero_items
from ledger.figures import SettlementInputs, line_outturns, pool_budget
from ledger.money import ZERO, allocate, allocate_capped, fmt_money
from ledger.problems import Problem, Source, warning
from ledger.records import Agreement, Arrangement, Member, Role, Underspend
from ledger.statement import Item, PartnerStatement, Statement, Totals


def instalments(member: Member, agreement: Agreement) -> tuple[Decimal, ...]:
    """The four quarterly instalments of a member's contribution (SPEC section 4)."""
    scheduled = agreement.schedule_for(member.partner)
    if scheduled:
        by_quarter = {i.quarter: i.amount for i in scheduled}
        return tuple(by_quarter.get(q, ZERO) for q in (1, 2, 3, 4))
    return allocate(member.contribution or ZERO, [1, 1, 1, 1])


@dataclass(frozen=True, slots=True)
class VarianceSplit:
    """A variance shared among the parties, in the agreement's order."""

    variance: Decimal
    shares: tuple[Decimal, ...]  # the part each party bears (negative: a refund)
    carried_forward: tuple[Decimal, ...]  # underspend each party leaves in the pool
    residual: Decimal  # overspend no capped share could take
    basis: str  # contribution share | overspend share | underspend share | ownership | none

    @property
    def carried_total(self) -> Decimal:
        return sum(self.carried_forward, ZERO)


def _weights(parties: tuple[Member, ...], field: str) -> tuple[list[Decimal], str]:
    given = [getattr(m, field) for m in parties]
    if field == "ownership" or any(g is not None for g in given):
        return [g or ZERO for g in given], field.replace("_", " ")
    return [m.contribution or ZERO for m in parties], "contribution share"


def split_variance(
    variance: Decimal,
    parties: tuple[Member, ...],
    host: str | None,
    underspend: Underspend,
    by_ownership: bool = False,
) -> VarianceSplit:
    """Share an overspend (capped; the residual to ``host`` if there is one) or an underspend."""
    zeros = tuple(ZERO for _ in parties)
    if variance > 0:
        weights, basis = _weights(parties, "ownership" if by_ownership else "overspend_share")
        caps = [None if m.partner == host else m.cap for m in parties]
        parts, residual = allocate_capped(variance, weights, caps)
        if residual and host is not None:
            parts = tuple(p + residual if m.partner == host else p for m, p in zip(parties, parts))
        return VarianceSplit(variance, parts, zeros, residual, basis)
    if variance < 0:
        weights, basis = _weights(parties, "ownership" if by_ownership else "underspend_share")
        parts = allocate(variance, weights)
        if underspend is Underspend.CARRY_FORWARD:
            return VarianceSplit(variance, parts, tuple(-p for p in parts), ZERO, basis)
        return VarianceSplit(variance, parts, zeros, ZERO, basis)
    return VarianceSplit(variance, zeros, zeros, ZERO, "none")


def _variance_words(split: VarianceSplit) -> str:
    if split.variance > 0:
        return f"overspend {fmt_money(split.variance)}"
    if split.variance < 0:
        return f"underspend {fmt_money(-split.variance)}"
    return "no variance"


def _share_words(split: VarianceSplit, m: Member, share: Decimal, when: str, capped_any: bool) -> str:
    """Which rule and which figures produced a partner's variance share."""
    if split.variance == 0:
        return f"no {when} variance to share"
    field = {"contribution share": "contribution", "ownership": "ownership"}.get(
        split.basis, "overspend_share" if split.variance > 0 else "underspend_share"
    )
    head = f"{pct(share, split.variance)} of {when} {_variance_words(split)}"
    if split.variance > 0 and m.cap is not None and share == m.cap and m.role is not Role.HOST:
        return f"{head}: its {split.basis} capped at {fmt_money(m.cap)} (clause: {clause(m, 'cap')})"
    after = ", re-split after other partners' caps" if capped_any else ""
    return f"{head} ({split.basis}{after}, clause: {clause(m, field)})"


ITEM_NAMES = (
    "contribution",
    "due",
    "spend_share",
    "forecast_variance_share",
    "risk_share",
    "carried_forward",
    "savings_transfer",
)
JV_ITEM_NAMES = ITEM_NAMES + ("ownership", "reserves_share")


def settle(inputs: SettlementInputs) -> Statement:
    """Settle a lead-body pool or a joint venture."""
    ag, ytd, period = inputs.agreement, inputs.ytd, inputs.period
    jv = ag.arrangement is Arrangement.JOINT_VENTURE
    final = inputs.final
    parties = ag.with_role(Role.OWNER) if jv else ag.with_role(Role.HOST, Role.CONTRIBUTOR)
    host = None if jv else ag.host
    contributions = [m.contribution or ZERO for m in parties]
    budget = pool_budget(ag, inputs.carried_in)
    net = ytd.total_net_spend
    outturns, problems = line_outturns(inputs)
    problems = problems + _budget_check(ag, budget)
    forecast = net if final else sum((o.amount for o in outturns), ZERO)
    split = split_variance(forecast - budget, parties, host, ag.underspend, by_ownership=jv)
    when = "actual" if final else "projected"
    spend_shares = allocate(net, contributions) if sum(contributions) else tuple(ZERO for _ in parties)
    unfunded = split.residual if jv else ZERO
    reserves = split.carried_total - unfunded if final else inputs.carried_in
    ownership = [m.ownership or ZERO for m in parties]
    reserve_shares = allocate(reserves, ownership) if jv and sum(ownership) else tuple(ZERO for _ in parties)
    capped_any = split.variance > 0 and any(
        p.cap is not None and p.partner != host and x == p.cap for p, x in zip(parties, split.shares)
    )

    computed: dict[str, PartnerStatement] = {}
    for i, m in enumerate(parties):
        inst = instalments(m, ag)
        due = sum(inst[: period.quarter], ZERO)
        share = split.shares[i]
        risk = share if final and not split.carried_forward[i] else ZERO
        note = ""
        if risk and m.partner == host and split.residual:
            note = f" including the residual {fmt_money(split.residual)} no capped share could take"
        share_words = _share_words(split, m, share, when, capped_any) + note
        items = [
            Item("contribution", m.contribution or ZERO, f"annual contribution ({clause(m, 'contribution')})"),
            Item(
                "due",
                due,
                f"instalments Q1-Q{period.quarter}: "
                + " + ".join(fmt_money(x) for x in inst[: period.quarter])
                + (" (agreement schedule)" if ag.schedule_for(m.partner) else " (four equal instalments)"),
            ),
            Item(
                "spend_share",
                spend_shares[i],
                f"memorandum: {pct(m.contribution or ZERO, sum(contributions, ZERO))} of net spend to date "
                f"{fmt_money(net)} (contribution share)",
            ),
            Item("forecast_variance_share", share, share_words),
            Item(
                "risk_share",
                risk,
                share_words if final and risk else
                ("payable at Q4; the projection is in forecast_variance_share" if not final else "nothing to pay"),
            ),
            Item(
                "carried_forward",
                split.carried_forward[i],
                f"{when} underspend left in the pool for next year ({split.basis})"
                if split.carried_forward[i]
                else "nothing carried forward",
            ),
            savings_item(),
        ]
        if jv:
            items.append(Item("ownership", (m.ownership or ZERO) / 100, f"ownership ({clause(m, 'ownership')})", ratio=True))
            items.append(
                Item("reserves_share", reserve_shares[i],
                     f"{pct(m.ownership or ZERO, Decimal(100))} of the entity's reserves {fmt_money(reserves)} "
                     + ("after the year's result" if final else "brought into the year"))
            )
        computed[m.partner] = partner_statement(m, inputs, due + risk, tuple(items))
    entity = zero_items(JV_ITEM_NAMES, "the entity: it holds no balance")
    statements = [  # in the agreement's order; the entity (joint venture) with zeros
        computed[m.partner] if m.partner in computed else partner_statement(m, inputs, ZERO, entity)
        for m in ag.parties
        if m.partner in computed or (jv and m.role is Role.HOST)
    ]
    statements.extend(former_member_statements(inputs, JV_ITEM_NAMES if jv else ITEM_NAMES))
    totals = Totals(
        budget=budget,
        spend=ytd.spend.total(),
        income=ytd.income.total(),
        forecast=forecast,
        carried_forward=split.carried_total,
        pool_cash=inputs.cash_before + ytd.contributions.total() - net,
        residual=ZERO if jv else split.residual,
        unfunded_deficit=unfunded,
    )
    if jv and unfunded:
        problems = problems + (
            warning(Source(ag.source.file, "Partners"),
                    f"the owners' caps leave {'an' if final else 'a projected'} unfunded deficit of "
                    f"{fmt_money(unfunded)} in the entity",
                    "the owners must agree how the entity funds it"),
        )
    return Statement(
        pool=ag.pool,
        name=ag.name,
        arrangement=ag.arrangement,
        period=period,
        final=final,
        totals=totals,
        partners=tuple(statements),
        problems=problems,
        closed=inputs.closed,
    )


def _budget_check(ag: Agreement, budget: Decimal) -> tuple[Problem, ...]:
    lines = sum((ln.budget for ln in ag.lines), ZERO)
    if ag.lines and lines != budget:
        return (
            warning(
                Source(ag.source.file, "Lines"),
                f"line budgets sum to {fmt_money(lines)} but the pool budget is {fmt_money(budget)} "
                "(contributions plus any amount carried in)",
                "make the Budget column add up to the pool budget",
            ),
        )
    return ()
