"""`pool-ledger template`: a workbook a finance officer can fill in, and that imports once filled."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from ledger.services.importing import import_files
from tests.conftest import run_cli, table_counts


def test_lead_body_agreement_template_has_notes_dropdowns_and_an_example(tmp_path):
    out = tmp_path / "a.xlsx"
    r = run_cli("template", "agreement", "--arrangement", "lead_body", "--out", str(out))
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Pool", "Partners", "Lines", "Schedule", "Examples"]
    partners = wb["Partners"]
    headers = [c.value for c in partners[1]]
    assert headers == ["Partner", "Name", "Kind", "Role", "Contribution", "Overspend share %", "Underspend share %", "Cap"]
    assert all(c.comment is not None and c.comment.text for c in partners[1])
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in partners.data_validations.dataValidation}
    assert "host" in lists["D2"] and "contributor" in lists["D2"]  # Role
    assert "council" in lists["C2"]  # Kind
    pool = wb["Pool"]
    fields = [pool.cell(r, 1).value for r in range(2, pool.max_row + 1)]
    assert fields[:4] == ["Code", "Name", "Arrangement", "Financial year"]
    assert "Pain cap" not in fields  # alliance only
    examples = wb["Examples"]
    text = [[c.value for c in row] for row in examples.iter_rows()]
    assert ["Partner", "Name", "Kind", "Role", "Contribution", "Overspend share %", "Underspend share %", "Cap"] in text
    assert any(row[:4] == ["SBC", "Swindon Borough Council", "council", "host"] for row in text)


def test_return_template_for_alliance_has_kpis_and_provider(tmp_path):
    out = tmp_path / "r.xlsx"
    assert run_cli("template", "return", "--arrangement", "alliance", "--out", str(out)).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert "KPIs" in wb.sheetnames and "Contributions" not in wb.sheetnames
    assert "Provider" in [c.value for c in wb["Spend"][1]]


def test_a_filled_template_imports_and_the_examples_sheet_is_never_read(tmp_path, engine):
    """Fill the blank templates as a user would (typing under the headers) and import them."""
    a = tmp_path / "a.xlsx"
    assert run_cli("template", "agreement", "--arrangement", "lead body", "--out", str(a)).returncode == 0
    wb = openpyxl.load_workbook(a)
    pool = wb["Pool"]
    values = {"Code": "swn-cyp", "Name": "Swindon children's services", "Arrangement": "Lead Body",
              "Financial year": "2025/26", "Host": "SBC"}
    for r in range(2, pool.max_row + 1):
        if pool.cell(r, 1).value in values:
            pool.cell(r, 2).value = values[pool.cell(r, 1).value]
    wb["Partners"].append(["SBC", "Swindon Borough Council", "council", "host", 16800000])
    wb["Partners"].append(["PCT", "Swindon PCT", "nhs_commissioner", "contributor", "£11,200,000.00", None, None, 150000])
    wb["Lines"].append(["CYP", "Children's services", 28000000])
    wb.save(a)
    ret = tmp_path / "r.xlsx"
    assert run_cli("template", "return", "--arrangement", "lead_body", "--out", str(ret)).returncode == 0
    wb = openpyxl.load_workbook(ret)
    rs = wb["Return"]
    for r in range(2, rs.max_row + 1):
        rs.cell(r, 2).value = {"Pool": "SWN-CYP", "Period": "2025-26-Q1", "Submitted by": "sbc"}.get(rs.cell(r, 1).value)
    wb["Spend"].append([date(2025, 6, 30), "CYP", 1234.56, "INV-1"])
    wb["Contributions"].append(["30/04/2025", "PCT", "2,800,000", "BACS"])
    wb.save(ret)
    results = import_files(engine, [str(a), str(ret)])
    assert [r.status for r in results] == ["imported", "imported"], [str(p) for r in results for p in r.problems]
    counts = table_counts(engine)
    assert counts["txn"] == 2 and counts["member"] == 2 and counts["line"] == 1


@pytest.mark.parametrize("kind", ["agreement", "return"])
def test_a_blank_template_is_refused_with_located_errors_and_writes_nothing(tmp_path, engine, kind):
    out = tmp_path / f"{kind}.xlsx"
    assert run_cli("template", kind, "--arrangement", "lead_body", "--out", str(out)).returncode == 0
    before = table_counts(engine)
    [r] = import_files(engine, [str(out)])
    assert r.refused
    sheet = "Pool" if kind == "agreement" else "Return"
    assert any(str(p).startswith(f"{out}:{sheet}!B2: error: ") and "required" in p.message for p in r.problems)
    assert table_counts(engine) == before


def test_template_wants_an_xlsx_name(tmp_path):
    r = run_cli("template", "agreement", "--out", str(tmp_path / "a.csv"))
    assert r.returncode == 2 and "name it .xlsx" in r.stderr
