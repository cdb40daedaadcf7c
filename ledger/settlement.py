"""Settle one pool for one period: inputs -> the arrangement's rules -> statement."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ledger.figures import SettlementInputs
from ledger.money import ZERO, fmt_money
from ledger.records import Amounts, Arrangement, Underspend
from ledger.statement import Item, Statement


class NotYetSupported(Exception):
    """An arrangement whose rules have not been built yet."""


def settle(inputs: SettlementInputs) -> Statement:
    """The arrangement's rules, then the savings share (SPEC 5.6) at Q4."""
    st = _settle(inputs)
    if inputs.final and inputs.agreement.savings_share:
        st = _with_savings_share(inputs, st)
    return st


def _with_savings_share(inputs: SettlementInputs, st: Statement) -> Statement:
    from contracts import savings

    ag = inputs.agreement
    landed = savings.benefits(inputs.ytd.savings_realised, ())
    invested = savings.investments(ag, st)
    shared = savings.share_back(ag, landed, invested)
    if shared is None:
        return st
    p = f"{ag.savings_share.normalize():f}%"
    partners = []
    for ps in st.partners:
        t = shared.transfer(ps.partner)
        if ps.partner not in shared.pot:
            partners.append(ps)
            continue
        why = (f"puts {p} of its realised cashable savings, {fmt_money(shared.pot[ps.partner])}, into the pot of "
               f"{fmt_money(sum(shared.pot.values(), ZERO))} and receives {fmt_money(shared.received[ps.partner])} "
               f"by {shared.basis}")
        items = tuple(Item("savings_transfer", t, why) if it.name == "savings_transfer" else it for it in ps.items)
        partners.append(replace(ps, obligation=ps.obligation + t, items=items))
    return replace(st, partners=tuple(partners))


def _settle(inputs: SettlementInputs) -> Statement:
    arrangement = inputs.agreement.arrangement
    if arrangement in (Arrangement.LEAD_BODY, Arrangement.JOINT_VENTURE):
        from contracts import pooled_fund

        return pooled_fund.settle(inputs)
    if arrangement is Arrangement.ALIGNED:
        from contracts import aligned

        return aligned.settle(inputs)
    if arrangement is Arrangement.JOINT_COMMISSIONING:
        from contracts import joint_commissioning

        return joint_commissioning.settle(inputs)
    if arrangement is Arrangement.ALLIANCE:
        from contracts import alliance

        return alliance.settle(inputs)
    raise NotYetSupported(f"settlement of {arrangement.label} pools is not built yet")


def carry_over(year_end: Statement, inputs: SettlementInputs) -> tuple[Amounts, Decimal]:
    """What a year's Q4 statement hands the next year: balances brought forward, and the
    amount carried in (an underspend carried forward, less any deficit no partner funded,
    which the entity's cash still carries)."""
    bf = Amounts.of((p.partner, p.balance) for p in year_end.partners)
    carried = year_end.totals.carried_forward if inputs.agreement.underspend is Underspend.CARRY_FORWARD else ZERO
    return bf, carried - year_end.totals.unfunded_deficit
