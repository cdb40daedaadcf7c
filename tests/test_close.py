"""Closing quarters in order, locking them, recording their statements, and partners' sign-off (SPEC 3)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import text

from tests.conftest import a_return, example_a_agreement, run_cli, settle_json, table_counts
from tests.test_example_a import quarterly_return


def loaded(workbook, db, quarters=(1, 2)) -> None:
    files = [workbook("a.xlsx", "agreement", example_a_agreement())]
    files += [workbook(f"q{q}.xlsx", "return", quarterly_return(q)) for q in quarters]
    assert run_cli("import", *files, db=db).returncode == 0


def test_quarters_close_in_order_and_only_once(workbook, db):
    loaded(workbook, db)
    r = run_cli("close", "SWN-CYP", "--period", "2025-26-Q2", db=db)
    assert r.returncode == 1 and "2025-26-Q1 must be closed before 2025-26-Q2" in r.stderr
    r = run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db)
    assert r.returncode == 0, r.stderr
    again = run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db)
    assert again.returncode == 1 and "was closed on" in again.stderr
    assert run_cli("close", "SWN-CYP", "--period", "2025-26-Q2", db=db).returncode == 0


def test_a_return_for_a_closed_quarter_is_refused_whole_and_writes_nothing(workbook, db, engine):
    loaded(workbook, db, quarters=(1,))
    assert run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db).returncode == 0
    late = workbook("late.xlsx", "return", a_return("SWN-CYP", "2025-26-Q1", "PCT", Spend=[
        {"Date": date(2025, 6, 1), "Line": "CYP-SOC", "Amount": Decimal("10")}]))
    before = table_counts(engine)
    r = run_cli("import", late, db=db)
    assert r.returncode == 1
    assert "late.xlsx:Return!B3: error: SWN-CYP 2025-26-Q1 was closed on" in r.stderr
    assert table_counts(engine) == before


def test_corrections_go_in_the_next_open_quarter_and_name_a_closed_one(workbook, db):
    loaded(workbook, db, quarters=(1,))
    correction = a_return("SWN-CYP", "2025-26-Q2", "SBC", Spend=[
        {"Date": date(2025, 7, 2), "Line": "CYP-SOC", "Amount": Decimal("-500"), "Corrects period": "2025-26-Q1"}])
    r = run_cli("import", workbook("c.xlsx", "return", correction), db=db)
    assert r.returncode == 1 and "Corrects period 2025-26-Q1 is not a closed quarter" in r.stderr
    assert run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db).returncode == 0
    assert run_cli("import", workbook("c2.xlsx", "return", correction), db=db).returncode == 0
    assert settle_json(db, "SWN-CYP", "2025-26-Q2")["totals"]["spend"] == str(
        Decimal("4190000") + Decimal("2810000") - Decimal("500") + Decimal("0.00"))


def test_a_closed_statement_is_shown_as_recorded_and_check_recomputes_its_hash(workbook, db, engine):
    loaded(workbook, db, quarters=(1,))
    live = settle_json(db, "SWN-CYP", "2025-26-Q1")
    assert run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db).returncode == 0
    recorded = settle_json(db, "SWN-CYP", "2025-26-Q1")
    assert recorded["closed"] is True and recorded["partners"] == live["partners"]
    # a variation after the close changes the open quarters only
    varied = example_a_agreement()
    varied["Partners"][1]["Contribution"] = Decimal("11600000")
    varied["Lines"][1]["Budget"] = Decimal("11600000")
    assert run_cli("import", run_workbook := workbook("v.xlsx", "agreement", varied), db=db).returncode == 0, run_workbook
    assert settle_json(db, "SWN-CYP", "2025-26-Q1")["partners"] == live["partners"]
    r = run_cli("check", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "closed statements: 1, every one recomputes to its hash" in r.stdout
    with engine.begin() as conn:  # tamper with a closed quarter's books
        conn.execute(text("UPDATE txn SET amount = amount + 1 WHERE kind = 'spend' AND quarter = 1"))
    r = run_cli("check", db=db)
    assert r.returncode == 1 and "no longer recomputes to its recorded hash" in r.stderr


def test_the_journal_holds_each_closed_balance(workbook, db, engine):
    loaded(workbook, db, quarters=(1, 2))
    unpaid = a_return("SWN-CYP", "2025-26-Q3", "SBC", Spend=[
        {"Date": date(2025, 11, 1), "Line": "CYP-SOC", "Amount": Decimal("1")}])
    assert run_cli("import", workbook("q3.xlsx", "return", unpaid), db=db).returncode == 0
    for q in (1, 2, 3):
        assert run_cli("close", "SWN-CYP", "--period", f"2025-26-Q{q}", db=db).returncode == 0
    doc = settle_json(db, "SWN-CYP", "2025-26-Q3")
    assert {p["partner"]: p["balance"] for p in doc["partners"]} == {"SBC": "4200000.00", "PCT": "2800000.00"}
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT account, SUM(amount) FROM posting WHERE account LIKE 'partner:%' GROUP BY account")).all())
    assert rows == {"partner:SBC:SWN-CYP": 420000000, "partner:PCT:SWN-CYP": 280000000}
    r = run_cli("check", db=db)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sign_off_needs_a_closed_quarter_and_a_partner_of_it(workbook, db):
    loaded(workbook, db, quarters=(1,))
    r = run_cli("signoff", "SWN-CYP", "--period", "2025-26-Q1", "--partner", "PCT", db=db)
    assert r.returncode == 1 and "is not closed" in r.stderr
    assert run_cli("close", "SWN-CYP", "--period", "2025-26-Q1", db=db).returncode == 0
    r = run_cli("--as", "A. Director", "signoff", "SWN-CYP", "--period", "2025-26-Q1", "--partner", "pct", db=db)
    assert r.returncode == 0 and "PCT signed off SWN-CYP 2025-26-Q1 (A. Director" in r.stdout
    again = run_cli("signoff", "SWN-CYP", "--period", "2025-26-Q1", "--partner", "PCT", db=db)
    assert again.returncode == 1 and "signed off SWN-CYP 2025-26-Q1 on" in again.stderr
    nobody = run_cli("signoff", "SWN-CYP", "--period", "2025-26-Q1", "--partner", "DWP", db=db)
    assert nobody.returncode == 1 and "not a partner" in nobody.stderr
    doc = settle_json(db, "SWN-CYP", "2025-26-Q1")
    assert [(s["partner"], s["name"]) for s in doc["signoffs"]] == [("PCT", "A. Director")]
    table = run_cli("settle", "SWN-CYP", "--period", "2025-26-Q1", db=db)
    assert "Signed off by PCT: A. Director" in table.stdout and "closed: the statement recorded at close" in table.stdout
    pools = json.loads(run_cli("pools", "--json", db=db).stdout)
    assert pools[0]["closed"] is True
