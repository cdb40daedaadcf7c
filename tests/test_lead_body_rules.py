"""SPEC section 5.1, clause by clause, on the pure rules (no database, no workbook)."""

from __future__ import annotations

from decimal import Decimal as D

from contracts.lead_body import instalments, settle, split_variance
from ledger.figures import SettlementInputs, YearToDate
from ledger.periods import FinancialYear, Period
from ledger.problems import Source
from ledger.records import Agreement, Amounts, Arrangement, Instalment, Line, Member, Role, Underspend

SRC = Source("a.xlsx", "Partners", "A2", 2)
Y = FinancialYear(2025)


def member(code: str, role: Role, contribution: str, **kw) -> Member:
    return Member(code, code.title(), "council", role, SRC, contribution=D(contribution), **kw)


def agreement(*members: Member, underspend=Underspend.RETURN, lines=None, schedule=()) -> Agreement:
    lines = lines or (Line("L1", "Line one", sum((m.contribution for m in members), D(0)), SRC),)
    return Agreement("P1", "Pool one", Arrangement.LEAD_BODY, Y, Source("a.xlsx"), host=members[0].partner,
                     underspend=underspend, members=tuple(members), lines=tuple(lines), schedule=tuple(schedule))


def inputs(ag: Agreement, quarter: int, spend: str, paid: dict[str, str] | None = None, **kw) -> SettlementInputs:
    ytd = YearToDate(spend=Amounts.of([("L1", D(spend))]),
                     contributions=Amounts.of((k, D(v)) for k, v in (paid or {}).items()), **kw)
    return SettlementInputs(ag, Period(Y, quarter), ytd)


def test_overspend_shares_default_to_contribution_shares():
    parties = (member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    split = split_variance(D("100.00"), parties, "H", Underspend.RETURN)
    assert split.shares == (D("60.00"), D("40.00")) and split.residual == 0


def test_overspend_shares_given_in_the_agreement_replace_contribution_shares():
    parties = (member("H", Role.HOST, "600", overspend_share=D(50)), member("C", Role.CONTRIBUTOR, "400", overspend_share=D(50)))
    split = split_variance(D("100.00"), parties, "H", Underspend.RETURN)
    assert split.shares == (D("50.00"), D("50.00")) and split.basis == "overspend share"


def test_a_host_with_no_overspend_share_still_bears_the_residual_of_capped_partners():
    """Caps leave a residual when every part is capped or has zero weight: the host bears it."""
    parties = (member("H", Role.HOST, "600", overspend_share=D(0)),
               member("C", Role.CONTRIBUTOR, "400", overspend_share=D(100), cap=D("30")))
    split = split_variance(D("100.00"), parties, "H", Underspend.RETURN)
    assert split.shares == (D("70.00"), D("30.00")) and split.residual == D("70.00")


def test_a_cap_on_the_host_is_ignored():
    parties = (member("H", Role.HOST, "600", cap=D("1")), member("C", Role.CONTRIBUTOR, "400"))
    assert split_variance(D("100.00"), parties, "H", Underspend.RETURN).shares == (D("60.00"), D("40.00"))


def test_an_underspend_is_returned_by_underspend_shares():
    parties = (member("H", Role.HOST, "600", underspend_share=D(25)), member("C", Role.CONTRIBUTOR, "400", underspend_share=D(75)))
    split = split_variance(D("-100.00"), parties, "H", Underspend.RETURN)
    assert split.shares == (D("-25.00"), D("-75.00")) and split.carried_total == 0


def test_an_underspend_carried_forward_is_not_refunded():
    parties = (member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    split = split_variance(D("-100.00"), parties, "H", Underspend.CARRY_FORWARD)
    assert split.carried_forward == (D("60.00"), D("40.00")) and split.carried_total == D("100.00")


def test_a_schedule_replaces_equal_instalments():
    m = member("C", Role.CONTRIBUTOR, "1000")
    ag = agreement(member("H", Role.HOST, "1"), m, schedule=(
        Instalment("C", 1, D("700"), SRC), Instalment("C", 3, D("300"), SRC)))
    assert instalments(m, ag) == (D("700"), D("0"), D("300"), D("0"))


def test_at_q4_the_balance_is_due_plus_risk_share_less_paid():
    ag = agreement(member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    st = settle(inputs(ag, 4, "1100", paid={"H": "600", "C": "300"}))
    assert [(p.partner, p.amount("risk_share"), p.balance) for p in st.partners] == [
        ("H", D("60.00"), D("60.00")), ("C", D("40.00"), D("140.00"))]
    assert st.totals.pool_cash == D("-200.00")


def test_before_q4_an_underspend_is_projected_from_forecasts_and_not_payable():
    ag = agreement(member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    st = settle(inputs(ag, 2, "300", forecasts=Amounts.of([("L1", D("900"))])))
    assert st.totals.forecast == D("900") and st.totals.variance == D("-100")
    assert [p.amount("forecast_variance_share") for p in st.partners] == [D("-60.00"), D("-40.00")]
    assert [p.amount("risk_share") for p in st.partners] == [D("0"), D("0")]


def test_a_line_with_no_forecast_is_forecast_at_spend_to_date_when_that_is_higher_with_a_warning():
    ag = agreement(member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    st = settle(inputs(ag, 2, "1200"))
    assert st.totals.forecast == D("1200")
    assert any("no forecast" in p.message for p in st.problems)


def test_line_budgets_that_do_not_add_up_to_the_pool_budget_are_a_warning():
    ag = agreement(member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"),
                   lines=(Line("L1", "Line one", D("900"), SRC),))
    st = settle(inputs(ag, 1, "0"))
    assert any(str(p.source) == "a.xlsx:Lines" and "sum to 900.00" in p.message for p in st.problems)


def test_carried_in_money_adds_to_the_budget():
    ag = agreement(member("H", Role.HOST, "600"), member("C", Role.CONTRIBUTOR, "400"))
    st = settle(SettlementInputs(ag, Period(Y, 4), YearToDate(spend=Amounts.of([("L1", D("1050"))])), carried_in=D("50")))
    assert st.totals.budget == D("1050") and st.totals.variance == 0
