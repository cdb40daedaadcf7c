"""Balances and underspends brought forward across financial years (SPEC 5 and 5.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.conftest import a_return, example_a_agreement, run_cli, settle_json


def year(workbook, start: int, underspend: str, spend: str, paid: bool = True) -> list[str]:
    fy = f"{start}-{(start + 1) % 100:02d}"
    files = [workbook(f"agreement-{fy}.xlsx", "agreement", example_a_agreement(**{"Financial year": fy, "Underspend": underspend}))]
    q4 = date(start + 1, 2, 1)
    files.append(workbook(f"q4-{fy}.xlsx", "return", a_return(
        "SWN-CYP", f"{fy}-Q4", "SBC",
        Contributions=[{"Date": q4, "Partner": "SBC", "Amount": Decimal("16800000"), "Reference": "SBC"},
                       {"Date": q4, "Partner": "PCT", "Amount": Decimal("11200000"), "Reference": "PCT"}] if paid else [],
        Spend=[{"Date": q4, "Line": "CYP-SOC", "Amount": Decimal(spend), "Reference": "S"}],
    )))
    return files


def test_an_underspend_carried_forward_opens_next_years_pool(workbook, db):
    files = year(workbook, 2025, "carry forward", "27000000") + year(workbook, 2026, "return", "0")
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    y1 = settle_json(db, "SWN-CYP", "2025-26-Q4")
    assert y1["totals"]["carried_forward"] == "1000000.00"
    assert {p["partner"]: p["items"]["carried_forward"] for p in y1["partners"]} == {"SBC": "600000.00", "PCT": "400000.00"}
    assert all(p["balance"] == "0.00" for p in y1["partners"])
    assert y1["totals"]["pool_cash"] == "1000000.00"
    y2 = settle_json(db, "SWN-CYP", "2026-27-Q1")
    assert y2["totals"]["budget"] == "29000000.00"  # 28m of contributions + 1m carried in


def test_unpaid_balances_are_brought_forward_into_the_next_year(workbook, db):
    files = year(workbook, 2025, "return", "28450000", paid=False) + year(workbook, 2026, "return", "0", paid=False)
    assert run_cli("import", *files, db=db).returncode == 0
    y1 = settle_json(db, "SWN-CYP", "2025-26-Q4")
    bf = {p["partner"]: p["balance"] for p in y1["partners"]}
    assert bf == {"SBC": "17070000.00", "PCT": "11380000.00"}
    y2 = settle_json(db, "SWN-CYP", "2026-27-Q1")
    assert {p["partner"]: p["brought_forward"] for p in y2["partners"]} == bf
    sbc = next(p for p in y2["partners"] if p["partner"] == "SBC")
    assert sbc["balance"] == str(Decimal("17070000.00") + Decimal("4200000.00"))


def test_check_holds_across_years(workbook, db):
    files = year(workbook, 2025, "carry forward", "27000000") + year(workbook, 2026, "return", "29500000")
    assert run_cli("import", *files, db=db).returncode == 0
    r = run_cli("check", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "conservation: holds for 1 pool" in r.stdout
