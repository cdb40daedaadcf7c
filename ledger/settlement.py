"""Settle one pool for one period: inputs -> the arrangement's rules -> statement."""

from __future__ import annotations

from ledger.figures import SettlementInputs
from ledger.records import Arrangement
from ledger.statement import Statement


class NotYetSupported(Exception):
    """An arrangement whose rules have not been built yet."""


def settle(inputs: SettlementInputs) -> Statement:
    arrangement = inputs.agreement.arrangement
    if arrangement is Arrangement.LEAD_BODY:
        from contracts import lead_body

        return lead_body.settle(inputs)
    raise NotYetSupported(f"settlement of {arrangement.label} pools is not built yet")
