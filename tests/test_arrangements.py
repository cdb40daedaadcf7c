"""Worked examples of docs/worked-examples.md, from workbooks through the CLI, to the penny.

One per arrangement settled by SPEC 5.2 to 5.4: joint venture, aligned, joint commissioning.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from ledger.records import Arrangement
from tests.conftest import a_return, run_cli, settle_json

Q1, Q4 = date(2025, 6, 30), date(2026, 3, 31)


def balances(doc: dict) -> dict[str, str]:
    return {p["partner"]: p["balance"] for p in doc["partners"]}


def items(doc: dict, partner: str) -> dict[str, str]:
    return next(p for p in doc["partners"] if p["partner"] == partner)["items"]


# --- joint venture (SPEC 5.2) -----------------------------------------------------------------

JV = Arrangement.JOINT_VENTURE


def jv_agreement(**pool) -> dict:
    return {
        "Pool": {"Code": "AFC", "Name": "Achieving for Children", "Arrangement": "joint venture",
                 "Financial year": "2025-26", "Host": "AFC-LTD", **pool},
        "Partners": [
            {"Partner": "AFC-LTD", "Name": "Achieving for Children CIC", "Kind": "joint_venture", "Role": "host"},
            {"Partner": "RBK", "Name": "Royal Borough of Kingston", "Kind": "council", "Role": "owner",
             "Contribution": D("6000000"), "Ownership %": D(50), "Cap": D("120000")},
            {"Partner": "LBR", "Name": "London Borough of Richmond", "Kind": "council", "Role": "owner",
             "Contribution": D("4000000"), "Ownership %": D(50), "Cap": D("100000")},
        ],
        "Lines": [{"Line": "CSC", "Name": "Children's social care", "Budget": D("10000000")}],
    }


def jv_year_end(spend: str, income: str) -> dict:
    return a_return("AFC", "2025-26-Q4", "AFC-LTD",
                    Contributions=[{"Date": Q4, "Partner": "RBK", "Amount": D("6000000"), "Reference": "RBK"},
                                   {"Date": Q4, "Partner": "LBR", "Amount": D("4000000"), "Reference": "LBR"}],
                    Spend=[{"Date": Q4, "Line": "CSC", "Amount": D(spend), "Reference": "CSC"}],
                    Income=[{"Date": Q4, "Line": "CSC", "Amount": D(income), "Reference": "TRADED"}])


def test_joint_venture_deficit_beyond_the_owners_caps_is_unfunded(workbook, db):
    files = [workbook("a.xlsx", "agreement", jv_agreement(), JV),
             workbook("q4.xlsx", "return", jv_year_end("10500000", "200000"), JV)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    doc = settle_json(db, "AFC", "2025-26-Q4")
    assert doc["arrangement"] == "joint_venture"
    assert doc["totals"]["net_spend"] == "10300000.00" and doc["totals"]["variance"] == "300000.00"
    assert doc["totals"]["unfunded_deficit"] == "80000.00" and doc["totals"]["residual"] == "0.00"
    assert doc["totals"]["pool_cash"] == "-300000.00"
    assert balances(doc) == {"AFC-LTD": "0.00", "RBK": "120000.00", "LBR": "100000.00"}
    assert items(doc, "RBK")["ownership"] == "0.5000"
    assert items(doc, "RBK")["risk_share"] == "120000.00"
    assert items(doc, "LBR")["reserves_share"] == "-40000.00"
    assert any("unfunded deficit of 80,000.00" in p["message"] for p in doc["problems"])
    assert run_cli("check", db=db).returncode == 0


def test_joint_venture_surplus_is_retained_by_default_and_shared_by_ownership(workbook, db):
    files = [workbook("a.xlsx", "agreement", jv_agreement(), JV),
             workbook("q4.xlsx", "return", jv_year_end("9800000", "0"), JV)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "AFC", "2025-26-Q4")
    assert doc["totals"]["carried_forward"] == "200000.00"
    assert {p: items(doc, p)["carried_forward"] for p in ("RBK", "LBR")} == {"RBK": "100000.00", "LBR": "100000.00"}
    assert {p: items(doc, p)["reserves_share"] for p in ("RBK", "LBR")} == {"RBK": "100000.00", "LBR": "100000.00"}
    assert balances(doc) == {"AFC-LTD": "0.00", "RBK": "0.00", "LBR": "0.00"}


def test_joint_venture_distributes_a_surplus_when_the_agreement_says_return(workbook, db):
    files = [workbook("a.xlsx", "agreement", jv_agreement(Underspend="return"), JV),
             workbook("q4.xlsx", "return", jv_year_end("9800000", "0"), JV)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "AFC", "2025-26-Q4")
    assert balances(doc) == {"AFC-LTD": "0.00", "RBK": "-100000.00", "LBR": "-100000.00"}


def test_the_entity_pays_no_contribution(workbook, db):
    files = [workbook("a.xlsx", "agreement", jv_agreement(), JV)]
    bad = a_return("AFC", "2025-26-Q1", "AFC-LTD", Contributions=[{"Date": Q1, "Partner": "AFC-LTD", "Amount": D("1")}])
    files.append(workbook("q1.xlsx", "return", bad, JV))
    r = run_cli("import", *files, db=db)
    assert r.returncode == 1
    assert "q1.xlsx:Contributions!B2: error: AFC-LTD is the joint venture itself" in r.stderr


# --- aligned (SPEC 5.3) -----------------------------------------------------------------------

AL = Arrangement.ALIGNED


def aligned_agreement(risk: str = "shared") -> dict:
    return {
        "Pool": {"Code": "ILF", "Name": "Ilfracombe aligned budget", "Arrangement": "aligned",
                 "Financial year": "2025-26", "Aligned risk share": risk},
        "Partners": [
            {"Partner": "NDC", "Name": "North Devon Council", "Kind": "council", "Role": "contributor"},
            {"Partner": "DCC", "Name": "Devon County Council", "Kind": "council", "Role": "contributor"},
            {"Partner": "NHSD", "Name": "NHS Devon", "Kind": "nhs_commissioner", "Role": "contributor"},
        ],
        "Lines": [
            {"Line": "HOUSING", "Name": "Housing support", "Budget": D("200000"), "Owner": "NDC"},
            {"Line": "FAMILY", "Name": "Family support", "Budget": D("150000"), "Owner": "DCC"},
            {"Line": "HEALTH", "Name": "Community health", "Budget": D("50000"), "Owner": "NHSD"},
        ],
    }


def aligned_year(transfers: list[dict] | None = None) -> dict:
    spend = [("HOUSING", "NDC", "230000"), ("FAMILY", "DCC", "140000"), ("HEALTH", "NHSD", "50000")]
    return a_return("ILF", "2025-26-Q4", "NDC",
                    Spend=[{"Date": Q4, "Line": ln, "Amount": D(a), "Paid by": who, "Reference": ln}
                           for ln, who, a in spend],
                    Transfers=transfers or [])


def test_aligned_shared_risk_moves_money_so_each_bears_its_share(workbook, db):
    files = [workbook("a.xlsx", "agreement", aligned_agreement(), AL),
             workbook("q4.xlsx", "return", aligned_year(), AL)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    doc = settle_json(db, "ILF", "2025-26-Q4")
    assert doc["totals"]["budget"] == "400000.00" and doc["totals"]["variance"] == "20000.00"
    assert {p: items(doc, p)["variance"] for p in ("NDC", "DCC", "NHSD")} == {
        "NDC": "30000.00", "DCC": "-10000.00", "NHSD": "0.00"}
    assert {p: items(doc, p)["transfer"] for p in ("NDC", "DCC", "NHSD")} == {
        "NDC": "-20000.00", "DCC": "17500.00", "NHSD": "2500.00"}
    assert balances(doc) == {"NDC": "-20000.00", "DCC": "17500.00", "NHSD": "2500.00"}
    assert doc["totals"]["pool_cash"] == "0.00"


def test_aligned_transfers_paid_clear_the_balances(workbook, db):
    paid = [{"Date": Q4, "From": "DCC", "To": "NDC", "Amount": D("17500"), "Reference": "T1"},
            {"Date": Q4, "From": "NHSD", "To": "NDC", "Amount": D("2500"), "Reference": "T2"}]
    files = [workbook("a.xlsx", "agreement", aligned_agreement(), AL),
             workbook("q4.xlsx", "return", aligned_year(paid), AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    assert balances(settle_json(db, "ILF", "2025-26-Q4")) == {"NDC": "0.00", "DCC": "0.00", "NHSD": "0.00"}


def test_aligned_without_risk_sharing_moves_nothing(workbook, db):
    files = [workbook("a.xlsx", "agreement", aligned_agreement("none"), AL),
             workbook("q4.xlsx", "return", aligned_year(), AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    assert set(balances(settle_json(db, "ILF", "2025-26-Q4")).values()) == {"0.00"}


def test_aligned_before_q4_the_transfer_is_projected_from_forecasts(workbook, db):
    q2 = a_return("ILF", "2025-26-Q2", "NDC", Forecast=[{"Line": "HOUSING", "Forecast outturn": D("230000")},
                                                         {"Line": "FAMILY", "Forecast outturn": D("140000")}])
    files = [workbook("a.xlsx", "agreement", aligned_agreement(), AL), workbook("q2.xlsx", "return", q2, AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "ILF", "2025-26-Q2")
    assert items(doc, "NDC")["projected_transfer"] == "-20000.00" and items(doc, "NDC")["transfer"] == "0.00"
    assert set(balances(doc).values()) == {"0.00"}


def test_an_aligned_line_without_an_owner_is_refused(workbook, db):
    data = aligned_agreement()
    del data["Lines"][0]["Owner"]
    r = run_cli("import", workbook("a.xlsx", "agreement", data, AL), db=db)
    assert r.returncode == 1 and "a.xlsx:Lines!D2: error: aligned line HOUSING has no Owner" in r.stderr


# --- joint commissioning (SPEC 5.4) -----------------------------------------------------------

JC = Arrangement.JOINT_COMMISSIONING


def jc_agreement(line_shares: list[dict] | None = None) -> dict:
    return {
        "Pool": {"Code": "CAMHS", "Name": "Lambeth CAMHS", "Arrangement": "joint commissioning",
                 "Financial year": "2025-26", "Host": "LBL"},
        "Partners": [
            {"Partner": "LBL", "Name": "London Borough of Lambeth", "Kind": "council", "Role": "commissioner",
             "Cost share %": D(40)},
            {"Partner": "SEL-ICB", "Name": "NHS South East London ICB", "Kind": "nhs_commissioner",
             "Role": "commissioner", "Cost share %": D(60)},
        ],
        "Lines": [
            {"Line": "CORE", "Name": "Core CAMHS", "Budget": D("1000000"), "Provider": "South London and Maudsley"},
            {"Line": "LD", "Name": "CAMHS learning disability", "Budget": D("200000"),
             "Provider": "South London and Maudsley"},
        ],
        "LineShares": line_shares if line_shares is not None else [
            {"Line": "LD", "Partner": "LBL", "Cost share %": D(70)},
            {"Line": "LD", "Partner": "SEL-ICB", "Cost share %": D(30)},
        ],
    }


def jc_quarter(transfers: list[dict] | None = None) -> dict:
    return a_return(
        "CAMHS", "2025-26-Q1", "LBL",
        Spend=[{"Date": Q1, "Line": "CORE", "Amount": D("250000"), "Reference": "SLAM-1"},
               {"Date": Q1, "Line": "LD", "Amount": D("50000"), "Reference": "SLAM-2"}],
        Income=[{"Date": Q1, "Line": "CORE", "Amount": D("10000"), "Reference": "GRANT"}],
        Transfers=transfers or [],
    )


def test_joint_commissioning_recharges_each_commissioner_its_cost_share(workbook, db):
    files = [workbook("a.xlsx", "agreement", jc_agreement(), JC), workbook("q1.xlsx", "return", jc_quarter(), JC)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    doc = settle_json(db, "CAMHS", "2025-26-Q1")
    assert {p: items(doc, p)["cost_share"] for p in ("LBL", "SEL-ICB")} == {"LBL": "131000.00", "SEL-ICB": "159000.00"}
    assert items(doc, "LBL")["paid_direct"] == "300000.00" and items(doc, "LBL")["income_received"] == "10000.00"
    assert balances(doc) == {"LBL": "-159000.00", "SEL-ICB": "159000.00"}
    assert "LineShares for LD" in next(p for p in doc["partners"] if p["partner"] == "LBL")["explanations"]["cost_share"]


def test_joint_commissioning_recharge_paid_clears_the_quarter(workbook, db):
    paid = [{"Date": Q1, "From": "SEL-ICB", "To": "LBL", "Amount": D("159000"), "Reference": "RECHARGE-Q1"}]
    files = [workbook("a.xlsx", "agreement", jc_agreement(), JC), workbook("q1.xlsx", "return", jc_quarter(paid), JC)]
    assert run_cli("import", *files, db=db).returncode == 0
    assert balances(settle_json(db, "CAMHS", "2025-26-Q1")) == {"LBL": "0.00", "SEL-ICB": "0.00"}


def test_line_shares_must_sum_to_100_and_belong_to_commissioners(workbook, db):
    bad = jc_agreement([{"Line": "LD", "Partner": "LBL", "Cost share %": D(70)},
                        {"Line": "LD", "Partner": "SEL-ICB", "Cost share %": D(20)}])
    r = run_cli("import", workbook("a.xlsx", "agreement", bad, JC), db=db)
    assert r.returncode == 1 and "a.xlsx:LineShares!C2: error: the cost shares of line LD sum to 90%" in r.stderr
    data = jc_agreement([{"Line": "LD", "Partner": "PROV", "Cost share %": D(100)}])
    data["Partners"].append({"Partner": "PROV", "Name": "A charity", "Kind": "voluntary", "Role": "beneficiary"})
    r = run_cli("import", workbook("b.xlsx", "agreement", data, JC), db=db)
    assert r.returncode == 1 and "PROV has a cost share of line LD but is not a commissioner" in r.stderr


def test_commissioner_cost_shares_must_sum_to_100(workbook, db):
    data = jc_agreement()
    data["Partners"][1]["Cost share %"] = D(50)
    r = run_cli("import", workbook("a.xlsx", "agreement", data, JC), db=db)
    assert r.returncode == 1 and "a.xlsx:Partners!" in r.stderr and "Cost share % sums to 90%, not 100%" in r.stderr


def test_a_transfer_to_a_partner_outside_the_pool_is_refused(workbook, db):
    paid = [{"Date": Q1, "From": "SEL-ICB", "To": "DWP", "Amount": D("1"), "Reference": "X"}]
    files = [workbook("a.xlsx", "agreement", jc_agreement(), JC), workbook("q1.xlsx", "return", jc_quarter(paid), JC)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 1 and "q1.xlsx:Transfers!C2: error: To DWP is not a partner of the pool" in r.stderr


def test_check_holds_for_every_arrangement(workbook, db):
    files = [workbook("jv.xlsx", "agreement", jv_agreement(), JV), workbook("jv4.xlsx", "return", jv_year_end("10500000", "200000"), JV),
             workbook("al.xlsx", "agreement", aligned_agreement(), AL), workbook("al4.xlsx", "return", aligned_year(), AL),
             workbook("jc.xlsx", "agreement", jc_agreement(), JC), workbook("jc1.xlsx", "return", jc_quarter(), JC)]
    assert run_cli("import", *files, db=db).returncode == 0
    r = run_cli("check", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "conservation: holds for 3 pools" in r.stdout
    r = run_cli("pools", "--json", db=db)
    assert {p["code"]: p["budget"] for p in __import__("json").loads(r.stdout)} == {
        "AFC": "10000000.00", "CAMHS": "1200000.00", "ILF": "400000.00"}
