"""Property tests (hypothesis) of SPEC 5.2-5.4: the pure ``settle`` of each arrangement.

The agreements (``Agreement``/``Member``/``Line``/``LineShare``) and the books to date
(``YearToDate``) are built by hand, no database, in the style of ``tests/test_properties.py``,
whose helpers are reused.

1. aligned (``contracts.aligned.settle``, SPEC 5.3): balances sum to zero, transfers and
   projected transfers sum to zero, ``shared`` brings each partner to its ``allocate`` share of
   the total variance, ``none`` moves nothing, ``paid`` is 0, whole pence, row order irrelevant.
2. joint_commissioning (``contracts.joint_commissioning.settle``, SPEC 5.4): cost shares add up
   to the net spend, line by line as ``allocate`` splits it and within a penny a line of the exact
   share, balances sum to zero, whole pence, row order irrelevant.
3. joint_venture (``contracts.pooled_fund.settle``, SPEC 5.2 with 5.1's law): conservation with
   the entity's cash over one or two chained years, the year-end identity, capped risk shares plus
   the unfunded deficit make the overspend, the entity holds no balance, reserves shares add up.
4. Regression tests for the bugs 1-3 found (minimal examples in the comments).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from contracts import aligned, joint_commissioning, pooled_fund
from ledger.figures import SettlementInputs, YearToDate
from ledger.money import AllocationError, allocate
from ledger.periods import FinancialYear, Period
from ledger.problems import Source
from ledger.records import Agreement, Amounts, Arrangement, Line, LineShare, Member, Role, Underspend
from ledger.statement import PartnerStatement, Statement
from tests.test_properties import (
    CODES,
    SRC,
    Y1,
    History,
    QuarterRows,
    cap_pence,
    carried_from,
    contribution_pence,
    figures,
    is_whole_pence,
    pence,
    reference_allocate,
    shares_st,
    steer_variance,
    year_rows,
    ytd_of,
)

ZERO = Decimal(0)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
# the xfail tests pin known bugs: no shrinking (their minimal examples are in the comments)
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
LINES = ("HOUSING", "FAMILY", "HEALTH", "CAMHS", "REABLE")


def total(xs) -> Decimal:
    return sum(xs, ZERO)


def check_whole_pence(statement: Statement) -> None:
    for name, value in figures(statement):
        assert is_whole_pence(value), f"{name} = {value} is not a whole number of pence"


# --------------------------------------------------------------------------------------------
# Books for the pools without a pooled fund: rows that say who paid or received
# --------------------------------------------------------------------------------------------


@dataclass
class Rows:
    """One quarter's rows: spend (line, paid by), income (line, received by), transfers, forecasts."""

    spend: list[tuple[str, str, Decimal]] = field(default_factory=list)
    income: list[tuple[str, str, Decimal]] = field(default_factory=list)
    transfers: list[tuple[str, str, Decimal]] = field(default_factory=list)
    forecasts: dict[str, Decimal] = field(default_factory=dict)


@st.composite
def rows_st(draw: st.DrawFn, lines: tuple[str, ...], payers: tuple[str, ...], movers: tuple[str, ...],
            scale: int) -> Rows:
    """``payers`` pay spend and receive income; ``movers`` (members and former members) transfer."""
    amount = st.one_of(st.integers(-(10**5), scale), st.integers(0, 1000)).map(pence)
    rows = Rows()
    rows.spend = draw(st.lists(st.tuples(st.sampled_from(lines), st.sampled_from(payers), amount), max_size=4))
    rows.income = draw(st.lists(
        st.tuples(st.sampled_from(lines), st.sampled_from(payers), st.integers(0, scale // 4 + 1).map(pence)),
        max_size=2))
    rows.transfers = [
        (a, b, x)
        for a, b, x in draw(st.lists(
            st.tuples(st.sampled_from(movers), st.sampled_from(movers), st.integers(1, scale // 4 + 1).map(pence)),
            max_size=3))
        if a != b
    ]
    for ln in lines:
        if draw(st.booleans()):
            rows.forecasts[ln] = pence(draw(st.integers(0, 4 * scale)))
    return rows


def ytd_from(quarters: dict[int, Rows], q: int, order: random.Random | None = None) -> YearToDate:
    """YearToDate as ``ledger.store.reads.year_to_date`` sums it, from the rows of Q1..q."""
    spend: list[tuple[str, str, Decimal]] = []
    income: list[tuple[str, str, Decimal]] = []
    transfers: list[tuple[str, str, Decimal]] = []
    forecasts: dict[str, Decimal] = {}
    for k in range(1, q + 1):
        spend += quarters[k].spend
        income += quarters[k].income
        transfers += quarters[k].transfers
        forecasts.update(quarters[k].forecasts)
    if order is not None:
        for rows in (spend, income, transfers):
            order.shuffle(rows)
    return YearToDate(
        spend=Amounts.of((ln, x) for ln, _, x in spend),
        income=Amounts.of((ln, x) for ln, _, x in income),
        spend_paid_by=Amounts.of((p, x) for _, p, x in spend),
        income_received_by=Amounts.of((p, x) for _, p, x in income),
        transfers_out=Amounts.of((a, x) for a, _b, x in transfers),
        transfers_in=Amounts.of((b, x) for _a, b, x in transfers),
        forecasts=Amounts(tuple(sorted(forecasts.items()))),
    )


@st.composite
def brought_forward_st(draw: st.DrawFn, codes: tuple[str, ...]) -> Amounts:
    """Balances from the year before that sum to zero (as they do in a pool with no cash)."""
    if not draw(st.booleans()):
        return Amounts()
    parts = draw(st.lists(st.integers(-(10**8), 10**8), min_size=len(codes) - 1, max_size=len(codes) - 1))
    return Amounts.of(zip(codes, [pence(p) for p in [*parts, -sum(parts)]]))


def former_member(draw: st.DrawFn, codes: tuple[str, ...], role: Role) -> tuple[Member, ...]:
    left = [c for c in CODES if c not in codes]
    if not left or not draw(st.booleans()):
        return ()
    code = draw(st.sampled_from(left))
    return (Member(code, f"{code} (former)", "council", role, SRC),)


def outturn(line: Line, ytd: YearToDate, final: bool) -> Decimal:
    """SPEC 5: the line's actual at Q4; before, its latest forecast, else its budget or its
    net spend to date if that is already higher."""
    net = ytd.net_spend(line.code)
    if final:
        return net
    if line.code in ytd.forecasts:
        return ytd.forecasts[line.code]
    return max(net, line.budget)


def check_row_order(settle, inputs: SettlementInputs, quarters: dict[int, Rows], data: st.DataObject,
                    statement: Statement) -> None:
    seed = data.draw(st.integers(0, 2**32 - 1), label="row order seed")
    shuffled = replace(inputs, ytd=ytd_from(quarters, inputs.period.quarter, random.Random(seed)))
    assert settle(shuffled).as_json() == statement.as_json()


# --------------------------------------------------------------------------------------------
# 1. aligned (SPEC 5.3)
# --------------------------------------------------------------------------------------------


@dataclass
class AlignedCase:
    ag: Agreement
    quarters: dict[int, Rows]
    brought_forward: Amounts
    former: tuple[Member, ...]


@st.composite
def aligned_case(draw: st.DrawFn, risk: str | None = None, target: int | None | str = "any",
                 zero_budgets: bool = False) -> AlignedCase:
    """2-5 contributors, lines each owned by one, random budgets, shares, a year of rows.

    ``target``: the Q4 total variance V in pence (a spend row steers it), None to leave it free,
    "any" to draw it. ``zero_budgets``: every line budget is 0 and no share column is given."""
    n = draw(st.integers(2, 5))
    codes = tuple(draw(st.permutations(CODES))[:n])
    over = None if zero_budgets else draw(st.one_of(st.none(), shares_st(n)))
    under = None if zero_budgets else draw(st.one_of(st.none(), shares_st(n)))
    members = tuple(
        Member(c, f"{c} body", "council", Role.CONTRIBUTOR, SRC,
               overspend_share=None if over is None else over[i],
               underspend_share=None if under is None else under[i])
        for i, c in enumerate(codes)
    )
    nlines = draw(st.integers(1, len(LINES)))
    budget_pence = st.just(0) if zero_budgets else st.one_of(st.integers(0, 10**9), st.integers(0, 1000))
    budgets = draw(st.lists(budget_pence, min_size=nlines, max_size=nlines))
    if not zero_budgets and not any(budgets):
        budgets[-1] = draw(st.integers(1, 10**9))  # all-zero budgets: see the xfail test below
    lines = tuple(Line(LINES[i], f"line {i}", pence(b), SRC, owner=draw(st.sampled_from(codes)))
                  for i, b in enumerate(budgets))
    ag = Agreement("GEN-AL", "Generated aligned pool", Arrangement.ALIGNED, Y1, Source("generated.xlsx"),
                   aligned_risk_share=risk or draw(st.sampled_from(["none", "shared"])),
                   members=members, lines=lines)
    former = former_member(draw, codes, Role.CONTRIBUTOR)
    movers = codes + tuple(m.partner for m in former)
    scale = max(sum(budgets) // 4, 100)
    line_codes = tuple(ln.code for ln in lines)
    quarters = {q: draw(rows_st(line_codes, codes, movers, scale), label=f"Q{q} rows") for q in (1, 2, 3, 4)}
    if target == "any":
        target = draw(st.one_of(st.none(), st.just(0), st.integers(-5, 5), st.integers(-4 * scale, 4 * scale)))
    if target is not None:
        # a Q4 spend row so that the year's total variance is the target
        net = ytd_from(quarters, 4).total_net_spend
        ln = draw(st.sampled_from(lines))
        quarters[4].spend.append((ln.code, ln.owner or codes[0], pence(sum(budgets) + target) - net))
    return AlignedCase(ag, quarters, draw(brought_forward_st(movers)), former)


def aligned_expected_shares(ag: Agreement, budgets: list[Decimal], variance: Decimal) -> tuple[Decimal, ...]:
    """share_i(V) of SPEC 5.3: allocate(V, overspend shares) if V > 0 else allocate(V, underspend
    shares), each defaulting to the budget shares B_i / sum B."""
    field_ = "overspend_share" if variance > 0 else "underspend_share"
    given = [getattr(m, field_) for m in ag.members]
    weights = budgets if all(g is None for g in given) else [g or ZERO for g in given]
    return allocate(variance, weights)


def aligned_inputs(case: AlignedCase, q: int) -> SettlementInputs:
    return SettlementInputs(agreement=case.ag, period=Period(case.ag.year, q), ytd=ytd_from(case.quarters, q),
                            brought_forward=case.brought_forward, former_members=case.former)


def check_aligned(statement: Statement, inputs: SettlementInputs) -> tuple[Decimal, list[PartnerStatement]]:
    """Every figure of SPEC 5.3 but the shared split at V == 0; returns V and the members' lines."""
    ag, ytd, final = inputs.agreement, inputs.ytd, inputs.final
    note(f"{inputs.period}: {statement.as_json()['totals']}")
    check_whole_pence(statement)
    assert [p.partner for p in statement.partners] == [m.partner for m in ag.members + inputs.former_members]
    own = list(statement.partners[: len(ag.members)])
    budgets = [total(ln.budget for ln in ag.lines if ln.owner == m.partner) for m in ag.members]
    for p, m, b in zip(own, ag.members, budgets):
        mine = [ln for ln in ag.lines if ln.owner == m.partner]
        assert p.amount("budget") == b
        assert p.amount("spend") == total(ytd.net_spend(ln.code) for ln in mine)
        assert p.amount("variance") == total(outturn(ln, ytd, final) for ln in mine) - b
    for p in statement.partners:
        assert p.paid == 0  # no money is paid into a pool
        assert p.obligation == p.amount("transfer") + p.amount("savings_transfer")
        assert p.balance == (inputs.brought_forward[p.partner] + p.obligation
                             - ytd.transfers_out[p.partner] + ytd.transfers_in[p.partner])
    variance = total(p.amount("variance") for p in own)
    transfers = [p.amount("transfer") for p in own]
    projected = [p.amount("projected_transfer") for p in own]
    assert total(transfers) == 0 and total(projected) == 0
    assert total(p.balance for p in statement.partners) == 0  # the brought-forward balances sum to zero
    assert transfers == (projected if final else [ZERO] * len(own))
    if ag.aligned_risk_share == "none":
        assert all(x == 0 for x in transfers + projected)
    elif variance != 0:  # V == 0: test_aligned_shared_nil_total_variance_still_moves_money
        expected = aligned_expected_shares(ag, budgets, variance)
        for p, share in zip(own, expected):
            assert p.amount("variance") + p.amount("projected_transfer") == share, p.partner
    assert statement.totals.budget == total(ln.budget for ln in ag.lines)
    assert statement.totals.pool_cash == 0
    if final:
        assert statement.totals.forecast == ytd.total_net_spend
        assert variance == statement.totals.variance
    event("aligned", f"{ag.aligned_risk_share}, V {'>' if variance > 0 else '<' if variance < 0 else '='} 0")
    return variance, own


@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
def test_aligned_settlement(data: st.DataObject) -> None:
    case = data.draw(aligned_case(), label="aligned pool")
    for q in (1, 2, 3, 4):
        inputs = aligned_inputs(case, q)
        statement = aligned.settle(inputs)
        check_aligned(statement, inputs)
        check_row_order(aligned.settle, inputs, case.quarters, data, statement)


@given(data=st.data())
@settings(max_examples=50, deadline=None, suppress_health_check=SLOW, phases=NO_SHRINK)
# Minimal example: worked example L with FAMILY at 120,000.00 (not 140,000.00): V_i = NDC +30,000.00,
# DCC -30,000.00, NHSD 0.00, V = 0. Expected transfers NDC -30,000.00, DCC +30,000.00 (DCC's
# underspend covers NDC's overspend); actual 0.00 for all, so NDC alone bears its overspend.
def test_aligned_shared_nil_total_variance_still_moves_money(data: st.DataObject) -> None:
    case = data.draw(aligned_case(risk="shared", target=0), label="aligned pool, V = 0 at Q4")
    inputs = aligned_inputs(case, 4)
    statement = aligned.settle(inputs)
    variance, own = check_aligned(statement, inputs)
    assert variance == 0
    for p in own:  # each partner bears its share of V = 0: nothing
        assert p.amount("variance") + p.amount("transfer") == 0, (p.partner, p.amount("variance"))


@given(data=st.data())
@settings(max_examples=50, deadline=None, suppress_health_check=SLOW, phases=NO_SHRINK)
# Minimal example: contributors SBC and PCT, shared, no share columns, one line HOUSING (owner SBC,
# budget 0.00); Q4 spend 0.01. Transfers SBC -0.01, PCT 0.00: they sum to -0.01, so do the balances,
# and no problem is reported.
def test_aligned_shared_with_no_budgets_never_creates_money(data: st.DataObject) -> None:
    case = data.draw(aligned_case(risk="shared", target=None, zero_budgets=True), label="aligned, budgets 0")
    inputs = aligned_inputs(case, 4)
    try:
        statement = aligned.settle(inputs)
    except (AllocationError, ValueError):
        return  # refusing the agreement is a correct answer
    if any(p.is_error for p in statement.problems):
        return  # so is reporting it as an error
    own = statement.partners[: len(case.ag.members)]
    assert total(p.amount("transfer") for p in own) == 0
    assert total(p.balance for p in statement.partners) == 0


# --------------------------------------------------------------------------------------------
# 2. joint_commissioning (SPEC 5.4)
# --------------------------------------------------------------------------------------------


@dataclass
class JcCase:
    ag: Agreement
    quarters: dict[int, Rows]
    brought_forward: Amounts
    former: tuple[Member, ...]


@st.composite
def jc_case(draw: st.DrawFn) -> JcCase:
    """2-4 commissioners with cost shares summing to 100, LineShares on some lines, a year of rows."""
    n = draw(st.integers(2, 4))
    codes = tuple(draw(st.permutations(CODES))[:n])
    cost = draw(shares_st(n))
    members = tuple(Member(c, f"{c} body", "council", Role.COMMISSIONER, SRC, cost_share=cost[i])
                    for i, c in enumerate(codes))
    nlines = draw(st.integers(1, 4))
    budgets = draw(st.lists(st.integers(0, 10**9), min_size=nlines, max_size=nlines))
    lines = tuple(Line(LINES[i], f"line {i}", pence(b), SRC, provider="A provider") for i, b in enumerate(budgets))
    line_shares: list[LineShare] = []
    for ln in lines:
        if draw(st.booleans()):
            shares = draw(shares_st(n))
            # a commissioner with no row for the line has no share of it
            line_shares += [LineShare(ln.code, c, s, SRC) for c, s in zip(codes, shares)
                            if s or draw(st.booleans())]
    ag = Agreement("GEN-JC", "Generated joint commissioning", Arrangement.JOINT_COMMISSIONING, Y1,
                   Source("generated.xlsx"), host=draw(st.sampled_from(codes)), members=members, lines=lines,
                   line_shares=tuple(draw(st.permutations(line_shares))))
    former = former_member(draw, codes, Role.COMMISSIONER)
    movers = codes + tuple(m.partner for m in former)
    scale = max(sum(budgets) // 4, 100)
    line_codes = tuple(ln.code for ln in lines)
    quarters = {q: draw(rows_st(line_codes, codes, movers, scale), label=f"Q{q} rows") for q in (1, 2, 3, 4)}
    return JcCase(ag, quarters, draw(brought_forward_st(movers)), former)


def line_weights(ag: Agreement, line: str) -> list[Fraction]:
    rows = [s for s in ag.line_shares if s.line == line]
    if rows:
        return [Fraction(sum((s.cost_share for s in rows if s.partner == m.partner), ZERO)) for m in ag.members]
    return [Fraction(m.cost_share or 0) for m in ag.members]


@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
def test_joint_commissioning_settlement(data: st.DataObject) -> None:
    case = data.draw(jc_case(), label="joint commissioning pool")
    ag = case.ag
    for q in (1, 2, 3, 4):
        inputs = SettlementInputs(agreement=ag, period=Period(ag.year, q), ytd=ytd_from(case.quarters, q),
                                  brought_forward=case.brought_forward, former_members=case.former)
        ytd = inputs.ytd
        statement = joint_commissioning.settle(inputs)
        note(f"{inputs.period}: {statement.as_json()['totals']}")
        check_whole_pence(statement)
        assert [p.partner for p in statement.partners] == [m.partner for m in ag.members + case.former]
        own = statement.partners[: len(ag.members)]
        shares = [p.amount("cost_share") for p in own]
        # the cost shares are the net spend, shared out
        assert total(shares) == ytd.total_net_spend
        # line by line, allocate() of the line's net spend by its weights (SPEC 4, written independently) ...
        by_line = [reference_allocate(int(ytd.net_spend(ln.code) * 100), line_weights(ag, ln.code)) for ln in ag.lines]
        assert [int(s * 100) for s in shares] == [sum(parts) for parts in zip(*by_line)]
        # ... so within a penny a line (with spend) of the exact share
        lines_spent = sum(1 for ln in ag.lines if ytd.net_spend(ln.code) != 0)
        for i, (p, s) in enumerate(zip(own, shares)):
            exact = sum((Fraction(ytd.net_spend(ln.code)) * w[i] / sum(w)
                         for ln in ag.lines for w in [line_weights(ag, ln.code)]), Fraction(0))
            if lines_spent:
                assert abs(Fraction(s) - exact) < Fraction(lines_spent, 100), p.partner
            else:
                assert s == 0
        for p in statement.partners:
            spent = ytd.spend_paid_by[p.partner]
            received = ytd.income_received_by[p.partner]
            assert p.amount("paid_direct") == spent and p.amount("income_received") == received
            assert p.paid == spent - received
            assert p.obligation == p.amount("cost_share") + p.amount("savings_transfer")
            assert p.balance == (inputs.brought_forward[p.partner] + p.obligation - p.paid
                                 - ytd.transfers_out[p.partner] + ytd.transfers_in[p.partner])
        assert total(p.balance for p in statement.partners) == 0
        assert statement.totals.budget == total(ln.budget for ln in ag.lines)
        assert statement.totals.pool_cash == 0
        if inputs.final:
            assert statement.totals.forecast == ytd.total_net_spend
        event("line shares", str(bool(ag.line_shares)))
        check_row_order(joint_commissioning.settle, inputs, case.quarters, data, statement)


# --------------------------------------------------------------------------------------------
# 3. joint_venture (SPEC 5.2, with the conservation law of 5.1)
# --------------------------------------------------------------------------------------------

ENTITY = "JV-CO"


@st.composite
def jv_agreement(draw: st.DrawFn, year: FinancialYear, keep: tuple[str, ...] = (),
                 entity_first: bool = True) -> Agreement:
    """The entity (role host, kind joint_venture) and 2-4 owners: contributions, ownership summing
    to 100, optional caps (0 included); underspend carry_forward (the default) or return."""
    if keep:
        # next year's terms: owners may leave, new ones join
        newcomers = [c for c in CODES if c not in keep]
        stay = [c for c in keep if draw(st.booleans())]
        join = draw(st.lists(st.sampled_from(newcomers), max_size=2, unique=True))
        codes = (stay + join)[:4]
        codes += [c for c in [*keep, *newcomers] if c not in codes][: max(0, 2 - len(codes))]
        codes = list(draw(st.permutations(codes)))
    else:
        codes = list(draw(st.permutations(CODES))[: draw(st.integers(2, 4))])
    n = len(codes)
    contributions = draw(st.lists(contribution_pence, min_size=n, max_size=n))
    if not any(contributions):
        contributions[draw(st.integers(0, n - 1))] = draw(st.integers(1, 10**9))
    ownership = draw(shares_st(n))
    caps = draw(st.lists(cap_pence, min_size=n, max_size=n))
    owners = [
        Member(c, f"{c} body", "council", Role.OWNER, SRC, contribution=pence(contributions[i]),
               ownership=ownership[i], cap=None if caps[i] is None else pence(caps[i]))
        for i, c in enumerate(codes)
    ]
    entity = Member(ENTITY, "The company", "joint_venture", Role.HOST, SRC)
    at = 0 if entity_first else draw(st.integers(0, n))
    members = tuple(owners[:at] + [entity] + owners[at:])
    nlines = draw(st.integers(1, 3))
    budgets = draw(st.lists(st.integers(0, 2 * 10**9), min_size=nlines, max_size=nlines))
    lines = tuple(Line(LINES[i], f"line {i}", pence(b), SRC) for i, b in enumerate(budgets))
    underspend = draw(st.sampled_from([Underspend.CARRY_FORWARD, Underspend.CARRY_FORWARD, Underspend.RETURN]))
    return Agreement("GEN-JV", "Generated joint venture", Arrangement.JOINT_VENTURE, year, Source("generated.xlsx"),
                     host=ENTITY, underspend=underspend, members=members, lines=lines)


def jv_inputs(ag: Agreement, quarters: dict[int, QuarterRows], q: int, hist: History) -> SettlementInputs:
    return SettlementInputs(agreement=ag, period=Period(ag.year, q), ytd=ytd_of(quarters, q),
                            brought_forward=hist.brought_forward, former_members=hist.former,
                            carried_in=hist.carried_in, cash_before=hist.cash_before)


def check_jv(statement: Statement, inputs: SettlementInputs, hist: History, year_end_law: bool = True) -> None:
    ag, ytd, final = inputs.agreement, inputs.ytd, inputs.final
    note(f"{inputs.period}: {statement.as_json()['totals']}")
    check_whole_pence(statement)
    owners = ag.with_role(Role.OWNER)
    by_code = {p.partner: p for p in statement.partners}
    assert sorted(by_code) == sorted(m.partner for m in ag.members + inputs.former_members)
    assert len(by_code) == len(statement.partners)
    # the entity holds no balance (and no figure at all)
    entity = by_code[ENTITY]
    assert entity.balance == 0 and entity.obligation == 0 and entity.paid == 0
    assert all(it.amount == 0 for it in entity.items)
    net = ytd.total_net_spend
    balances = total(p.balance for p in statement.partners)
    obligations = total(p.obligation for p in statement.partners)
    t = statement.totals
    # pool cash = the entity's cash: all contributions paid in less all net spend, every year
    assert t.pool_cash == inputs.cash_before + ytd.contributions.total() - net
    # SPEC 5.1 conservation with the entity's cash, at any period
    assert balances + t.pool_cash == hist.obligations + obligations - hist.net_spend - net
    budget = total(m.contribution or ZERO for m in owners) + inputs.carried_in
    assert t.budget == budget
    for m in owners:
        p = by_code[m.partner]
        due = total(allocate(m.contribution or ZERO, [1, 1, 1, 1])[: inputs.period.quarter])
        assert p.amount("due") == due
        assert p.amount("ownership") == (m.ownership or ZERO) / 100
        assert p.obligation == due + p.amount("risk_share") + p.amount("savings_transfer")
        assert p.balance == (inputs.brought_forward[m.partner] + p.obligation - ytd.contributions[m.partner]
                             - ytd.transfers_out[m.partner] + ytd.transfers_in[m.partner])
    own = [by_code[m.partner] for m in owners]
    assert t.residual == 0  # no host to bear it: the rest is the unfunded deficit
    # the variance shares and the unfunded deficit make the (projected) variance
    assert total(p.amount("forecast_variance_share") for p in own) + t.unfunded_deficit == t.variance
    # reserves: carried in before Q4; at Q4 carried forward less the unfunded deficit
    reserves = t.carried_forward - t.unfunded_deficit if final else inputs.carried_in
    assert total(p.amount("reserves_share") for p in own) == reserves
    risk = [p.amount("risk_share") for p in own]
    if not final:
        assert all(r == 0 for r in risk)
        return
    variance = net - budget
    assert t.forecast == net and t.variance == variance
    event("JV Q4 variance", "overspend" if variance > 0 else "underspend" if variance < 0 else "none")
    event("JV Q4 unfunded deficit", str(t.unfunded_deficit > 0))
    if year_end_law:
        assert balances + t.pool_cash == t.carried_forward - t.unfunded_deficit
    if variance > 0:
        assert total(risk) + t.unfunded_deficit == variance
        assert t.carried_forward == 0
        for m, r in zip(owners, risk):
            assert r >= 0
            if m.cap is not None:
                assert r <= m.cap, f"{m.partner} bears {r} over its cap {m.cap}"
        if t.unfunded_deficit:
            # only when every owner with a share is at its cap
            assert all(m.cap is not None and r == m.cap for m, r in zip(owners, risk) if m.ownership)
    else:
        assert t.unfunded_deficit == 0
        if ag.underspend is Underspend.RETURN:
            assert total(risk) == variance and all(r <= 0 for r in risk) and t.carried_forward == 0
        else:
            assert all(r == 0 for r in risk)
            assert total(p.amount("carried_forward") for p in own) == -variance == t.carried_forward


def jv_year(data: st.DataObject, ag: Agreement, quarters: dict[int, QuarterRows], hist: History,
            year_end_law: bool = True) -> tuple[Statement, SettlementInputs]:
    final: tuple[Statement, SettlementInputs] | None = None
    for q in (1, 2, 3, 4):
        inputs = jv_inputs(ag, quarters, q, hist)
        statement = pooled_fund.settle(inputs)
        check_jv(statement, inputs, hist, year_end_law)
        seed = data.draw(st.integers(0, 2**32 - 1), label="row order seed")
        shuffled = replace(inputs, ytd=ytd_of(quarters, q, random.Random(seed)))
        assert pooled_fund.settle(shuffled).as_json() == statement.as_json()
        final = (statement, inputs)
    assert final is not None
    return final


def jv_payers(ag: Agreement, hist: History) -> tuple[str, ...]:
    """Who may contribute and transfer: the owners and former owners, never the entity."""
    return tuple(m.partner for m in ag.with_role(Role.OWNER)) + tuple(m.partner for m in hist.former)


@given(data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=SLOW)
def test_joint_venture_settlement(data: st.DataObject) -> None:
    ag1 = data.draw(jv_agreement(Y1), label="year 1 agreement")
    hist = History()
    rows1 = year_rows(data, ag1, jv_payers(ag1, hist))
    steer_variance(ag1, rows1, ZERO)
    st4, in4 = jv_year(data, ag1, rows1, hist)
    if not data.draw(st.booleans(), label="a second year"):
        return
    if st4.totals.unfunded_deficit:
        # a deficit left in the entity is lost to the next year: test_joint_venture_deficit_chained_*
        return
    keep = tuple(m.partner for m in ag1.with_role(Role.OWNER))
    ag2 = data.draw(jv_agreement(Y1.next(), keep), label="year 2 agreement")
    hist2 = carried_from(st4, in4, ag2, hist)  # as ledger.services.settling.carried_into chains years
    event("JV carried in", str(hist2.carried_in != 0))
    rows2 = year_rows(data, ag2, jv_payers(ag2, hist2))
    steer_variance(ag2, rows2, hist2.carried_in)
    st2, _ = jv_year(data, ag2, rows2, hist2)
    listed = {p.partner for p in st2.partners}
    assert all(p.partner in listed for p in st4.partners if p.balance != 0)


@given(data=st.data())
@settings(max_examples=50, deadline=None, suppress_health_check=SLOW, phases=NO_SHRINK)
# Minimal example: worked example J (unfunded deficit 80,000.00; balances RBK 120,000.00, LBR
# 100,000.00; pool cash -300,000.00; reserves -80,000.00), then 2026-27 on the same terms with the
# contributions paid and net spend 10,000,000.00 (V = 0). Year 2: reserves shares 0.00 at Q1 (the
# entity still holds -80,000.00); at Q4 balances 220,000.00 + pool cash -300,000.00 = -80,000.00,
# but carried_forward - unfunded_deficit = 0.00.
def test_joint_venture_deficit_chained_into_the_next_year_keeps_the_year_end_law(data: st.DataObject) -> None:
    ag1 = data.draw(jv_agreement(Y1), label="year 1 agreement")
    # every owner capped, so a large enough overspend leaves an unfunded deficit
    ag1 = replace(ag1, members=tuple(replace(m, cap=m.cap if m.cap is not None else pence(data.draw(
        st.integers(0, 10**6)))) if m.role is Role.OWNER else m for m in ag1.members))
    hist = History()
    rows1 = year_rows(data, ag1, jv_payers(ag1, hist))
    caps = total(m.cap or ZERO for m in ag1.with_role(Role.OWNER))
    rows1[4].target_variance = int(caps * 100) + data.draw(st.integers(1, 10**8), label="deficit (pence)")
    steer_variance(ag1, rows1, ZERO)
    st4, in4 = jv_year(data, ag1, rows1, hist)
    assert st4.totals.unfunded_deficit > 0
    keep = tuple(m.partner for m in ag1.with_role(Role.OWNER))
    ag2 = data.draw(jv_agreement(Y1.next(), keep), label="year 2 agreement")
    hist2 = carried_from(st4, in4, ag2, hist)
    rows2 = year_rows(data, ag2, jv_payers(ag2, hist2))
    steer_variance(ag2, rows2, hist2.carried_in)
    jv_year(data, ag2, rows2, hist2)  # checks the year-end law at year 2's Q4


@given(data=st.data())
@settings(max_examples=50, deadline=None, suppress_health_check=SLOW, phases=NO_SHRINK)
# Minimal example: members SBC (owner), JV-CO (entity), PCT (owner): the statement lists
# JV-CO, SBC, PCT.
def test_joint_venture_partners_in_the_agreements_order(data: st.DataObject) -> None:
    ag = data.draw(jv_agreement(Y1, entity_first=False), label="agreement")
    hist = History()
    rows = year_rows(data, ag, jv_payers(ag, hist))
    statement = pooled_fund.settle(jv_inputs(ag, rows, data.draw(st.integers(1, 4), label="quarter"), hist))
    assert [p.partner for p in statement.partners] == [m.partner for m in ag.members]
