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
    from ledger.records import Arrangement

    other = example_a_agreement(Arrangement="aligned")
    other["Partners"][0]["Role"] = "contributor"
    for line in other["Lines"]:
        line["Owner"] = "SBC"
    aligned = workbook("a2.xlsx", "agreement", other, Arrangement.ALIGNED)
    [alone] = import_files(engine, [aligned], dry_run=True)
    assert alone.status == "checked"  # a valid aligned agreement on its own
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    [r] = import_files(engine, [aligned])
    assert r.refused and any("is a lead body pool; this file says aligned" in p.message for p in r.problems)


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
                    "forecast": "28100000.00", "variance": "100000.00", "variance_ratio": "0.0036",
                    "status": "amber", "closed": False}


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


def test_a_dry_run_of_several_files_checks_them_as_one_import_would(engine, workbook):
    agreement = workbook("a.xlsx", "agreement", example_a_agreement())
    r1 = workbook("r1.xlsx", "return", spend_return("100.00"))
    r2 = workbook("r2.xlsx", "return", spend_return("200.00", ref="INV-2"))
    before = table_counts(engine)
    results = import_files(engine, [r1, agreement], dry_run=True)
    assert [r.status for r in results] == ["checked", "checked"], [str(p) for r in results for p in r.problems]
    [second] = [r for r in import_files(engine, [agreement, r1, r2], dry_run=True) if r.path == r2]
    assert second.refused and any("already sent a return" in p.message for p in second.problems)
    assert table_counts(engine) == before


def test_a_damaged_sheet_refuses_that_file_only(engine, workbook, tmp_path):
    import zipfile

    agreement = workbook("a.xlsx", "agreement", example_a_agreement())
    good = workbook("r1.xlsx", "return", spend_return("100.00"))
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet2.xml" else data)
    r = run_cli("import", agreement, str(damaged), db=str(engine.url))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{damaged}:Spend: error: the sheet cannot be read" in r.stderr
    assert "a.xlsx: imported agreement" in r.stdout


def test_a_schedule_gives_one_instalment_per_quarter(engine, workbook):
    data = example_a_agreement()
    data["Schedule"] = [{"Partner": "PCT", "Quarter": "Q1", "Amount": Decimal("11200000")}]
    [r] = import_files(engine, [workbook("a.xlsx", "agreement", data)])
    assert r.refused and any("no instalment for Q2, Q3, Q4" in p.message for p in r.problems)


def test_spend_paid_by_a_contributor_in_a_pooled_fund_is_a_warning(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    ret = a_return("SWN-CYP", "2025-26-Q1", "SBC", Spend=[
        {"Date": Q1, "Line": "CYP-SOC", "Amount": Decimal("5"), "Paid by": "PCT"}])
    [r] = import_files(engine, [workbook("r.xlsx", "return", ret)])
    assert r.status == "imported"
    assert any(str(p).startswith(f"{r.path}:Spend!F2: warning: in a pooled fund") for p in r.problems)


def test_statements_use_the_first_recorded_name_of_a_partner(engine, workbook):
    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())])
    later = example_a_agreement(**{"Financial year": "2026-27"})
    later["Partners"][1]["Name"] = "NHS Swindon"
    import_files(engine, [workbook("b.xlsx", "agreement", later)])
    st = settle_pool(engine, "SWN-CYP", parse_period("2026-27-Q1"))
    assert st.partner("PCT").name == "Swindon Primary Care Trust"


def test_the_carried_in_amount_counts_in_the_budget_warning(engine, workbook):
    y1 = example_a_agreement(Underspend="carry forward")
    import_files(engine, [workbook("a.xlsx", "agreement", y1)])
    import_files(engine, [workbook("q4.xlsx", "return", a_return("SWN-CYP", "2025-26-Q4", "SBC", Spend=[
        {"Date": date(2026, 1, 5), "Line": "CYP-SOC", "Amount": Decimal("27000000")}]))])
    y2 = example_a_agreement(**{"Financial year": "2026-27"})
    y2["Lines"][0]["Budget"] = Decimal("17800000")  # 28m of contributions + 1m carried in
    [r] = import_files(engine, [workbook("b.xlsx", "agreement", y2)])
    assert r.status == "imported"
    assert not any("line budgets sum" in p.message for p in r.problems)
    y2["Lines"][0]["Budget"] = Decimal("16800000")
    y2["Pool"]["Name"] = "Varied"
    [r] = import_files(engine, [workbook("c.xlsx", "agreement", y2)])
    assert any("plus 1,000,000.00 carried in" in p.message for p in r.problems if not p.is_error)
