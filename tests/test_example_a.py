"""Worked example A (SPEC section 6), from workbooks through the CLI, to the penny."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import a_return, example_a_agreement, run_cli, settle_json

QUARTER_DAYS = {1: date(2025, 5, 15), 2: date(2025, 8, 15), 3: date(2025, 11, 14), 4: date(2026, 2, 13)}
SPEND = {1: ("4190000", "2810000"), 2: ("4250000", "2850000"), 3: ("4300000", "2850000"), 4: ("4300000", "2900000")}


def quarterly_return(q: int, paid: bool = True) -> dict:
    day = QUARTER_DAYS[q]
    soc, hlth = SPEND[q]
    contributions = (
        [
            {"Date": day, "Partner": "SBC", "Amount": Decimal("4200000"), "Reference": f"SBC-Q{q}"},
            {"Date": day, "Partner": "PCT", "Amount": Decimal("2800000"), "Reference": f"PCT-Q{q}"},
        ]
        if paid
        else []
    )
    return a_return(
        "SWN-CYP",
        f"2025-26-Q{q}",
        "SBC",
        Contributions=contributions,
        Spend=[
            {"Date": day, "Line": "CYP-SOC", "Amount": Decimal(soc), "Reference": f"SOC-Q{q}"},
            {"Date": day, "Line": "CYP-HLTH", "Amount": Decimal(hlth), "Reference": f"HLTH-Q{q}"},
        ],
    )


def import_year(workbook, db, cap=None, **pool) -> None:
    files = [workbook("agreement.xlsx", "agreement", example_a_agreement(cap, **pool))]
    files += [workbook(f"q{q}.xlsx", "return", quarterly_return(q)) for q in (1, 2, 3, 4)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_year_spend_is_the_worked_example(workbook, db):
    """Net spend for the year is 28,450,000.00 against B = 28,000,000.00: V = 450,000.00."""
    import_year(workbook, db)
    doc = settle_json(db, "SWN-CYP", "2025-26-Q4")
    assert doc["final"] is True
    assert doc["totals"]["budget"] == "28000000.00"
    assert doc["totals"]["net_spend"] == "28450000.00"
    assert doc["totals"]["variance"] == "450000.00"


def test_overspend_without_caps_splits_by_contribution(workbook, db):
    """SPEC 5.1: no caps, SBC 270,000.00 and PCT 180,000.00."""
    import_year(workbook, db)
    doc = settle_json(db, "SWN-CYP", "2025-26-Q4")
    shares = {p["partner"]: p["items"]["risk_share"] for p in doc["partners"]}
    assert shares == {"SBC": "270000.00", "PCT": "180000.00"}
    balances = {p["partner"]: p["balance"] for p in doc["partners"]}
    assert balances == {"SBC": "270000.00", "PCT": "180000.00"}


def test_pct_cap_puts_the_rest_on_the_host_and_matches_formats_json(workbook, db):
    """With a PCT cap of 150,000.00: PCT 150,000.00, SBC 300,000.00; balances as FORMATS section 5 prints them."""
    import_year(workbook, db, cap=Decimal("150000"))
    doc = settle_json(db, "SWN-CYP", "2025-26-Q4")
    assert doc["pool"] == "SWN-CYP" and doc["arrangement"] == "lead_body" and doc["period"] == "2025-26-Q4"
    assert doc["closed"] is False and doc["alliance"] is None
    assert doc["totals"] == {
        "budget": "28000000.00", "spend": "28450000.00", "income": "0.00", "net_spend": "28450000.00",
        "forecast": "28450000.00", "variance": "450000.00", "carried_forward": "0.00", "pool_cash": "-450000.00",
        "residual": "0.00", "unfunded_deficit": "0.00",
    }
    sbc, pct = doc["partners"]
    assert (sbc["partner"], sbc["role"], pct["partner"], pct["role"]) == ("SBC", "host", "PCT", "contributor")
    assert {k: sbc[k] for k in ("brought_forward", "obligation", "paid", "transfers_out", "transfers_in", "balance")} == {
        "brought_forward": "0.00", "obligation": "17100000.00", "paid": "16800000.00",
        "transfers_out": "0.00", "transfers_in": "0.00", "balance": "300000.00",
    }
    assert sbc["items"] == {
        "contribution": "16800000.00", "due": "16800000.00", "spend_share": "17070000.00",
        "forecast_variance_share": "300000.00", "risk_share": "300000.00", "carried_forward": "0.00",
        "savings_transfer": "0.00",
    }
    assert {k: pct[k] for k in ("brought_forward", "obligation", "paid", "transfers_out", "transfers_in", "balance")} == {
        "brought_forward": "0.00", "obligation": "11350000.00", "paid": "11200000.00",
        "transfers_out": "0.00", "transfers_in": "0.00", "balance": "150000.00",
    }
    assert pct["items"] == {
        "contribution": "11200000.00", "due": "11200000.00", "spend_share": "11380000.00",
        "forecast_variance_share": "150000.00", "risk_share": "150000.00", "carried_forward": "0.00",
        "savings_transfer": "0.00",
    }
    assert "capped at 150,000.00" in pct["explanations"]["risk_share"]
    assert "Partners!" in pct["explanations"]["risk_share"]


def test_before_q4_the_variance_is_a_projection_not_a_balance(workbook, db):
    """Before the year end the risk share is 0.00 and its projection is in forecast_variance_share."""
    import_year(workbook, db, cap=Decimal("150000"))
    doc = settle_json(db, "SWN-CYP", "2025-26-Q2")
    assert doc["final"] is False
    # no forecasts sent: lines are forecast at budget, so no projected variance
    assert doc["totals"]["forecast"] == "28000000.00"
    for p in doc["partners"]:
        assert p["items"]["risk_share"] == "0.00"
        assert p["balance"] == "0.00"  # due two instalments, paid two
    assert {p["partner"]: p["items"]["due"] for p in doc["partners"]} == {"SBC": "8400000.00", "PCT": "5600000.00"}


def test_instalments_put_odd_pennies_in_the_earliest_quarters(workbook, db):
    """SPEC 6A: a contribution of 1,000,000.01 is due 250,000.01, 250,000.00, 250,000.00, 250,000.00."""
    data = example_a_agreement()
    data["Partners"][1]["Contribution"] = Decimal("1000000.01")
    data["Lines"][1]["Budget"] = Decimal("1000000.01")
    files = [workbook("agreement.xlsx", "agreement", data)]
    files += [workbook(f"q{q}.xlsx", "return", a_return("SWN-CYP", f"2025-26-Q{q}", "SBC")) for q in (1, 2, 3, 4)]
    assert run_cli("import", *files, db=db).returncode == 0
    due = [
        Decimal(next(p for p in settle_json(db, "SWN-CYP", f"2025-26-Q{q}")["partners"] if p["partner"] == "PCT")["items"]["due"])
        for q in (1, 2, 3, 4)
    ]
    assert [due[0], due[1] - due[0], due[2] - due[1], due[3] - due[2]] == [
        Decimal("250000.01"), Decimal("250000.00"), Decimal("250000.00"), Decimal("250000.00"),
    ]


def test_settle_table_is_readable(workbook, db):
    import_year(workbook, db, cap=Decimal("150000"))
    r = run_cli("settle", "SWN-CYP", "--period", "2025/26 Q4", db=db)
    assert r.returncode == 0, r.stderr
    assert "Swindon children's services (SWN-CYP), lead body, 2025-26-Q4" in r.stdout
    assert "300,000.00" in r.stdout and "150,000.00" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["settle", "NOPE", "--period", "2025-26-Q4"], "there is no pool NOPE"),
        (["settle", "SWN-CYP", "--period", "2024-25-Q4"], "has no agreement for 2024-25"),
    ],
)
def test_settle_refuses_what_the_books_do_not_hold(workbook, db, args, message):
    import_year(workbook, db)
    r = run_cli(*args, db=db)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr


def test_a_bad_period_is_a_usage_error(db):
    r = run_cli("settle", "SWN-CYP", "--period", "2025-Q5", db=db)
    assert r.returncode == 2
    assert "2025-26-Q2" in r.stderr and "Traceback" not in r.stderr


def test_a_reader_that_stops_early_is_no_error(workbook, db):
    """`pool-ledger settle ... | head` must not end in an internal error when head stops reading."""
    import subprocess

    from tests.conftest import CLI

    import_year(workbook, db)
    proc = subprocess.Popen([*CLI, "--db", db, "settle", "SWN-CYP", "--period", "2025-26-Q4"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"internal error" not in err
