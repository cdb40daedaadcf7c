"""A pool's red/amber/green status by its variance (docs/design.md, the desk)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.services.pools import PoolSummary


def summary(budget: str, forecast: str) -> PoolSummary:
    return PoolSummary("P", "Pool", "lead_body", "2025-26", "2025-26-Q2", Decimal(budget), Decimal(0),
                       Decimal(forecast), False)


@pytest.mark.parametrize(("budget", "forecast", "status", "ratio"), [
    ("1000000.00", "1020000.01", "red", Decimal("0.02000001")),  # more than 2% over
    ("1000000.00", "1020000.00", "amber", Decimal("0.02")),  # exactly 2% over
    ("1000000.00", "1000000.01", "amber", Decimal("0.00000001")),
    ("1000000.00", "1000000.00", "green", Decimal(0)),
    ("1000000.00", "400000.00", "green", Decimal("-0.6")),  # underspends are not flagged
    ("0.00", "10.00", "amber", None),  # spend against a nil budget
    ("0.00", "0.00", "green", None),
])
def test_status_by_variance(budget, forecast, status, ratio):
    p = summary(budget, forecast)
    assert p.status == status
    assert p.variance_ratio == ratio
    assert p.as_json()["status"] == status
