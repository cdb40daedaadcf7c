"""Settle one pool for one period: inputs -> the arrangement's rules -> statement."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ledger.figures import SettlementInputs
from ledger.money import ZERO
from ledger.problems import Source, warning
from ledger.records import Amounts, Arrangement, Underspend
from ledger.statement import Statement


class NotYetSupported(Exception):
    """An arrangement whose rules have not been built yet."""


def settle(inputs: SettlementInputs) -> Statement:
    st = _settle(inputs)
    if inputs.agreement.savings_share:
        st = replace(st, problems=st.problems + (warning(
            Source(inputs.agreement.source.file, "Pool"),
            f"Savings share % is {inputs.agreement.savings_share.normalize():f}, but this version does not yet "
            "share savings: savings_transfer stays 0.00",
            "share the savings outside the ledger until savings sharing is built"),))
    return st


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
