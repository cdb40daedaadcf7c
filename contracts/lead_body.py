"""Lead-body pooled fund (Section 75 pool hosted by one partner): SPEC section 5.1.

The steps, in order:
1. the pool budget ``B = sum of contributions + amount carried in``;
2. instalments due to date (four equal ones, or the agreement's schedule);
3. contributions paid; memorandum spend shares of net spend to date;
4. the variance, forecast before Q4 and actual at Q4, split into shares:
   an overspend by overspend shares under caps (the host bears the residual),
   an underspend by underspend shares, returned or carried forward;
5. ``obligation = due + risk_share + savings_transfer`` and
   ``balance = brought_forward + obligation - paid - transfers_out + transfers_in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.figures import SettlementInputs, line_outturns, pool_budget
from ledger.money import ZERO, allocate, allocate_capped, fmt_money
from ledger.problems import Problem, Source, warning
from ledger.records import Agreement, Member, Role, Underspend
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
    residual: Decimal  # overspend nobody's share could take (borne by the host)
    basis: str  # overspend share | underspend share | none

    @property
    def carried_total(self) -> Decimal:
        return sum(self.carried_forward, ZERO)


def _weights(parties: tuple[Member, ...], field: str) -> tuple[list[Decimal], str]:
    given = [getattr(m, field) for m in parties]
    if any(g is not None for g in given):
        return [g or ZERO for g in given], field.replace("_", " ")
    return [m.contribution or ZERO for m in parties], "contribution share"


def split_variance(
    variance: Decimal, parties: tuple[Member, ...], host: str | None, underspend: Underspend
) -> VarianceSplit:
    """Share an overspend (capped; residual to the host) or an underspend."""
    zeros = tuple(ZERO for _ in parties)
    if variance > 0:
        weights, basis = _weights(parties, "overspend_share")
        caps = [None if m.partner == host else m.cap for m in parties]
        parts, residual = allocate_capped(variance, weights, caps)
        if residual and host is not None:
            parts = tuple(p + residual if m.partner == host else p for m, p in zip(parties, parts))
        return VarianceSplit(variance, parts, zeros, residual, basis)
    if variance < 0:
        weights, basis = _weights(parties, "underspend_share")
        parts = allocate(variance, weights)
        if underspend is Underspend.CARRY_FORWARD:
            return VarianceSplit(variance, parts, tuple(-p for p in parts), ZERO, basis)
        return VarianceSplit(variance, parts, zeros, ZERO, basis)
    return VarianceSplit(variance, zeros, zeros, ZERO, "none")


def _pct(part: Decimal, whole: Decimal) -> str:
    if whole == 0:
        return "0%"
    return f"{(part / whole * 100).quantize(Decimal('0.01')).normalize():f}%"


def _clause(member: Member, field: str) -> str:
    for name, cell in member.cells:
        if name == field:
            return f"{member.source.sheet}!{cell}"
    return f"{member.source.sheet}!{member.source.cell}" if member.source.cell else str(member.source)


def _share_words(split: VarianceSplit, m: Member, share: Decimal, when: str, capped_any: bool) -> str:
    """Which rule and which figures produced a partner's variance share."""
    if split.variance == 0:
        return f"no {when} variance to share"
    field = "overspend_share" if split.variance > 0 else "underspend_share"
    clause = _clause(m, field if split.basis != "contribution share" else "contribution")
    head = f"{_pct(share, split.variance)} of {when} {_variance_words(split)}"
    if split.variance > 0 and m.cap is not None and share == m.cap and m.role is not Role.HOST:
        return f"{head}: its {split.basis} capped at {fmt_money(m.cap)} (clause: {_clause(m, 'cap')})"
    after = ", re-split after other partners' caps" if capped_any else ""
    return f"{head} ({split.basis}{after}, clause: {clause})"


def _variance_words(split: VarianceSplit) -> str:
    if split.variance > 0:
        return f"overspend {fmt_money(split.variance)}"
    if split.variance < 0:
        return f"underspend {fmt_money(-split.variance)}"
    return "no variance"


def settle(inputs: SettlementInputs) -> Statement:
    ag, ytd, period = inputs.agreement, inputs.ytd, inputs.period
    final = inputs.final
    parties = ag.with_role(Role.HOST, Role.CONTRIBUTOR)
    host = ag.host
    contributions = [m.contribution or ZERO for m in parties]
    budget = pool_budget(ag, inputs.carried_in)
    net = ytd.total_net_spend
    outturns, problems = line_outturns(inputs)
    problems = problems + _budget_check(ag, budget)
    forecast = net if final else sum((o.amount for o in outturns), ZERO)
    split = split_variance(forecast - budget, parties, host, ag.underspend)
    when = "actual" if final else "projected"
    spend_shares = allocate(net, contributions) if sum(contributions) else tuple(ZERO for _ in parties)

    statements: list[PartnerStatement] = []
    for i, m in enumerate(parties):
        inst = instalments(m, ag)
        due = sum(inst[: period.quarter], ZERO)
        share = split.shares[i]
        risk = share if final and not split.carried_forward[i] else ZERO
        if risk and m.partner == host and split.residual:
            risk_note = f" including the residual {fmt_money(split.residual)} no capped share could take"
        else:
            risk_note = ""
        share_words = _share_words(split, m, share, when, capped_any=any(
            p.cap is not None and p.partner != host and x == p.cap for p, x in zip(parties, split.shares)
        ) and split.variance > 0) + risk_note
        items = (
            Item("contribution", m.contribution or ZERO, f"annual contribution ({_clause(m, 'contribution')})"),
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
                f"memorandum: {_pct(m.contribution or ZERO, sum(contributions, ZERO))} of net spend to date "
                f"{fmt_money(net)} (contribution share)",
            ),
            Item("forecast_variance_share", share, share_words),
            Item(
                "risk_share",
                risk,
                share_words if final else "payable at Q4; the projection is in forecast_variance_share",
            ),
            Item(
                "carried_forward",
                split.carried_forward[i],
                f"{when} underspend left in the pool for next year ({split.basis})"
                if split.carried_forward[i]
                else "nothing carried forward",
            ),
            Item("savings_transfer", ZERO, "no savings share in this agreement"),
        )
        statements.append(partner_statement(m, inputs, due + risk, items))
    statements.extend(former_member_statements(inputs, ITEM_NAMES))
    totals = Totals(
        budget=budget,
        spend=ytd.spend.total(),
        income=ytd.income.total(),
        forecast=forecast,
        carried_forward=split.carried_total,
        pool_cash=inputs.cash_before + ytd.contributions.total() - net,
        residual=split.residual,
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


ITEM_NAMES = (
    "contribution",
    "due",
    "spend_share",
    "forecast_variance_share",
    "risk_share",
    "carried_forward",
    "savings_transfer",
)


def partner_statement(m: Member, inputs: SettlementInputs, obligation: Decimal, items: tuple[Item, ...]) -> PartnerStatement:
    """A member's line of the statement: what it owes this year, with what it paid and moved."""
    ytd = inputs.ytd
    return PartnerStatement(
        partner=m.partner,
        name=m.name,
        role=m.role.value,
        brought_forward=inputs.brought_forward[m.partner],
        obligation=obligation,
        paid=ytd.contributions[m.partner],
        transfers_out=ytd.transfers_out[m.partner],
        transfers_in=ytd.transfers_in[m.partner],
        items=items,
    )


def former_member_statements(inputs: SettlementInputs, item_names: tuple[str, ...]) -> list[PartnerStatement]:
    """Former members still owing or owed: listed with their balance brought forward."""
    note = "former member: balance brought forward only"
    return [
        partner_statement(m, inputs, ZERO, tuple(Item(n, ZERO, note) for n in item_names))
        for m in inputs.former_members
    ]


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
