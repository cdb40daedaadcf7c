"""The quarterly partner settlement report: read back, it says what settle --json says."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import a_return, run_cli, settle_json
from tests.test_alliance import AL, example_b, year_end as alliance_year_end
from tests.test_example_a import import_year
from tests.test_savings import saving, warm_homes, year_end as savings_year_end


@pytest.fixture
def ledger(workbook, db):
    """Worked examples A (capped), B (alliance underrun) and C (savings) in one ledger, at 2025-26-Q4."""
    import_year(workbook, db, cap=Decimal("150000"))
    files = [workbook("b.xlsx", "agreement", example_b(), AL),
             workbook("b4.xlsx", "return", alliance_year_end("2820000"), AL),
             workbook("c.xlsx", "agreement", warm_homes()), workbook("c4.xlsx", "return", savings_year_end(saving()))]
    assert run_cli("import", *files, db=db).returncode == 0
    return db


def report(db, tmp_path, *extra: str):
    out = tmp_path / "report.xlsx"
    r = run_cli("report", "--period", "2025-26-Q4", "--out", str(out), *extra, db=db)
    assert r.returncode == 0, r.stderr
    return out


def test_every_balance_in_the_report_is_the_settlement_balance(ledger, tmp_path):
    out = report(ledger, tmp_path)
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "Statement SBC", "Statement SMBC", "Pool SWN-CYP", "Pool STP-TPA", "Wrong pocket",
            "Journal"} <= set(wb.sheetnames)
    summary = wb["Summary"]
    header = next(r for r in range(1, 10) if summary.cell(r, 1).value == "Pool")
    rows = {}
    for r in range(header + 1, summary.max_row + 1):
        if summary.cell(r, 1).value in (None, "Total per partner"):
            break
        rows[(summary.cell(r, 1).value, summary.cell(r, 4).value)] = summary.cell(r, 6)
    for pool in ("SWN-CYP", "STP-TPA", "WHO"):
        for p in settle_json(ledger, pool, "2025-26-Q4")["partners"]:
            cell = rows[(pool, p["partner"])]
            assert Decimal(repr(cell.value)).quantize(Decimal("0.01")) == Decimal(p["balance"]), (pool, p["partner"])
            assert cell.number_format == "£#,##0.00;[Red]-£#,##0.00"
    statement = wb["Statement PCT"]
    balance = next(r for r in range(1, statement.max_row + 1) if statement.cell(r, 1).value == "balance")
    assert statement.cell(balance, 2).value == 150000
    assert summary.freeze_panes is not None and summary.page_setup.orientation == "landscape"
    assert wb.properties.creator == "pool-ledger" and "2025-26-Q4" in wb.properties.title
    pool = wb["Pool STP-TPA"]
    assert len(pool._charts) == 2  # budget vs spend vs forecast, and the gain/pain curve
    cells = [c.value for row in wb["Wrong pocket"].iter_rows() for c in row]
    assert "OCCG" in cells and 20250 in cells


def test_a_partners_pack_holds_only_what_it_is_party_to(ledger, tmp_path):
    wb = openpyxl.load_workbook(report(ledger, tmp_path, "--partner", "pct"))
    assert [n for n in wb.sheetnames if n.startswith("Statement")] == ["Statement PCT"]
    assert [n for n in wb.sheetnames if n.startswith("Pool")] == ["Pool SWN-CYP"]


def test_text_from_returns_is_never_a_formula(workbook, db, tmp_path):
    import_year(workbook, db)
    nasty = ["=HYPERLINK(\"http://x\")", "+44 1793", "-5 credit", "@SUM(A1)"]
    ret = a_return("SWN-CYP", "2025-26-Q4", "PCT", Spend=[
        {"Date": date(2026, 1, 10), "Line": "CYP-SOC", "Amount": Decimal("1"), "Reference": ref} for ref in nasty])
    assert run_cli("import", workbook("nasty.xlsx", "return", ret), db=db).returncode == 0
    wb = openpyxl.load_workbook(report(db, tmp_path))
    journal = wb["Journal"]
    found = [c for row in journal.iter_rows() for c in row if c.value in nasty]
    assert {c.value for c in found} == set(nasty)
    assert all(c.data_type == "s" for c in found)


def test_report_refuses_a_year_with_no_agreement(db, workbook, tmp_path):
    import_year(workbook, db)
    r = run_cli("report", "--period", "2030-31-Q1", "--out", str(tmp_path / "r.xlsx"), db=db)
    assert r.returncode == 1 and "no pool has an agreement for 2030-31" in r.stderr


def test_the_report_opens_in_libreoffice(ledger, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (.ci/run) so the report is opened for real")
        pytest.skip("LibreOffice is not installed")
    out = report(ledger, tmp_path)
    profile = tmp_path / "lo-profile"
    r = subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(out)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert r.returncode == 0 and pdf.exists() and pdf.stat().st_size > 10_000, r.stdout + r.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_corrections_show_as_adjustments_to_the_closed_quarter(workbook, db, tmp_path):
    import_year(workbook, db)
    for q in (1, 2, 3):
        assert run_cli("close", "SWN-CYP", "--period", f"2025-26-Q{q}", db=db).returncode == 0
    fix = a_return("SWN-CYP", "2025-26-Q4", "PCT", Spend=[{"Date": date(2026, 1, 20), "Line": "CYP-HLTH",
                                                           "Amount": Decimal("-1250"), "Reference": "CN-7",
                                                           "Corrects period": "2025-26-Q2"}])
    assert run_cli("import", workbook("fix.xlsx", "return", fix), db=db).returncode == 0
    pool = openpyxl.load_workbook(report(db, tmp_path))["Pool SWN-CYP"]
    values = [c.value for row in pool.iter_rows() for c in row]
    assert "Adjustments to closed quarters" in values and "2025-26-Q2" in values and "CN-7" in values


def test_settle_can_write_one_pools_statement(ledger, tmp_path):
    out = tmp_path / "swn.xlsx"
    r = run_cli("settle", "SWN-CYP", "--period", "2025-26-Q4", "--out", str(out), "--json", db=ledger)
    assert r.returncode == 0 and '"pool": "SWN-CYP"' in r.stdout
    wb = openpyxl.load_workbook(out)
    assert [n for n in wb.sheetnames if n.startswith("Pool")] == ["Pool SWN-CYP"]
