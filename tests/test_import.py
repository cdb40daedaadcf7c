"""Importing: one transaction per file, no-ops, replacement, dry runs, variations (FORMATS 2 and 3)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from ledger.periods import parse_period
from ledger.services.importing import import_files
from ledger.services.settling import settle_pool
from ledger.store import models as M
from tests.conftest import a_return, example_a_agreement, run_cli, table_counts

Q1 = date(2025, 5, 1)


def spend_return(amount: str, ref: str = "INV-1", by: str = "SBC", forecast: dict | None = None) -> dict:
    sheets = {"Spend": [{"Date": Q1, "Line": "CYP-SOC", "Amount": Decimal(amount), "Reference": ref}]}
    if forecast:
        sheets["Forecast"] = [{"Line": k, "Forecast outturn": Decimal(v)} for k, v in forecast.items()]
    return a_return("SWN-CYP", "2025-26-Q1", by, **sheets)


def net_spend(engine) -> str:
    return str(settle_pool(engine, "SWN-CYP", parse_period("2025-26-Q1")).totals.net_spend)


def test_a_dry_run_checks_everything_and_writes_nothing(engine, workbook):
    agreement = workbook("a.xlsx", "agreement", example_a_agreement())
    before = table_counts(engine)
    [r] = import_files(engine, [agreement], dry_run=True)
    assert r.status == "checked" and r.batch_id is None
    assert table_counts(engine) == before
    r = run_cli("import", "--dry-run", agreement, db=str(engine.url))
    assert r.returncode == 0 and "dry run: nothing written" in r.stdout


def test_replace_reverses_the_earlier_return_and_posts_the_new_one(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00"))])
    assert net_spend(engine) == "100.00"
    second = workbook("r2.xlsx", "return", spend_return("250.00"))
    [refused] = import_files(engine, [second])
    assert refused.refused
    assert any("already sent a return" in p.message and "--replace" in (p.hint or "") for p in refused.problems)
    [r] = import_files(engine, [second], replace=True)
    assert r.status == "imported" and "replaces batch 2 (1 rows reversed)" in r.message
    assert net_spend(engine) == "250.00"
    with engine.connect() as conn:
        amounts = [row.amount for row in conn.execute(select(M.TxnRec.__table__).order_by("batch_id", "seq"))]
    assert amounts == [10000, 25000, -10000]  # nothing updated in place: the old row stands, reversed


def test_replacing_a_replacement_reverses_only_its_own_rows(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00", forecast={"CYP-SOC": "1000"}))])
    import_files(engine, [workbook("r2.xlsx", "return", spend_return("250.00", forecast={"CYP-SOC": "2000"}))], replace=True)
    [r] = import_files(engine, [workbook("r3.xlsx", "return", spend_return("400.00", forecast={"CYP-SOC": "3000"}))], replace=True)
    assert r.status == "imported", [str(p) for p in r.problems]
    st = settle_pool(engine, "SWN-CYP", parse_period("2025-26-Q1"))
    assert st.totals.net_spend == Decimal("400.00")
    assert st.totals.forecast == Decimal("3000.00") + Decimal("11200000")


def test_replace_with_nothing_to_replace_imports_with_a_warning(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    [r] = import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00"))], replace=True)
    assert r.status == "imported"
    assert any(not p.is_error and "no earlier return" in p.message for p in r.problems)


def test_a_row_like_one_in_another_return_is_a_possible_duplicate(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00"))])
    [r] = import_files(engine, [workbook("r2.xlsx", "return", spend_return("100.00", by="PCT"))])
    assert r.status == "imported"
    [w] = [p for p in r.problems if "possible duplicate" in p.message]
    assert str(w.source).endswith("r2.xlsx:Spend!A2") and "r1.xlsx:Spend!2" in w.message


def test_several_files_refuse_only_the_bad_one_and_exit_1(engine, workbook, tmp_path):
    agreement = workbook("a.xlsx", "agreement", example_a_agreement())
    good = workbook("good.xlsx", "return", spend_return("100.00"))
    bad = workbook("bad.xlsx", "return", a_return("SWN-CYP", "2025-26-Q2", "SBC", Spend=[
        {"Date": date(2025, 7, 1), "Line": "NO-LINE", "Amount": Decimal("1")}]))
    r = run_cli("import", bad, good, agreement, db=str(engine.url))
    assert r.returncode == 1
    assert "bad.xlsx:Spend!B2: error: line NO-LINE is not a line of pool SWN-CYP" in r.stderr
    assert "good.xlsx: imported return" in r.stdout and "a.xlsx: imported agreement" in r.stdout


def test_a_workbook_that_is_neither_agreement_nor_return_is_refused(engine, tmp_path):
    import openpyxl

    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.save(path)
    [r] = import_files(engine, [str(path)])
    assert r.refused and "neither a Pool sheet" in r.problems[0].message
    not_excel = tmp_path / "notes.xlsx"
    not_excel.write_text("hello")
    [r] = import_files(engine, [str(not_excel)])
    assert r.refused and str(r.problems[0]).startswith(f"{not_excel}: error: not an Excel workbook")


def test_a_variation_replaces_the_years_terms(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    varied = example_a_agreement()
    varied["Partners"][1]["Cap"] = Decimal("1000")
    [r] = import_files(engine, [workbook("a2.xlsx", "agreement", varied)])
    assert r.status == "imported" and "variation of the 2025-26 terms" in r.message
    from ledger.store.db import read_connection
    from ledger.store.reads import load_agreement

    with read_connection(engine) as conn:
        ag = load_agreement(conn, "SWN-CYP", parse_period("2025-26-Q1").year)
    assert ag.member("PCT").cap == Decimal("1000")


def test_a_variation_may_not_remove_a_line_or_partner_with_rows(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00"))])
    varied = example_a_agreement()
    varied["Lines"] = [{"Line": "CYP-HLTH", "Name": "Health", "Budget": Decimal("28000000")}]
    before = table_counts(engine)
    [r] = import_files(engine, [workbook("a2.xlsx", "agreement", varied)])
    assert r.refused and any("removes line CYP-SOC" in p.message for p in r.problems)
    assert table_counts(engine) == before


def test_a_pool_keeps_its_arrangement(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    other = example_a_agreement(Arrangement="aligned")
    other["Lines"][0]["Owner"] = "SBC"
    [r] = import_files(engine, [workbook("a2.xlsx", "agreement", other)])
    assert r.refused


def test_a_partner_recorded_differently_elsewhere_is_a_warning_and_the_first_stands(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    other = example_a_agreement(Code="SWN-2", Name="Second pool")
    other["Partners"][1]["Name"] = "NHS Swindon"
    [r] = import_files(engine, [workbook("b.xlsx", "agreement", other)])
    assert r.status == "imported"
    assert any("recorded as 'Swindon Primary Care Trust'" in p.message for p in r.problems if not p.is_error)


def test_provenance_is_recorded_for_every_row(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    path = workbook("r1.xlsx", "return", spend_return("100.00"))
    import_files(engine, [path], operator="Jo Bloggs")
    with engine.connect() as conn:
        batch = conn.execute(select(M.Batch.__table__).where(M.Batch.__table__.c.id == 2)).one()
        txn = conn.execute(select(M.TxnRec.__table__)).one()
    assert batch.file_name == path and len(batch.sha256) == 64 and batch.operator == "Jo Bloggs"
    assert batch.imported_at.endswith("+00:00")
    assert (txn.sheet, txn.row, txn.cell) == ("Spend", 2, "A2")


def test_check_finds_a_transaction_that_does_not_balance(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00"))])
    assert run_cli("check", db=str(engine.url)).returncode == 0
    with engine.begin() as conn:
        conn.execute(insert(M.PostingRec.__table__).values(batch_id=2, seq=0, leg=9, account="pool:SWN-CYP:cash", amount=1))
    r = run_cli("check", db=str(engine.url))
    assert r.returncode == 1
    assert "does not balance" in r.stderr and "pool cash in the journal" in r.stderr


def test_pools_lists_each_pool_with_its_figures(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    import_files(engine, [workbook("r1.xlsx", "return", spend_return("100.00", forecast={"CYP-SOC": "16900000"}))])
    r = run_cli("pools", "--json", db=str(engine.url))
    assert r.returncode == 0
    [pool] = json.loads(r.stdout)
    assert list(pool)[0] == "code"
    assert pool == {"code": "SWN-CYP", "name": "Swindon children's services", "arrangement": "lead_body",
                    "year": "2025-26", "period": "2025-26-Q1", "budget": "28000000.00", "spend": "100.00",
                    "forecast": "28100000.00", "variance": "100000.00", "closed": False}


def test_a_beneficiary_pays_nothing_into_the_pool(engine, workbook):
    """A beneficiary (e.g. DWP) only receives savings: a contribution from it would vanish from every statement."""
    data = example_a_agreement()
    data["Partners"].append({"Partner": "DWP", "Name": "Department for Work and Pensions",
                             "Kind": "central_government", "Role": "beneficiary"})
    import_files(engine, [workbook("a.xlsx", "agreement", data)])
    before = table_counts(engine)
    [r] = import_files(engine, [workbook("r.xlsx", "return", a_return("SWN-CYP", "2025-26-Q1", "SBC", Contributions=[
        {"Date": Q1, "Partner": "DWP", "Amount": Decimal("10")}]))])
    assert r.refused
    assert any(str(p).startswith(f"{r.path}:Contributions!B2: error: DWP is a beneficiary") for p in r.problems)
    assert table_counts(engine) == before
