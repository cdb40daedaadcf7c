"""Alliance contracts (SPEC 5.5): worked example B through the CLI, the rules, published regimes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.alliance import KpiResult, achievement, banded_share, curve, gain_pain, kpi_modifier
from ledger.periods import FinancialYear
from ledger.problems import Source
from ledger.records import Agreement, Arrangement, Band, Kpi, Member, Role
from tests.conftest import a_return, run_cli, settle_json

AL = Arrangement.ALLIANCE
Q4 = date(2026, 3, 31)
PROVIDERS = [("THR", "Threshold", "900000"), ("AGE", "Age UK Stockport", "600000"), ("FRG", "FRAG", "300000"),
             ("NAC", "NACRO", "450000"), ("REL", "Relate", "300000"), ("SHO", "Stockport Homes", "450000")]


def example_b(**pool) -> dict:
    return {
        "Pool": {"Code": "STP-TPA", "Name": "Stockport Targeted Prevention Alliance", "Arrangement": "alliance",
                 "Financial year": "2025-26", "KPI threshold": "0.5", **pool},
        "Partners": [{"Partner": "SMBC", "Name": "Stockport Council", "Kind": "council", "Role": "commissioner",
                      "Cost share %": D(100)}]
        + [{"Partner": code, "Name": name, "Kind": "voluntary", "Role": "provider", "Target cost": D(t),
            "Fee": D(t) * D("0.05")} for code, name, t in PROVIDERS],
        "Lines": [{"Line": code, "Name": f"{name} services", "Budget": D(t), "Provider": code}
                  for code, name, t in PROVIDERS],
        "Bands": [{"Direction": "gain", "From %": D(0), "To %": D(5), "Providers %": D(50)},
                  {"Direction": "gain", "From %": D(5), "Providers %": D(25)},
                  {"Direction": "pain", "From %": D(0), "To %": D(5), "Providers %": D(50)},
                  {"Direction": "pain", "From %": D(5), "Providers %": D(0)}],
        "KPIs": [{"KPI": "SEEN", "Name": "Seen within two weeks", "Weight": 3, "Target": 95, "Floor": 75,
                  "Better": "higher"},
                 {"KPI": "READMIT", "Name": "Re-referrals", "Weight": 1, "Target": 5, "Floor": 15, "Better": "lower"}],
    }


def year_end(total: str) -> dict:
    """Spend spread over the providers in proportion to their targets."""
    amounts = {code: D(t) * D(total) / D(3000000) for code, _, t in PROVIDERS}
    return a_return("STP-TPA", "2025-26-Q4", "SMBC",
                    Spend=[{"Date": Q4, "Line": code, "Amount": a.quantize(D("0.01")), "Paid by": code, "Reference": code}
                           for code, a in amounts.items()],
                    KPIs=[{"KPI": "SEEN", "Actual": 91}, {"KPI": "READMIT", "Actual": 7}])


def provider(doc: dict, code: str) -> dict:
    return next(p for p in doc["partners"] if p["partner"] == code)


def test_example_b_underrun_gainshare_scaled_by_kpis(workbook, db):
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q4.xlsx", "return", year_end("2820000"), AL)]
    r = run_cli("import", *files, db=db)
    assert r.returncode == 0, r.stderr
    doc = settle_json(db, "STP-TPA", "2025-26-Q4")
    a = doc["alliance"]
    assert (a["target"], a["actual"], a["variance"]) == ("3000000.00", "2820000.00", "180000.00")
    assert (a["gain_raw"], a["kpi_score"], a["modifier"]) == ("82500.00", "0.8000", "0.8000")
    assert (a["gainshare"], a["withheld"], a["final"]) == ("66000.00", "16500.00", True)
    gains = [provider(doc, c)["items"]["gainshare"] for c, _, _ in PROVIDERS]
    assert gains == ["19800.00", "13200.00", "6600.00", "9900.00", "6600.00", "9900.00"]
    smbc = provider(doc, "SMBC")
    assert smbc["items"]["funding_share"] == "2886000.00" and smbc["balance"] == "2886000.00"
    thr = provider(doc, "THR")
    assert thr["balance"] == "-865800.00"  # owed its cost 846,000.00 plus gainshare 19,800.00
    assert sum(D(p["balance"]) for p in doc["partners"]) == 0
    assert run_cli("check", db=db).returncode == 0


def test_example_b_overrun_painshare_within_the_fees(workbook, db):
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q4.xlsx", "return", year_end("3240000"), AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    a = settle_json(db, "STP-TPA", "2025-26-Q4")["alliance"]
    assert (a["variance"], a["pain_raw"], a["painshare"], a["commissioners_bear"]) == (
        "-240000.00", "75000.00", "75000.00", "165000.00")


def test_before_q4_gain_is_projected_from_the_forecast_and_not_in_the_balance(workbook, db):
    q2 = a_return("STP-TPA", "2025-26-Q2", "SMBC",
                  Forecast=[{"Line": code, "Forecast outturn": D(t) * D("0.94")} for code, _, t in PROVIDERS],
                  KPIs=[{"KPI": "SEEN", "Actual": 91}])
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q2.xlsx", "return", q2, AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "STP-TPA", "2025-26-Q2")
    assert doc["alliance"]["final"] is False and doc["alliance"]["variance"] == "180000.00"
    # READMIT has no actual yet: it scores 0, so the score is 3 x 0.8 / 4 = 0.6 (above the 0.5 threshold)
    assert doc["alliance"]["kpi_score"] == "0.6000" and doc["alliance"]["gainshare"] == "49500.00"
    assert any("KPI READMIT has no actual" in p["message"] for p in doc["problems"])
    thr = provider(doc, "THR")
    assert thr["items"]["gainshare"] == "0.00" and thr["items"]["projected_gainshare"] == "14850.00"
    assert thr["balance"] == "0.00"


def test_overlapping_bands_are_refused_at_the_band(workbook, db):
    data = example_b()
    data["Bands"][1]["From %"] = D(4)
    r = run_cli("import", workbook("a.xlsx", "agreement", data, AL), db=db)
    assert r.returncode == 1 and "a.xlsx:Bands!A3: error: this gain band from 4% overlaps" in r.stderr


# --- the rules, clause by clause ---------------------------------------------------------------

SRC = Source("a.xlsx", "Partners", "A2", 2)


def alliance(bands=(), fees=("150000",), pain_cap="fee", kpis=()) -> Agreement:
    members = (Member("C", "Commissioner", "council", Role.COMMISSIONER, SRC, cost_share=D(100)),) + tuple(
        Member(f"P{i}", f"Provider {i}", "voluntary", Role.PROVIDER, SRC, target_cost=D("3000000") / len(fees),
               fee=D(f)) for i, f in enumerate(fees))
    return Agreement("A", "Alliance", AL, FinancialYear(2025), Source("a.xlsx"), members=members,
                     bands=tuple(bands), pain_cap=pain_cap, kpis=tuple(kpis))


def band(direction, low, high, share) -> Band:
    return Band(direction, D(low), None if high is None else D(high), D(share), SRC)


def test_no_bands_means_half_of_gain_and_half_of_pain_unbounded():
    assert banded_share(D("100000"), D("3000000"), (), "gain") == 50000
    assert banded_share(D("900000"), D("3000000"), (), "pain") == 450000


def test_kpi_achievement_is_linear_between_floor_and_target():
    seen = Kpi("SEEN", "Seen", D(3), D(95), D(75), "higher", SRC)
    readmit = Kpi("READMIT", "Readmissions", D(1), D(5), D(15), "lower", SRC)
    assert achievement(seen, D(91)) == Fraction(4, 5) and achievement(readmit, D(7)) == Fraction(4, 5)
    assert achievement(seen, D(100)) == 1 and achievement(seen, D(70)) == 0
    assert achievement(readmit, D(3)) == 1 and achievement(readmit, D(20)) == 0
    below = kpi_modifier((seen, readmit), {"SEEN": D(75), "READMIT": D(15)}, D("0.5"))
    assert below.score == 0 and below.modifier == 0
    missing = kpi_modifier((seen,), {}, D(0))
    assert missing.missing == ("SEEN",) and missing.score == 0


def test_australian_alliance_regime_half_gain_unlimited_half_pain_capped_at_fee():
    """Source: the Australian Government's National Alliance Contracting Guidelines (Department of
    Infrastructure and Transport, 2011; Guide to Alliance Contracting, 2015), whose commonly described
    risk and reward regime shares underruns 50:50 with no limit and gives the non-owner participants
    50% of overruns, capped at their fee (corporate overhead and profit)."""
    ag = alliance(fees=("100000",))
    one = KpiResult(Fraction(1), Fraction(1), ())
    gain = gain_pain(ag, D("2000000"), one)
    assert gain.gainshare == D("500000.00")  # unlimited: half of a 1,000,000.00 underrun
    pain = gain_pain(ag, D("3600000"), one)
    assert pain.pain_raw == D("300000.00") and pain.painshare == D("100000.00")
    assert pain.commissioners_bear == D("500000.00")


def test_nec4_style_target_cost_range_as_bands():
    """Source: NEC4 Engineering and Construction Contract, main Option C (target contract with activity
    schedule), the Contractor's share, with share ranges and percentages as a Contract Data entry
    might state them: 0% below 97.5% of the target, 50% from 97.5% to 102.5%, 100% above 102.5%,
    expressed here as gain and pain bands (no fee cap)."""
    bands = [band("gain", 0, "2.5", 50), band("gain", "2.5", None, 0),
             band("pain", 0, "2.5", 50), band("pain", "2.5", None, 100)]
    ag = alliance(bands=bands, pain_cap="none")
    one = KpiResult(Fraction(1), Fraction(1), ())
    assert gain_pain(ag, D("2850000"), one).gainshare == D("37500.00")  # 50% of the first 75,000.00 only
    assert gain_pain(ag, D("3150000"), one).painshare == D("112500.00")  # 37,500.00 + all of the next 75,000.00


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6_000_000_00), min_size=2, max_size=12),
       st.lists(st.tuples(st.integers(0, 20), st.integers(0, 100)), max_size=3))
def test_providers_share_never_rises_as_the_outturn_grows(outturns_pence, raw_bands):
    bands, low = [], 0
    for width, share in raw_bands:
        bands.append(band("gain", low, low + width + 1, share))
        bands.append(band("pain", low, low + width + 1, share))
        low += width + 1
    ag = alliance(bands=bands)
    points = curve(ag, [D(p) / 100 for p in sorted(outturns_pence)])
    shares = [providers for _, providers, _ in points]
    assert all(a >= b for a, b in zip(shares, shares[1:]))
    for actual, providers, commissioners in points:
        assert providers + commissioners == D("3000000") - actual


@pytest.mark.parametrize("outturn", ["2820000", "3240000", "3000000", "1000000", "5000000"])
def test_gain_and_pain_add_up(outturn):
    ag = alliance(bands=[band("gain", 0, 5, 50), band("gain", 5, None, 25), band("pain", 0, 5, 50),
                         band("pain", 5, None, 0)], fees=("45000", "30000", "75000"))
    kpi = KpiResult(Fraction(4, 5), Fraction(4, 5), ())
    r = gain_pain(ag, D(outturn), kpi)
    if r.variance > 0:
        assert r.gainshare + r.withheld == r.gain_raw and r.painshare == 0
    elif r.variance < 0:
        assert r.painshare <= D("150000") and r.painshare + r.commissioners_bear == -r.variance


def test_two_commissioners_share_the_cost_by_their_cost_shares(workbook, db):
    data = example_b()
    data["Partners"][0]["Cost share %"] = D(60)
    data["Partners"].insert(1, {"Partner": "GM-ICB", "Name": "NHS Greater Manchester", "Kind": "nhs_commissioner",
                                "Role": "commissioner", "Cost share %": D(40)})
    files = [workbook("a.xlsx", "agreement", data, AL), workbook("q4.xlsx", "return", year_end("2820000"), AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "STP-TPA", "2025-26-Q4")
    funding = {c: provider(doc, c)["items"]["funding_share"] for c in ("SMBC", "GM-ICB")}
    assert funding == {"SMBC": "1731600.00", "GM-ICB": "1154400.00"}  # 2,820,000 + 66,000 split 60/40
    assert sum(D(p["balance"]) for p in doc["partners"]) == 0


def test_a_spend_row_naming_a_provider_counts_in_its_actual_cost(workbook, db):
    ret = a_return("STP-TPA", "2025-26-Q1", "SMBC", Spend=[
        {"Date": date(2025, 5, 1), "Line": "THR", "Amount": D("1000"), "Provider": "AGE", "Reference": "X"}])
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q1.xlsx", "return", ret, AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "STP-TPA", "2025-26-Q1")
    assert provider(doc, "AGE")["items"]["actual_cost"] == "1000.00"
    assert provider(doc, "THR")["items"]["actual_cost"] == "0.00"


def test_before_q4_spend_naming_a_provider_counts_in_the_projection(workbook, db):
    q2 = a_return("STP-TPA", "2025-26-Q2", "SMBC",
                  Spend=[{"Date": date(2025, 8, 1), "Line": "THR", "Amount": D("1000"), "Provider": "AGE", "Reference": "X"}],
                  Forecast=[{"Line": code, "Forecast outturn": D(t)} for code, _, t in PROVIDERS])
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q2.xlsx", "return", q2, AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    doc = settle_json(db, "STP-TPA", "2025-26-Q2")
    # every line forecast at its target: the projected actual is the target, whoever the rows name
    assert doc["alliance"]["actual"] == "3000000.00"


def test_each_figure_explains_itself_in_its_own_direction(workbook, db):
    files = [workbook("a.xlsx", "agreement", example_b(), AL), workbook("q4.xlsx", "return", year_end("2820000"), AL)]
    assert run_cli("import", *files, db=db).returncode == 0
    why = provider(settle_json(db, "STP-TPA", "2025-26-Q4"), "THR")["explanations"]
    assert why["gainshare"].startswith("30% of actual gainshare 66,000.00")
    assert why["painshare"].startswith("no pain: actual gainshare")
