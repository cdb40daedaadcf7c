"""Write the sample pools' workbooks (run ``python -m sample_pools.build``).

Each pool is a folder with its agreement and four quarterly returns. The
workbooks are committed too, so a user can open them in Excel; rebuild them
here when the formats grow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.records import Arrangement
from ledger.workbooks.templates import write

HERE = Path(__file__).parent
Files = dict[str, tuple[str, Arrangement, dict[str, Any]]]


def swindon_cyp() -> Files:
    """Worked example A of SPEC section 6 (seed 000: Swindon services for children and young people).

    Swindon Borough Council hosts; the PCT contributes. Their £28m pool
    includes £10,000 of launch costs; the year overspends by £450,000 and the
    PCT's share of an overspend is capped at £150,000.
    """
    arr = Arrangement.LEAD_BODY
    agreement = {
        "Pool": {"Code": "SWN-CYP", "Name": "Swindon children's services", "Arrangement": "lead body",
                 "Financial year": "2025-26", "Host": "SBC", "Underspend": "return"},
        "Partners": [
            {"Partner": "SBC", "Name": "Swindon Borough Council", "Kind": "council", "Role": "host",
             "Contribution": Decimal("16800000")},
            {"Partner": "PCT", "Name": "Swindon Primary Care Trust", "Kind": "nhs_commissioner",
             "Role": "contributor", "Contribution": Decimal("11200000"), "Cap": Decimal("150000")},
        ],
        "Lines": [
            {"Line": "CYP-SOC", "Name": "Children's social care", "Budget": Decimal("16790000")},
            {"Line": "CYP-HLTH", "Name": "Children's community health", "Budget": Decimal("11200000")},
            {"Line": "CYP-LAUNCH", "Name": "Launch of the joint service", "Budget": Decimal("10000")},
        ],
    }
    spend = {
        1: {"CYP-SOC": "4190000", "CYP-HLTH": "2800000", "CYP-LAUNCH": "10000"},
        2: {"CYP-SOC": "4250000", "CYP-HLTH": "2850000"},
        3: {"CYP-SOC": "4300000", "CYP-HLTH": "2850000"},
        4: {"CYP-SOC": "4300000", "CYP-HLTH": "2900000"},
    }
    forecasts = {
        1: {"CYP-SOC": "16900000", "CYP-HLTH": "11300000"},
        2: {"CYP-SOC": "17000000", "CYP-HLTH": "11400000"},
        3: {"CYP-SOC": "17040000", "CYP-HLTH": "11400000"},
        4: {},
    }
    files: Files = {"agreement.xlsx": ("agreement", arr, agreement)}
    for q in (1, 2, 3, 4):
        month = {1: (2025, 5), 2: (2025, 8), 3: (2025, 11), 4: (2026, 2)}[q]
        day = date(month[0], month[1], 15)
        files[f"return-2025-26-Q{q}.xlsx"] = (
            "return",
            arr,
            {
                "Return": {"Pool": "SWN-CYP", "Period": f"2025-26-Q{q}", "Submitted by": "SBC"},
                "Contributions": [
                    {"Date": day, "Partner": "SBC", "Amount": Decimal("4200000"), "Reference": f"SBC-Q{q}"},
                    {"Date": day, "Partner": "PCT", "Amount": Decimal("2800000"), "Reference": f"PCT-Q{q}"},
                ],
                "Spend": [
                    {"Date": day, "Line": line, "Amount": Decimal(amount), "Reference": f"{line}-Q{q}",
                     "Description": f"Q{q} spend"}
                    for line, amount in spend[q].items()
                ],
                "Forecast": [{"Line": line, "Forecast outturn": Decimal(v)} for line, v in forecasts[q].items()],
            },
        )
    return files


DAYS = {1: date(2025, 5, 15), 2: date(2025, 8, 15), 3: date(2025, 11, 14), 4: date(2026, 2, 13)}


def _return(pool: str, q: int, by: str, **sheets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Return": {"Pool": pool, "Period": f"2025-26-Q{q}", "Submitted by": by}, **sheets}


def _year(arr: Arrangement, agreement: dict[str, Any], returns: dict[int, dict[str, Any]]) -> Files:
    files: Files = {"agreement.xlsx": ("agreement", arr, agreement)}
    for q, data in returns.items():
        files[f"return-2025-26-Q{q}.xlsx"] = ("return", arr, data)
    return files


def _admissions(q: int, beneficiary: str, count: int, status: str = "realised", **kw: Any) -> dict[str, Any]:
    """Avoided unplanned hospital admissions at £2,500 each (Cornwall's unit cost, seed 004)."""
    row = {"Line": kw.pop("line", None), "Measure": "Unplanned hospital admissions avoided", "Quantity": count,
           "Unit cost": Decimal("2500"), "Beneficiary": beneficiary, "Deadweight %": Decimal(10),
           "Attribution %": Decimal(90), "Optimism bias %": Decimal(0), "Cashable %": Decimal(50),
           "Status": status, "Evidence": f"SUS admissions extract, Q{q}"}
    row.update(kw)
    return {k: v for k, v in row.items() if v is not None}


def stockport_tpa() -> Files:
    """Stockport Targeted Prevention Alliance (seed 000): six providers under one contract.

    Targets and fees are illustrative (SPEC worked example B): TOC 3,000,000.00,
    fees 5% of target; the outturn of 2,820,000.00 earns a gainshare of 66,000.00
    after a KPI modifier of 0.8.
    """
    providers = [("THR", "Threshold", "900000"), ("AGE", "Age UK Stockport", "600000"), ("FRG", "FRAG", "300000"),
                 ("NAC", "NACRO", "450000"), ("REL", "Relate", "300000"), ("SHO", "Stockport Homes", "450000")]
    agreement = {
        "Pool": {"Code": "STP-TPA", "Name": "Stockport Targeted Prevention Alliance", "Arrangement": "alliance",
                 "Financial year": "2025-26", "KPI threshold": "0.5", "Pain cap": "fee"},
        "Partners": [{"Partner": "SMBC", "Name": "Stockport Metropolitan Borough Council", "Kind": "council",
                      "Role": "commissioner", "Cost share %": Decimal(100)}]
        + [{"Partner": c, "Name": n, "Kind": "housing" if c == "SHO" else "voluntary", "Role": "provider",
            "Target cost": Decimal(t), "Fee": Decimal(t) / 20} for c, n, t in providers]
        + [{"Partner": "GMP", "Name": "Greater Manchester Police", "Kind": "police", "Role": "beneficiary"}],
        "Lines": [{"Line": c, "Name": f"{n} prevention services", "Budget": Decimal(t), "Provider": c}
                  for c, n, t in providers],
        "Bands": [{"Direction": "gain", "From %": Decimal(0), "To %": Decimal(5), "Providers %": Decimal(50)},
                  {"Direction": "gain", "From %": Decimal(5), "Providers %": Decimal(25)},
                  {"Direction": "pain", "From %": Decimal(0), "To %": Decimal(5), "Providers %": Decimal(50)},
                  {"Direction": "pain", "From %": Decimal(5), "Providers %": Decimal(0)}],
        "KPIs": [{"KPI": "SEEN", "Name": "People seen within two weeks (%)", "Weight": 3, "Target": 95, "Floor": 75,
                  "Better": "higher"},
                 {"KPI": "REREF", "Name": "Re-referrals within a year (%)", "Weight": 1, "Target": 5, "Floor": 15,
                  "Better": "lower"}],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        share = Decimal("0.235")  # 23.5% of each target a quarter: 94% over the year
        spend = [{"Date": DAYS[q], "Line": c, "Amount": Decimal(t) * share, "Paid by": c, "Reference": f"{c}-Q{q}"}
                 for c, _, t in providers]
        paid = [{"Date": DAYS[q], "From": "SMBC", "To": c, "Amount": Decimal(t) * share, "Reference": f"PAY-{c}-Q{q}"}
                for c, _, t in providers]
        sheets: dict[str, Any] = {"Spend": spend, "Transfers": paid,
                                  "KPIs": [{"KPI": "SEEN", "Actual": 91}, {"KPI": "REREF", "Actual": 7}]}
        if q < 4:
            sheets["Forecast"] = [{"Line": c, "Forecast outturn": Decimal(t) * Decimal("0.94")} for c, _, t in providers]
        # PATHway (seed 000): £170,800 of public-sector savings from 28 domestic abuse cases, £6,100 a case
        sheets["Savings"] = [{"Line": "REL", "Measure": "Domestic abuse cases resolved early", "Quantity": 2,
                              "Unit cost": Decimal("6100"), "Beneficiary": "GMP", "Deadweight %": Decimal(20),
                              "Attribution %": Decimal(75), "Cashable %": Decimal(0), "Status": "realised",
                              "Evidence": f"Alliance case records, Q{q}"}]
        returns[q] = _return("STP-TPA", q, "SMBC", **sheets)
    return _year(Arrangement.ALLIANCE, agreement, returns)


def croydon_over65() -> Files:
    """Croydon over-65s (seed 000): the CCG and the council jointly commission a ten-year outcomes-based
    contract from five members. Targets, fees, the 70/30 cost split and the outturn are illustrative:
    the year overruns by 600,000.00, half of it painshare (no bands: the 50% default)."""
    providers = [("CHS", "Croydon Health Services NHS Trust", "nhs_provider", "6000000"),
                 ("SLAM", "South London and Maudsley NHS Foundation Trust", "nhs_provider", "2000000"),
                 ("CGPG", "Croydon GPs Group", "nhs_provider", "1500000"),
                 ("AGEUKC", "Age UK Croydon", "voluntary", "500000"),
                 ("CRC-ASC", "Croydon Council Adult Social Care", "council", "2000000")]
    agreement = {
        "Pool": {"Code": "CRO-65", "Name": "Croydon over-65s outcomes contract", "Arrangement": "alliance",
                 "Financial year": "2025-26", "KPI threshold": "50%", "Pain cap": "fee"},
        "Partners": [
            {"Partner": "CCCG", "Name": "NHS Croydon CCG", "Kind": "nhs_commissioner", "Role": "commissioner",
             "Cost share %": Decimal(70)},
            {"Partner": "LBC", "Name": "London Borough of Croydon", "Kind": "council", "Role": "commissioner",
             "Cost share %": Decimal(30)},
        ] + [{"Partner": c, "Name": n, "Kind": k, "Role": "provider", "Target cost": Decimal(t),
              "Fee": Decimal(t) * Decimal("0.04")} for c, n, k, t in providers],
        "Lines": [{"Line": c, "Name": f"{n} over-65s services", "Budget": Decimal(t), "Provider": c}
                  for c, n, _, t in providers],
        "KPIs": [{"KPI": "NEL", "Name": "Emergency admissions per 1,000 over-65s", "Weight": 1, "Target": 200,
                  "Floor": 260, "Better": "lower"},
                 {"KPI": "HOME91", "Name": "At home 91 days after discharge (%)", "Weight": 1, "Target": 85,
                  "Floor": 70, "Better": "higher"}],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        quarter = {c: Decimal(t) * Decimal("1.05") / 4 for c, _, _, t in providers}
        sheets: dict[str, Any] = {
            "Spend": [{"Date": DAYS[q], "Line": c, "Amount": a, "Paid by": c, "Reference": f"{c}-Q{q}"}
                      for c, a in quarter.items()],
            "Transfers": [{"Date": DAYS[q], "From": who, "To": c, "Amount": a * share, "Reference": f"{who}-{c}-Q{q}"}
                          for c, a in quarter.items() for who, share in (("CCCG", Decimal("0.7")), ("LBC", Decimal("0.3")))],
            "KPIs": [{"KPI": "NEL", "Actual": 212}, {"KPI": "HOME91", "Actual": 82}],
            "Savings": [_admissions(q, "CCCG", 12, line="CHS")],
        }
        if q < 4:
            sheets["Forecast"] = [{"Line": c, "Forecast outturn": Decimal(t) * Decimal("1.05")} for c, _, _, t in providers]
        returns[q] = _return("CRO-65", q, "CCCG", **sheets)
    return _year(Arrangement.ALLIANCE, agreement, returns)


def warm_homes_oldham() -> Files:
    """Warm Homes Oldham (seed 000): public health hosts, the CCG and housing contribute; the savings
    in fewer emergency admissions land with the CCG and are shared back (SPEC worked example C)."""
    agreement = {
        "Pool": {"Code": "WHO", "Name": "Warm Homes Oldham", "Arrangement": "lead body", "Financial year": "2025-26",
                 "Host": "OMBC-PH", "Savings share %": Decimal(100), "Savings share basis": "investment"},
        "Partners": [
            {"Partner": "OMBC-PH", "Name": "Oldham Council public health", "Kind": "public_health", "Role": "host",
             "Contribution": Decimal("500000")},
            {"Partner": "OCCG", "Name": "NHS Oldham CCG", "Kind": "nhs_commissioner", "Role": "contributor",
             "Contribution": Decimal("300000")},
            {"Partner": "FCHO", "Name": "First Choice Homes Oldham", "Kind": "housing", "Role": "contributor",
             "Contribution": Decimal("200000")},
            {"Partner": "DWP", "Name": "Department for Work and Pensions", "Kind": "central_government",
             "Role": "beneficiary"},
        ],
        "Lines": [{"Line": "INSUL", "Name": "Insulation and heating measures", "Budget": Decimal("800000")},
                  {"Line": "ADVICE", "Name": "Energy and benefits advice", "Budget": Decimal("200000")}],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        sheets: dict[str, Any] = {
            "Contributions": [{"Date": DAYS[q], "Partner": c, "Amount": Decimal(a) / 4, "Reference": f"{c}-Q{q}"}
                              for c, a in (("OMBC-PH", 500000), ("OCCG", 300000), ("FCHO", 200000))],
            "Spend": [{"Date": DAYS[q], "Line": "INSUL", "Amount": Decimal("200000"), "Reference": f"INS-Q{q}"},
                      {"Date": DAYS[q], "Line": "ADVICE", "Amount": Decimal("50000"), "Reference": f"ADV-Q{q}"}],
            "Savings": [_admissions(q, "OCCG", 5, line="INSUL"),
                        # community navigators (seed 000): around £180 a person of Citizens' Advice or JobCentre visits
                        {"Line": "ADVICE", "Measure": "JobCentre and advice visits avoided", "Quantity": 40,
                         "Unit cost": Decimal("180"), "Beneficiary": "DWP", "Attribution %": Decimal(80),
                         "Cashable %": Decimal(0), "Status": "realised", "Evidence": f"Advice casework log, Q{q}"}],
        }
        returns[q] = _return("WHO", q, "OMBC-PH", **sheets)
    return _year(Arrangement.LEAD_BODY, agreement, returns)


def achieving_for_children() -> Files:
    """Achieving for Children (seed 001): the company owned by Kingston and Richmond councils.

    Contributions, caps and the year's outturn are illustrative (our worked example J):
    a deficit beyond the owners' caps is reported as the entity's unfunded deficit.
    """
    agreement = {
        "Pool": {"Code": "AFC", "Name": "Achieving for Children", "Arrangement": "joint venture",
                 "Financial year": "2025-26", "Host": "AFC-CIC"},
        "Partners": [
            {"Partner": "AFC-CIC", "Name": "Achieving for Children CIC", "Kind": "joint_venture", "Role": "host"},
            {"Partner": "RBK", "Name": "Royal Borough of Kingston upon Thames", "Kind": "council", "Role": "owner",
             "Contribution": Decimal("6000000"), "Ownership %": Decimal(50), "Cap": Decimal("120000")},
            {"Partner": "LBRUT", "Name": "London Borough of Richmond upon Thames", "Kind": "council", "Role": "owner",
             "Contribution": Decimal("4000000"), "Ownership %": Decimal(50), "Cap": Decimal("100000")},
        ],
        "Lines": [{"Line": "CSC", "Name": "Children's social care", "Budget": Decimal("7000000")},
                  {"Line": "EDU", "Name": "Education services", "Budget": Decimal("3000000")}],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        returns[q] = _return("AFC", q, "AFC-CIC",
                             Contributions=[{"Date": DAYS[q], "Partner": "RBK", "Amount": Decimal("1500000"),
                                             "Reference": f"RBK-Q{q}"},
                                            {"Date": DAYS[q], "Partner": "LBRUT", "Amount": Decimal("1000000"),
                                             "Reference": f"LBR-Q{q}"}],
                             Spend=[{"Date": DAYS[q], "Line": "CSC", "Amount": Decimal("1875000"), "Reference": f"CSC-Q{q}"},
                                    {"Date": DAYS[q], "Line": "EDU", "Amount": Decimal("750000"), "Reference": f"EDU-Q{q}"}],
                             Income=[{"Date": DAYS[q], "Line": "EDU", "Amount": Decimal("50000"),
                                      "Reference": f"TRADED-Q{q}", "Description": "Traded services to schools"}],
                             Forecast=[{"Line": "CSC", "Forecast outturn": Decimal("7500000")},
                                       {"Line": "EDU", "Forecast outturn": Decimal("2800000")}] if q < 4 else [])
    return _year(Arrangement.JOINT_VENTURE, agreement, returns)


def lambeth_camhs() -> Files:
    """A CAMHS service jointly commissioned by Lambeth Council and the CCG (seed 000 describes such
    joint commissioning); the council leads and recharges the CCG its cost share each quarter."""
    agreement = {
        "Pool": {"Code": "LAM-CAMHS", "Name": "Lambeth CAMHS", "Arrangement": "joint commissioning",
                 "Financial year": "2025-26", "Host": "LBL"},
        "Partners": [
            {"Partner": "LBL", "Name": "London Borough of Lambeth", "Kind": "council", "Role": "commissioner",
             "Cost share %": Decimal(40)},
            {"Partner": "LCCG", "Name": "NHS Lambeth CCG", "Kind": "nhs_commissioner", "Role": "commissioner",
             "Cost share %": Decimal(60)},
        ],
        "Lines": [{"Line": "CORE", "Name": "Core CAMHS", "Budget": Decimal("1000000"),
                   "Provider": "South London and Maudsley NHS FT"},
                  {"Line": "LD", "Name": "CAMHS learning disability", "Budget": Decimal("200000"),
                   "Provider": "South London and Maudsley NHS FT"}],
        "LineShares": [{"Line": "LD", "Partner": "LBL", "Cost share %": Decimal(70)},
                       {"Line": "LD", "Partner": "LCCG", "Cost share %": Decimal(30)}],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        sheets: dict[str, Any] = {
            "Spend": [{"Date": DAYS[q], "Line": "CORE", "Amount": Decimal("250000"), "Reference": f"SLAM-CORE-Q{q}"},
                      {"Date": DAYS[q], "Line": "LD", "Amount": Decimal("50000"), "Reference": f"SLAM-LD-Q{q}"}],
            "Income": [{"Date": DAYS[q], "Line": "CORE", "Amount": Decimal("10000"), "Reference": f"GRANT-Q{q}"}],
        }
        if q < 4:  # the CCG pays each quarter's recharge; Q4's is still due at the year end
            sheets["Transfers"] = [{"Date": DAYS[q], "From": "LCCG", "To": "LBL", "Amount": Decimal("159000"),
                                    "Reference": f"RECHARGE-Q{q}"}]
        returns[q] = _return("LAM-CAMHS", q, "LBL", **sheets)
    return _year(Arrangement.JOINT_COMMISSIONING, agreement, returns)


ILFRACOMBE_PARTNERS = [
    ("NDC", "North Devon Council", "council"), ("DCC", "Devon County Council", "council"),
    ("NHSD", "NHS Devon", "nhs_commissioner"), ("ITC", "Ilfracombe Town Council", "council"),
    ("DCP", "Devon and Cornwall Police", "police"), ("DSFRS", "Devon and Somerset Fire and Rescue", "fire"),
    ("NDH", "Northern Devon Healthcare NHS Trust", "nhs_provider"), ("JCP", "Jobcentre Plus", "central_government"),
    ("NDHOMES", "North Devon Homes", "housing"), ("ICC", "Ilfracombe Children's Centre", "voluntary"),
    ("ACADEMY", "Ilfracombe Academy", "other"), ("SURGERY", "Ilfracombe GP surgery", "nhs_provider"),
    ("CAB", "Citizens Advice North Devon", "voluntary"), ("YOUTH", "Ilfracombe youth service", "council"),
    ("PROBN", "Probation service", "central_government"), ("CHURCH", "Churches Together Ilfracombe", "voluntary"),
    ("CVS", "North Devon Council for Voluntary Service", "voluntary"),
]


def ilfracombe() -> Files:
    """Ilfracombe (seed 004): 17 partners and a £400,000 aligned budget (beside a £1m devolved
    budget, not modelled here). The lines, owners and outturns are illustrative."""
    lines = [("FAMILY", "Family intervention", "DCC", "150000", "160000"),
             ("HOUSING", "Housing and tenancy support", "NDC", "100000", "92000"),
             ("HEALTH", "Health and wellbeing", "NHSD", "80000", "86000"),
             ("SAFER", "Safer communities", "DCP", "40000", "40000"),
             ("WORK", "Employment support", "JCP", "30000", "26000")]
    agreement = {
        "Pool": {"Code": "ILF", "Name": "Ilfracombe aligned budget", "Arrangement": "aligned",
                 "Financial year": "2025-26", "Aligned risk share": "shared"},
        "Partners": [{"Partner": c, "Name": n, "Kind": k, "Role": "contributor"} for c, n, k in ILFRACOMBE_PARTNERS],
        "Lines": [{"Line": c, "Name": n, "Budget": Decimal(b), "Owner": o} for c, n, o, b, _ in lines],
    }
    returns = {}
    for q in (1, 2, 3, 4):
        sheets: dict[str, Any] = {
            "Spend": [{"Date": DAYS[q], "Line": c, "Amount": Decimal(out) / 4, "Paid by": o, "Reference": f"{c}-Q{q}"}
                      for c, _, o, _, out in lines],
        }
        if q == 2:
            sheets["Forecast"] = [{"Line": c, "Forecast outturn": Decimal(out)} for c, _, _, _, out in lines]
        if q == 4:
            sheets["Savings"] = [_admissions(q, "NHSD", 4, line="FAMILY")]
        returns[q] = _return("ILF", q, "DCC", **sheets)
    return _year(Arrangement.ALIGNED, agreement, returns)


def with_errors() -> Files:
    """Deliberate mistakes, to show what a refused import looks like (not loaded by the demo)."""
    agreement = {
        "Pool": {"Code": "ERR-DEMO", "Name": "A pool with mistakes", "Arrangement": "lead body",
                 "Financial year": "2025-26", "Host": "SBC"},
        "Partners": [
            {"Partner": "SBC", "Name": "Swindon Borough Council", "Kind": "council", "Role": "host",
             "Contribution": Decimal("600000"), "Overspend share %": Decimal(60)},
            {"Partner": "PCT", "Name": "Swindon Primary Care Trust", "Kind": "nhs_commissioner", "Role": "contributor",
             "Contribution": Decimal("400000"), "Overspend share %": Decimal(30)},  # sums to 90%
        ],
        "Lines": [{"Line": "MAIN", "Name": "Main line", "Budget": Decimal("1000000")}],
    }
    good = dict(agreement, Partners=[dict(p, **{"Overspend share %": Decimal(60 if p["Partner"] == "SBC" else 40)})
                                     for p in agreement["Partners"]])
    bad_return = _return("ERR-DEMO", 1, "SBC", Spend=[
        {"Date": date(2025, 7, 31), "Line": "MAIN", "Amount": Decimal("100"), "Reference": "late"},  # Q2 date
        {"Date": DAYS[1], "Line": "NOLINE", "Amount": Decimal("50"), "Reference": "unknown line"},
    ])
    return {"agreement-shares-not-100.xlsx": ("agreement", Arrangement.LEAD_BODY, agreement),
            "agreement-fixed.xlsx": ("agreement", Arrangement.LEAD_BODY, good),
            "return-2025-26-Q1-bad-date-and-line.xlsx": ("return", Arrangement.LEAD_BODY, bad_return)}


POOLS: dict[str, Callable[[], Files]] = {
    "swindon-cyp": swindon_cyp,
    "stockport-tpa": stockport_tpa,
    "croydon-over65": croydon_over65,
    "warm-homes-oldham": warm_homes_oldham,
    "achieving-for-children": achieving_for_children,
    "lambeth-camhs": lambeth_camhs,
    "ilfracombe": ilfracombe,
    "with-errors": with_errors,
}


def build(root: Path = HERE) -> list[Path]:
    written = []
    for folder, make in POOLS.items():
        for name, (kind, arrangement, data) in make().items():
            written.append(write(root / folder / name, kind, arrangement, data, examples=False))
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
