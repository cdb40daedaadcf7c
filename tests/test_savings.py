"""Savings attribution (SPEC 5.6): worked example C through the CLI, the rules, located errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.savings import Benefit, figures, matrix, share_back
from ledger.periods import FinancialYear
from ledger.problems import Source
from ledger.records import Agreement, Arrangement, Member, Role, Saving
from tests.conftest import a_return, run_cli, settle_json

Q4 = date(2026, 2, 20)


def warm_homes(**pool) -> dict:
    """Worked example C: Warm Homes Oldham, the council hosting, the CCG and housing contributing 50/30/20."""
    return {
        "Pool": {"Code": "WHO", "Name": "Warm Homes Oldham", "Arrangement": "lead body", "Financial year": "2025-26",
                 "Host": "OMBC", "Savings share %": D(100), **pool},
        "Partners": [
            {"Partner": "OMBC", "Name": "Oldham Council", "Kind": "council", "Role": "host", "Contribution": D("500000")},
            {"Partner": "OCCG", "Name": "NHS Oldham CCG", "Kind": "nhs_commissioner", "Role": "contributor",
             "Contribution": D("300000")},
            {"Partner": "FCH", "Name": "First Choice Homes Oldham", "Kind": "housing", "Role": "contributor",
             "Contribution": D("200000")},
            {"Partner": "DWP", "Name": "Department for Work and Pensions", "Kind": "central_government",
             "Role": "beneficiary"},
        ],
        "Lines": [{"Line": "WARM", "Name": "Home energy improvements", "Budget": D("1000000")}],
    }


def saving(**kw) -> dict:
    row = {"Line": "WARM", "Measure": "Avoided emergency admissions", "Quantity": 20, "Unit cost": D("2500"),
           "Beneficiary": "OCCG", "Deadweight %": D(10), "Attribution %": D(90), "Optimism bias %": D(0),
           "Cashable %": D(50), "Status": "realised", "Evidence": "SUS admissions, Q4"}
    row.update(kw)
    return row


def year_end(*rows: dict) -> dict:
    return a_return("WHO", "2025-26-Q4", "OMBC", Spend=[{"Date": Q4, "Line": "WARM", "Amount": D("1000000"), "Reference": "S"}],
                    Savings=list(rows))


def items(doc: dict, code: str) -> dict:
    return next(p for p in doc["partners"] if p["partner"] == code)["items"]


def test_worked_example_c_savings_share_and_wrong_pocket(workbook, db):
    files = [workbook("a.xlsx", "agreement", warm_homes()), workbook("q4.xlsx", "return", year_end(saving()))]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    doc = settle_json(db, "WHO", "2025-26-Q4")
    transfers = {c: items(doc, c)["savings_transfer"] for c in ("OMBC", "OCCG", "FCH")}
    assert transfers == {"OMBC": "-10125.00", "OCCG": "14175.00", "FCH": "-4050.00"}
    assert "DWP" not in {p["partner"] for p in doc["partners"]}
    r = run_cli("savings", "--period", "2025-26-Q4", "--json", db=db)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    ccg = next(row for row in report["rows"] if row["partner"] == "OCCG")
    assert (ccg["gross"], ccg["net"], ccg["cashable"], ccg["non_cashable"]) == ("50000.00", "40500.00", "20250.00", "20250.00")
    assert ccg["investment"] == "300000.00" and ccg["roi"] == "0.1350"
    column = {c["investor"]: c["net"] for c in report["matrix"] if c["beneficiary"] == "OCCG"}
    assert column == {"OMBC": "20250.00", "OCCG": "12150.00", "FCH": "8100.00"}
    table = run_cli("savings", "--period", "2025-26-Q4", db=db)
    assert "Wrong pocket" in table.stdout and "20,250.00" in table.stdout


def test_a_beneficiary_outside_the_pool_is_reported_but_does_not_share(workbook, db):
    files = [workbook("a.xlsx", "agreement", warm_homes()),
             workbook("q4.xlsx", "return", year_end(saving(Beneficiary="DWP", Measure="Benefit claims avoided")))]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "WHO", "2025-26-Q4")
    assert {items(doc, c)["savings_transfer"] for c in ("OMBC", "OCCG", "FCH")} == {"0.00"}
    report = json.loads(run_cli("savings", "--period", "2025-26-Q4", "--json", db=db).stdout)
    dwp = next(row for row in report["rows"] if row["partner"] == "DWP")
    assert dwp["net"] == "40500.00" and dwp["roi"] is None and dwp["investment"] == "0.00"
    assert {c["investor"]: c["net"] for c in report["matrix"] if c["beneficiary"] == "DWP"} == {
        "OMBC": "20250.00", "OCCG": "12150.00", "FCH": "8100.00"}


def test_forecast_savings_are_kept_apart_and_only_the_latest_counts(workbook, db):
    q2 = a_return("WHO", "2025-26-Q2", "OMBC", Savings=[saving(Status="forecast", Quantity=10)])
    q3 = a_return("WHO", "2025-26-Q3", "OMBC", Savings=[saving(Status="forecast", Quantity=30)])
    files = [workbook("a.xlsx", "agreement", warm_homes()), workbook("q2.xlsx", "return", q2),
             workbook("q3.xlsx", "return", q3)]
    assert run_cli("import", *files, db=db).returncode == 0
    report = json.loads(run_cli("savings", "--period", "2025-26-Q3", "--json", db=db).stdout)
    ccg = next(row for row in report["rows"] if row["partner"] == "OCCG")
    assert ccg["net"] == "0.00" and ccg["forecast_net"] == "60750.00"  # 30 x 2,500 x 0.9 x 0.9, not 10 + 30


def test_savings_rows_refused_where_they_are_wrong(workbook, db):
    bad = year_end(saving(Beneficiary="POLICE"), saving(**{"Deadweight %": D(120)}), saving(Quantity=-3, Evidence=""))
    files = [workbook("a.xlsx", "agreement", warm_homes()), workbook("q4.xlsx", "return", bad)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 1
    assert "q4.xlsx:Savings!E2: error: beneficiary POLICE is not declared in the pool's partners" in r.stderr
    assert "q4.xlsx:Savings!F3: error: Deadweight %: 120% is outside 0-100%" in r.stderr
    assert "q4.xlsx:Savings!C4: error: a negative quantity needs an explanation in Evidence" in r.stderr


SRC = Source("r.xlsx", "Savings", "A2", 2)
pct = st.integers(0, 100).map(D)


def a_saving(beneficiary: str, q: int, unit: int, dw: D, attr: D, ob: D, cash: D) -> Saving:
    return Saving(None, "m", D(q), D(unit) / 100, beneficiary, "realised", SRC, deadweight=dw, attribution=attr,
                  optimism_bias=ob, cashable=cash)


@settings(max_examples=300, deadline=None)
@given(st.integers(-1000, 1000), st.integers(0, 10_000_000), pct, pct, pct, pct)
def test_net_is_at_most_gross_and_cashable_plus_non_cashable_is_net(q, unit, dw, attr, ob, cash):
    f = figures(a_saving("X", q, unit, dw, attr, ob, cash))
    assert abs(f.net) <= abs(f.gross)
    assert f.cashable + f.non_cashable == f.net


def members(investments: list[int]) -> tuple[Member, ...]:
    return tuple(Member(f"M{i}", f"Member {i}", "council", Role.HOST if i == 0 else Role.CONTRIBUTOR, SRC,
                        contribution=D(v)) for i, v in enumerate(investments))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=5).filter(any),
       st.lists(st.integers(-10**8, 10**8), min_size=1, max_size=5), st.integers(0, 100))
def test_savings_transfers_sum_to_zero_and_the_matrix_sums_to_the_benefit(investments, landed_pence, p):
    ms = members(investments)
    ag = Agreement("P", "Pool", Arrangement.LEAD_BODY, FinancialYear(2025), Source("a.xlsx"), host="M0",
                   savings_share=D(p), members=ms)
    landed = {f"M{i}": Benefit(net=D(v) / 100, cashable=D(v) / 200 if v % 2 == 0 else D(v) / 100)
              for i, v in enumerate(landed_pence) if i < len(ms)}
    landed["DWP"] = Benefit(net=D("12.34"))
    invested = {m.partner: m.contribution for m in ms}
    shared = share_back(ag, landed, invested)
    if p:
        assert shared is not None and sum(shared.transfer(m.partner) for m in ms) == 0
    cells = matrix(ag, landed, invested)
    assert sum(cells.values(), D(0)) == sum((b.net for b in landed.values()), D(0))


def test_savings_shared_back_by_risk_shares(workbook, db):
    data = warm_homes(**{"Savings share basis": "risk"})
    for partner, share in zip(data["Partners"][:3], (D(40), D(40), D(20))):
        partner["Overspend share %"] = share
        partner["Underspend share %"] = share
    files = [workbook("a.xlsx", "agreement", data), workbook("q4.xlsx", "return", year_end(saving()))]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "WHO", "2025-26-Q4")
    assert {c: items(doc, c)["savings_transfer"] for c in ("OMBC", "OCCG", "FCH")} == {
        "OMBC": "-8100.00", "OCCG": "12150.00", "FCH": "-4050.00"}  # the pot of 20,250.00 split 40/40/20
    assert "overspend shares" in next(p for p in doc["partners"] if p["partner"] == "OCCG")["explanations"]["savings_transfer"]


def test_a_joint_ventures_entity_takes_no_part_in_the_savings_share(workbook, db):
    from tests.test_arrangements import JV, jv_agreement, jv_year_end

    data = jv_agreement(**{"Savings share %": D(100)})
    ret = jv_year_end("10000000", "0")
    ret["Savings"] = [saving(Beneficiary="AFC-LTD", Line="CSC"), saving(Beneficiary="RBK", Line="CSC")]
    files = [workbook("a.xlsx", "agreement", data, JV), workbook("q4.xlsx", "return", ret, JV)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "AFC", "2025-26-Q4")
    entity = next(p for p in doc["partners"] if p["partner"] == "AFC-LTD")
    assert entity["balance"] == "0.00" and entity["items"]["savings_transfer"] == "0.00"
    assert sum(D(p["items"]["savings_transfer"]) for p in doc["partners"]) == 0
