"""Settle one pool for one period: inputs -> the arrangement's rules -> statement."""

from __future__ import annotations

from ledger.figures import SettlementInputs
from ledger.records import Arrangement
from ledger.statement import Statement


class NotYetSupported(Exception):
    """An arrangement whose rules have not been built yet."""


def settle(inputs: SettlementInputs) -> Statement:
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
