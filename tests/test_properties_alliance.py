"""Property tests (hypothesis) of SPEC 5.5: the pure alliance rules of ``contracts.alliance``.

Agreements (``Agreement``/``Member``/``Line``/``Band``/``Kpi``) and the books to date
(``YearToDate`` with ``provider_spend`` and ``kpi_actuals``) are built by hand, no database, in
the style of ``tests/test_properties_arrangements.py``. The expected figures are computed here
from the words of SPEC 5.5 and SPEC 4 (``reference_allocate`` of ``tests/test_properties.py``),
not from the functions under test.

1. ``settle`` over a generated year (1-3 commissioners, 1-6 providers, bands, KPIs, fees, spend
   rows naming other providers, income, transfers, forecasts), every quarter:
   - AOC per provider (line's provider, or the provider a row names; income reduces the line's
     provider), TOC, U; raw gain / raw pain from the bands; the KPI score and modifier;
   - underrun: G + withheld + (U - gain_raw) == U, G <= gain_raw, providers' gainshares sum to G;
   - overrun: P <= sum of fees (pain_cap fee) and each painshare <= its fee; P + commissioners
     bear == |U|; providers' painshares sum to P (when the fees of providers with a share allow);
   - commissioners' funding shares sum to AOC + G - P (allocate by cost share);
   - balances sum to 0 every quarter; every figure whole pence; before Q4 gainshare/painshare
     are 0 and stay out of the balance (projections from the forecast instead);
   - the alliance block: target == sum of targets, actual == AOC at Q4 (forecast before);
   - shuffling return rows (and the agreement's Band and KPI rows) changes nothing.
2. ``curve``: the providers' share never rises as the outturn grows (any bands, fixed modifier)
   and providers + commissioners == TOC - outturn at every point.
3. ``kpi_modifier``: score in [0, 1]; modifier is 0 or the score; an actual that meets its
   target never lowers the score.
4. Regression tests for the bugs found, minimal examples in their comments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st

from contracts import alliance
from contracts.alliance import KpiResult, curve, gain_pain, kpi_modifier
from ledger.figures import SettlementInputs, YearToDate
from ledger.money import allocate_capped
from ledger.periods import Period
from ledger.problems import Source
from ledger.records import Agreement, Amounts, Arrangement, Band, Kpi, Line, Member, Role
from ledger.statement import Statement
from tests.test_properties import SRC, Y1, figures, is_whole_pence, pence, reference_allocate, shares_st

ZERO = Decimal(0)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# the regression tests do not shrink (their minimal examples are in the comments)
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
COMMISSIONERS = ("SMBC", "GM-ICB", "PH")
PROVIDERS = ("THR", "AGE", "FRG", "NAC", "REL", "SHO")
LINES = ("L1", "L2", "L3", "L4", "L5", "L6", "L7")
KPI_CODES = ("SEEN", "READMIT", "WAIT", "SAT")


def total(xs) -> Decimal:
    return sum(xs, ZERO)


def ratio4(x: Fraction) -> str:
    """FORMATS 5: a ratio with four decimals, half up (written independently)."""
    scaled = x * 10000
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return f"{Decimal(whole).scaleb(-4):.4f}"


def rp(x: Fraction) -> Decimal:
    """round_pence, half away from zero, written independently (x >= 0 or < 0)."""
    sign = -1 if x < 0 else 1
    p = abs(x) * 100
    whole, rest = divmod(p.numerator, p.denominator)
    if 2 * rest >= p.denominator:
        whole += 1
    return pence(sign * whole)


# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------

pct2 = st.integers(0, 10000).map(lambda n: Decimal(n).scaleb(-2))  # 0.00 .. 100.00


@st.composite
def bands_st(draw: st.DrawFn, direction: str) -> list[Band]:
    """0-3 ascending, non-overlapping bands (gaps allowed); the last may be open-ended."""
    n = draw(st.integers(0, 3))
    out: list[Band] = []
    low = draw(st.sampled_from([0, 0, 0, 100, 250]))  # in hundredths of a percent
    for i in range(n):
        width = draw(st.one_of(st.integers(1, 2000), st.sampled_from([100, 500, 1000])))
        open_end = i == n - 1 and draw(st.booleans())
        high = None if open_end else low + width
        out.append(Band(direction, Decimal(low).scaleb(-2), None if high is None else Decimal(high).scaleb(-2),
                        draw(st.one_of(pct2, st.sampled_from([Decimal(0), Decimal(25), Decimal(50), Decimal(100)]))),
                        Source("generated.xlsx", "Bands")))
        if high is None:
            break
        low = high + draw(st.sampled_from([0, 0, 0, 50, 300]))
    return out


@st.composite
def kpis_st(draw: st.DrawFn) -> list[Kpi]:
    """0-4 KPIs: higher or lower is better, the floor strictly on the worse side, weight > 0."""
    codes = draw(st.lists(st.sampled_from(KPI_CODES), max_size=4, unique=True))
    out = []
    for code in codes:
        better = draw(st.sampled_from(["higher", "lower"]))
        target = Decimal(draw(st.integers(-1000, 10000))).scaleb(-1)
        gap = Decimal(draw(st.integers(1, 5000))).scaleb(-1)
        floor = target - gap if better == "higher" else target + gap
        weight = draw(st.one_of(st.integers(1, 10).map(Decimal), st.integers(1, 10000).map(lambda n: Decimal(n).scaleb(-3))))
        out.append(Kpi(code, f"KPI {code}", weight, target, floor, better, Source("generated.xlsx", "KPIs")))
    return out


def kpi_actual_st(k: Kpi) -> st.SearchStrategy[Decimal]:
    """Actuals around the target and floor: beyond either, on them, between."""
    lo, hi = min(k.target, k.floor), max(k.target, k.floor)
    span = int((hi - lo) * 10)
    return st.one_of(
        st.sampled_from([k.target, k.floor]),
        st.integers(int(lo * 10) - span, int(hi * 10) + span).map(lambda n: Decimal(n).scaleb(-1)),
    )


@st.composite
def agreement_st(draw: st.DrawFn, pain_cap: str | None = None) -> Agreement:
    nc = draw(st.integers(1, 3))
    commissioners = list(draw(st.permutations(COMMISSIONERS))[:nc])
    cost = draw(shares_st(nc))
    npr = draw(st.integers(1, 6))
    providers = list(draw(st.permutations(PROVIDERS))[:npr])
    target_pence = st.one_of(st.integers(0, 10**9), st.integers(0, 10**4), st.just(0))
    targets = draw(st.lists(target_pence, min_size=npr, max_size=npr))
    if not any(targets):
        targets[draw(st.integers(0, npr - 1))] = draw(st.integers(1, 10**9))
    fees = [draw(st.one_of(st.just(0), st.integers(0, 10**7), st.just(t * 5 // 100), st.integers(0, 100)))
            for t in targets]
    split = draw(st.one_of(st.none(), shares_st(npr)))
    members = [Member(c, f"{c} body", "council", Role.COMMISSIONER, SRC, cost_share=cost[i])
               for i, c in enumerate(commissioners)]
    members += [Member(p, f"{p} charity", "voluntary", Role.PROVIDER, SRC, target_cost=pence(targets[i]),
                       fee=pence(fees[i]), gain_split=None if split is None else split[i])
                for i, p in enumerate(providers)]
    order = draw(st.permutations(range(len(members))))  # members in any agreement order
    nlines = draw(st.integers(1, len(LINES)))
    lines = tuple(Line(LINES[i], f"line {i}", pence(draw(st.integers(0, 10**9))), SRC,
                       provider=draw(st.sampled_from(providers))) for i in range(nlines))
    bands = draw(bands_st("gain")) + draw(bands_st("pain"))
    threshold = draw(st.one_of(st.just(ZERO), st.integers(0, 10000).map(lambda n: Decimal(n).scaleb(-4)),
                               st.sampled_from([Decimal("0.5"), Decimal(1)])))
    return Agreement("GEN-AL", "Generated alliance", Arrangement.ALLIANCE, Y1, Source("generated.xlsx"),
                     kpi_threshold=threshold, pain_cap=pain_cap or draw(st.sampled_from(["fee", "none"])),
                     members=tuple(members[i] for i in order), lines=lines, bands=tuple(bands),
                     kpis=tuple(draw(kpis_st())))


def providers_of(ag: Agreement) -> tuple[Member, ...]:
    return tuple(m for m in ag.members if m.role is Role.PROVIDER)


def commissioners_of(ag: Agreement) -> tuple[Member, ...]:
    return tuple(m for m in ag.members if m.role is Role.COMMISSIONER)


def toc_of(ag: Agreement) -> Decimal:
    return total(m.target_cost for m in providers_of(ag))


def split_of(ag: Agreement) -> list[Fraction]:
    """SPEC 5.5: gain split s_j, default t_j / sum t."""
    ps = providers_of(ag)
    if any(m.gain_split is not None for m in ps):
        return [Fraction(m.gain_split or 0) for m in ps]
    return [Fraction(m.target_cost) for m in ps]


# --------------------------------------------------------------------------------------------
# Books
# --------------------------------------------------------------------------------------------


@dataclass
class QRows:
    spend: list[tuple[str, str | None, Decimal]] = field(default_factory=list)  # line, provider named, amount
    income: list[tuple[str, Decimal]] = field(default_factory=list)
    transfers: list[tuple[str, str, Decimal]] = field(default_factory=list)
    forecasts: dict[str, Decimal] = field(default_factory=dict)
    kpis: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Case:
    ag: Agreement
    quarters: dict[int, QRows]
    brought_forward: Amounts


@st.composite
def case_st(draw: st.DrawFn, pain_cap: str | None = None) -> Case:
    ag = draw(agreement_st(pain_cap))
    toc = int(toc_of(ag) * 100)
    codes = tuple(m.partner for m in ag.members)
    providers = tuple(m.partner for m in providers_of(ag))
    line_codes = tuple(ln.code for ln in ag.lines)
    scale = max(toc // 4 // len(line_codes), 100)
    amount = st.one_of(st.integers(-(10**4), scale), st.integers(0, 1000)).map(pence)
    quarters: dict[int, QRows] = {}
    for q in (1, 2, 3, 4):
        r = QRows()
        r.spend = draw(st.lists(st.tuples(st.sampled_from(line_codes),
                                          st.one_of(st.none(), st.sampled_from(providers)), amount), max_size=5),
                       label=f"Q{q} spend")
        r.income = draw(st.lists(st.tuples(st.sampled_from(line_codes), st.integers(0, scale // 8 + 1).map(pence)),
                                 max_size=2), label=f"Q{q} income")
        r.transfers = [(a, b, x) for a, b, x in draw(st.lists(
            st.tuples(st.sampled_from(codes), st.sampled_from(codes), st.integers(1, scale).map(pence)),
            max_size=3), label=f"Q{q} transfers") if a != b]
        for ln in ag.lines:
            if draw(st.booleans()):
                r.forecasts[ln.code] = pence(draw(st.one_of(st.integers(0, 2 * int(ln.budget * 100) + 100),
                                                            st.integers(0, 2 * toc + 100))))
        for k in ag.kpis:
            if draw(st.booleans()):
                r.kpis[k.code] = draw(kpi_actual_st(k))
        quarters[q] = r
    # steer the year's underrun U = TOC - AOC with a Q4 spend row: band edges, zero, pennies, anywhere
    edges = [int(Fraction(e) / 100 * toc) for b in ag.bands for e in (b.from_pct, b.to_pct) if e is not None]
    u = draw(st.one_of(
        st.none(),
        st.just(0),
        st.integers(-5, 5),
        st.integers(-toc // 3 - 1, toc // 3 + 1),
        st.integers(-2 * toc - 1, toc + 1),
        *([st.tuples(st.sampled_from(edges), st.sampled_from([-1, 1]), st.integers(-2, 2)).map(
            lambda t: t[1] * t[0] + t[2])] if edges else []),
    ), label="steered U (pence)")
    if u is not None:
        aoc = sum(int(x * 100) for qr in quarters.values() for _, _, x in qr.spend) - sum(
            int(x * 100) for qr in quarters.values() for _, x in qr.income)
        quarters[4].spend.append((draw(st.sampled_from(line_codes)),
                                  draw(st.one_of(st.none(), st.sampled_from(providers))), pence(toc - u - aoc)))
    bf = Amounts()
    if draw(st.booleans()):
        parts = draw(st.lists(st.integers(-(10**7), 10**7), min_size=len(codes) - 1, max_size=len(codes) - 1))
        bf = Amounts.of(zip(codes, [pence(p) for p in [*parts, -sum(parts)]]))
    return Case(ag, quarters, bf)


def ytd_from(case: Case, q: int, order: random.Random | None = None) -> YearToDate:
    """YearToDate as ``ledger.store.reads.year_to_date`` sums it: named rows grouped by (line,
    provider) and sorted; with ``order``, the raw rows shuffled instead."""
    spend: list[tuple[str, str | None, Decimal]] = []
    income: list[tuple[str, Decimal]] = []
    transfers: list[tuple[str, str, Decimal]] = []
    forecasts: dict[str, Decimal] = {}
    kpis: dict[str, Decimal] = {}
    for k in range(1, q + 1):
        rows = case.quarters[k]
        spend += rows.spend
        income += rows.income
        transfers += rows.transfers
        forecasts.update(rows.forecasts)
        kpis.update(rows.kpis)
    if order is None:
        named: dict[tuple[str, str], Decimal] = {}
        for ln, p, x in spend:
            if p is not None:
                named[(ln, p)] = named.get((ln, p), ZERO) + x
        provider_spend = tuple((ln, p, x) for (ln, p), x in sorted(named.items()))
    else:
        for rows_ in (spend, income, transfers):
            order.shuffle(rows_)
        provider_spend = tuple((ln, p, x) for ln, p, x in spend if p is not None)
    return YearToDate(
        spend=Amounts.of((ln, x) for ln, _, x in spend),
        income=Amounts.of(income),
        transfers_out=Amounts.of((a, x) for a, _, x in transfers),
        transfers_in=Amounts.of((b, x) for _, b, x in transfers),
        forecasts=Amounts(tuple(sorted(forecasts.items()))),
        provider_spend=provider_spend,
        kpi_actuals=Amounts(tuple(sorted(kpis.items()))),
    )


def inputs_of(case: Case, q: int) -> SettlementInputs:
    return SettlementInputs(agreement=case.ag, period=Period(case.ag.year, q), ytd=ytd_from(case, q),
                            brought_forward=case.brought_forward)


# --------------------------------------------------------------------------------------------
# The rules of SPEC 5.5, written independently
# --------------------------------------------------------------------------------------------


def expected_aoc(case: Case, q: int) -> dict[str, Decimal]:
    """AOC_j to date: a row's spend goes to the provider it names, else the line's provider;
    income on a line reduces its provider's actual cost."""
    ag = case.ag
    provider_of = {ln.code: ln.provider for ln in ag.lines}
    out = {m.partner: ZERO for m in providers_of(ag)}
    for k in range(1, q + 1):
        for ln, named, x in case.quarters[k].spend:
            who = named or provider_of[ln]
            out[who] += x
        for ln, x in case.quarters[k].income:
            out[provider_of[ln]] -= x
    return out


def expected_outturn(ag: Agreement, ytd: YearToDate, final: bool) -> Decimal:
    """SPEC 5: the pool's forecast outturn (actual net outturn at Q4)."""
    out = ZERO
    for ln in ag.lines:
        net = ytd.spend[ln.code] - ytd.income[ln.code]
        if final:
            out += net
        elif ln.code in ytd.forecasts:
            out += ytd.forecasts[ln.code]
        else:
            out += max(net, ln.budget)
    return out


def ref_banded(amount: Fraction, toc: Fraction, bands, direction: str) -> Fraction:
    """sum over bands of providers% * max(0, min(amount, to*TOC) - from*TOC); no bands: 50%."""
    mine = [b for b in bands if b.direction == direction]
    if not mine:
        return amount / 2
    share = Fraction(0)
    for b in mine:
        top = amount if b.to_pct is None else min(amount, Fraction(b.to_pct) * toc / 100)
        share += Fraction(b.providers_pct) / 100 * max(Fraction(0), top - Fraction(b.from_pct) * toc / 100)
    return share


def ref_achievement(k: Kpi, actual: Decimal) -> Fraction:
    a, t, f = Fraction(actual), Fraction(k.target), Fraction(k.floor)
    x = (a - f) / (t - f)  # 0 at the floor, 1 at the target, for either direction
    return min(Fraction(1), max(Fraction(0), x))


def ref_score(kpis, actuals: dict[str, Decimal]) -> Fraction:
    if not kpis:
        return Fraction(1)
    w = sum(Fraction(k.weight) for k in kpis)
    return sum(Fraction(k.weight) * ref_achievement(k, actuals[k.code]) for k in kpis if k.code in actuals) / w


def ref_modifier(ag: Agreement, actuals: dict[str, Decimal]) -> tuple[Fraction, Fraction]:
    score = ref_score(ag.kpis, actuals)
    if not ag.kpis:
        return score, Fraction(1)
    return score, score if score >= Fraction(ag.kpi_threshold) else Fraction(0)


@dataclass
class Expected:
    toc: Decimal
    aoc: Decimal
    u: Decimal
    gain_exact: Fraction
    pain_exact: Fraction
    score: Fraction
    modifier: Fraction


def expected_result(ag: Agreement, outturn: Decimal, actuals: dict[str, Decimal]) -> Expected:
    toc = toc_of(ag)
    u = toc - outturn
    gain = ref_banded(Fraction(u), Fraction(toc), ag.bands, "gain") if u > 0 else Fraction(0)
    pain = ref_banded(Fraction(-u), Fraction(toc), ag.bands, "pain") if u < 0 else Fraction(0)
    score, modifier = ref_modifier(ag, actuals)
    return Expected(toc, outturn, u, gain, pain, score, modifier)


def fees_room(ag: Agreement) -> Decimal:
    """What the providers with a share of pain can bear at most: the fees of those with a weight."""
    return total(m.fee for m, w in zip(providers_of(ag), split_of(ag)) if w > 0)


def residual_case(ag: Agreement, painshare: Decimal) -> bool:
    return ag.pain_cap == "fee" and painshare > fees_room(ag)


# --------------------------------------------------------------------------------------------
# 1. settle
# --------------------------------------------------------------------------------------------


def D(s: str) -> Decimal:
    return Decimal(s)


def check_alliance(statement: Statement, inputs: SettlementInputs, case: Case) -> None:
    ag, ytd, final, q = inputs.agreement, inputs.ytd, inputs.final, inputs.period.quarter
    block = statement.alliance
    note(f"{inputs.period}: {block}")
    assert block is not None and block["final"] is final

    # every figure whole pence
    for name, value in figures(statement):
        assert is_whole_pence(value), f"{name} = {value} is not a whole number of pence"

    provs, comms = providers_of(ag), commissioners_of(ag)
    by_code = {p.partner: p for p in statement.partners}
    assert [p.partner for p in statement.partners] == [m.partner for m in comms + provs]
    aoc_j = expected_aoc(case, q)
    aoc = total(aoc_j.values())
    outturn = aoc if final else expected_outturn(ag, ytd, final)
    actuals = {k: ytd.kpi_actuals[k] for k in ytd.kpi_actuals}
    exp = expected_result(ag, outturn, actuals)

    # the alliance block
    assert D(block["target"]) == exp.toc == total(m.target_cost for m in provs)
    assert D(block["actual"]) == outturn
    doc = statement.as_json()["alliance"]
    assert set(doc) == {"target", "actual", "variance", "gain_raw", "kpi_score", "modifier", "gainshare", "withheld",
                        "pain_raw", "painshare", "commissioners_bear", "final"}
    assert all(v != "-0.00" for v in doc.values())
    # a KPI with no actual up to the period scores 0 and is warned about
    for k in ag.kpis:
        warned = any(f"KPI {k.code} has no actual" in pr.message for pr in statement.problems)
        assert warned == (k.code not in actuals), k.code
    assert D(block["variance"]) == exp.u
    assert statement.totals.budget == exp.toc and statement.totals.forecast == outturn
    assert block["kpi_score"] == ratio4(exp.score) and block["modifier"] == ratio4(exp.modifier)
    gain_raw, pain_raw = D(block["gain_raw"]), D(block["pain_raw"])
    g, withheld, p, bear = D(block["gainshare"]), D(block["withheld"]), D(block["painshare"]), D(block["commissioners_bear"])
    assert gain_raw == rp(exp.gain_exact) and pain_raw == rp(exp.pain_exact)
    fees = total(m.fee for m in provs)
    if exp.u > 0:
        event("U", "underrun")
        assert p == 0 and pain_raw == 0 and bear == 0
        assert 0 <= g <= gain_raw
        # the underrun is all accounted for: providers, held back, and the commissioners' part
        assert g + withheld + (exp.u - gain_raw) == exp.u
        assert withheld == gain_raw - g
        # SPEC 5.5: G = round_pence(raw gain * modifier), rounded once
        assert g == rp(exp.gain_exact * exp.modifier)
        if exp.modifier == 0:
            assert g == 0
        if exp.modifier == 1:
            assert g == gain_raw
    elif exp.u < 0:
        event("U", "overrun")
        assert g == 0 and gain_raw == 0 and withheld == 0
        # only providers with a share of the pain can bear it: the cap is their fees
        assert p == (min(pain_raw, fees_room(ag)) if ag.pain_cap == "fee" else pain_raw)
        if ag.pain_cap == "fee":
            assert p <= fees
        assert p + bear == -exp.u
    else:
        event("U", "on target")
        assert g == p == withheld == bear == gain_raw == pain_raw == 0

    # providers: shares of G and P (projections before Q4), costs, obligations
    weights = split_of(ag)
    gains = [by_code[m.partner].amount("projected_gainshare") for m in provs]
    pains = [by_code[m.partner].amount("projected_painshare") for m in provs]
    assert [int(x * 100) for x in gains] == reference_allocate(int(g * 100), weights)
    assert total(gains) == g
    residual = residual_case(ag, p)
    event("pain residual", str(residual))
    for m, pj in zip(provs, pains):
        assert pj >= 0
        if ag.pain_cap == "fee":
            assert pj <= m.fee, m.partner
    if not residual:
        assert total(pains) == p
    caps = [m.fee for m in provs] if ag.pain_cap == "fee" else [None] * len(provs)
    assert list(pains) == list(allocate_capped(p, weights, caps)[0])
    for m, gj, pj in zip(provs, gains, pains):
        ps = by_code[m.partner]
        assert ps.amount("target") == m.target_cost
        assert ps.amount("actual_cost") == aoc_j[m.partner]
        assert ps.amount("gainshare") == (gj if final else 0)
        assert ps.amount("painshare") == (pj if final else 0)
        assert ps.paid == 0
        assert ps.obligation == -(aoc_j[m.partner] + ps.amount("gainshare") - ps.amount("painshare"))

    # commissioners fund AOC + G - P (to date: AOC only) by cost share
    funded = aoc + (g - p if final else 0)
    funding = [by_code[m.partner].amount("funding_share") for m in comms]
    assert [int(x * 100) for x in funding] == reference_allocate(int(funded * 100),
                                                               [Fraction(m.cost_share) for m in comms])
    assert total(funding) == funded
    for m, f in zip(comms, funding):
        assert by_code[m.partner].obligation == f + by_code[m.partner].amount("savings_transfer")

    for ps in statement.partners:
        assert ps.balance == (inputs.brought_forward[ps.partner] + ps.obligation - ps.paid
                              - ytd.transfers_out[ps.partner] + ytd.transfers_in[ps.partner])
    if not (final and residual):
        assert total(ps.balance for ps in statement.partners) == 0


def check_shuffled(statement: Statement, inputs: SettlementInputs, case: Case, data: st.DataObject) -> None:
    """Return rows in any order, the agreement's Band and KPI rows in any order: the same statement."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="row order seed")
    rnd = random.Random(seed)
    ag = replace(case.ag, bands=tuple(rnd.sample(case.ag.bands, len(case.ag.bands))),
                 kpis=tuple(rnd.sample(case.ag.kpis, len(case.ag.kpis))))
    shuffled = replace(inputs, agreement=ag, ytd=ytd_from(case, inputs.period.quarter, rnd))
    again = alliance.settle(shuffled).as_json()
    first = statement.as_json()
    for doc in (again, first):
        doc["problems"] = sorted(doc["problems"], key=lambda p: (p["severity"], p["where"], p["message"]))
    assert again == first


@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
def test_alliance_settlement(data: st.DataObject) -> None:
    case = data.draw(case_st(), label="alliance")
    for q in (1, 2, 3, 4):
        inputs = inputs_of(case, q)
        statement = alliance.settle(inputs)
        check_alliance(statement, inputs, case)
        check_shuffled(statement, inputs, case, data)


# --------------------------------------------------------------------------------------------
# 2. curve
# --------------------------------------------------------------------------------------------

modifier_st = st.one_of(st.just(Fraction(1)), st.just(Fraction(0)),
                        st.fractions(min_value=0, max_value=1, max_denominator=10**6))


@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
def test_curve_providers_share_never_rises_and_the_underrun_is_all_shared(data: st.DataObject) -> None:
    ag = data.draw(agreement_st(), label="alliance")
    toc = int(toc_of(ag) * 100)
    modifier = data.draw(modifier_st, label="modifier")
    edges = [int(Fraction(e) / 100 * toc) for b in ag.bands for e in (b.from_pct, b.to_pct) if e is not None]
    near = st.tuples(st.sampled_from(edges or [0]), st.sampled_from([-1, 1]), st.integers(-3, 3)).map(
        lambda t: toc - t[1] * t[0] + t[2])
    outturn = st.one_of(st.integers(-toc, 3 * toc + 1), st.integers(toc - 5, toc + 5), near,
                        st.integers(-(10**11), 10**11))
    points = sorted(data.draw(st.lists(outturn, min_size=2, max_size=25), label="outturns (pence)"))
    kpi = KpiResult(modifier, modifier, ())
    out = curve(ag, [pence(x) for x in points], kpi)
    shares = [prov for _, prov, _ in out]
    assert all(a >= b for a, b in pairwise(shares)), shares
    for (actual, prov, comm), x in zip(out, points):
        assert actual == pence(x)
        assert prov + comm == toc_of(ag) - actual
        assert is_whole_pence(prov) and is_whole_pence(comm)
        if actual < toc_of(ag):
            assert prov >= 0
        elif actual > toc_of(ag):
            assert prov <= 0
            if ag.pain_cap == "fee":
                assert -prov <= total(m.fee for m in providers_of(ag))
        else:
            assert prov == 0


# --------------------------------------------------------------------------------------------
# 3. kpi_modifier
# --------------------------------------------------------------------------------------------


@st.composite
def kpis_with_actuals(draw: st.DrawFn) -> tuple[list[Kpi], dict[str, Decimal]]:
    kpis = draw(kpis_st())
    actuals = {k.code: draw(kpi_actual_st(k)) for k in kpis if draw(st.booleans())}
    return kpis, actuals


threshold_st = st.one_of(st.just(ZERO), st.just(Decimal(1)), st.integers(0, 10000).map(lambda n: Decimal(n).scaleb(-4)))


@given(kpis_with_actuals(), threshold_st, st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
def test_kpi_modifier(case, threshold: Decimal, data: st.DataObject) -> None:
    kpis, actuals = case
    r = kpi_modifier(kpis, actuals, threshold)
    assert 0 <= r.score <= 1
    assert r.modifier in (0, r.score)
    assert r.score == ref_score(kpis, actuals)
    if not kpis:
        assert r.score == r.modifier == 1
    else:
        assert r.modifier == (r.score if r.score >= Fraction(threshold) else 0)
    assert set(r.missing) == {k.code for k in kpis if k.code not in actuals}
    if not kpis:
        return
    # an actual that meets its target (on it or beyond, new or replacing one) never lowers the score
    k = data.draw(st.sampled_from(kpis), label="improved KPI")
    beyond = Decimal(data.draw(st.integers(0, 10000), label="beyond target")).scaleb(-1)
    met = k.target + beyond if k.better == "higher" else k.target - beyond
    better = kpi_modifier(kpis, {**actuals, k.code: met}, threshold)
    assert better.score >= r.score
    assert better.modifier >= r.modifier
    assert k.code not in better.missing


# --------------------------------------------------------------------------------------------
# 4. Regression tests for bugs found
# --------------------------------------------------------------------------------------------


@st.composite
def residual_case_st(draw: st.DrawFn) -> Case:
    """pain_cap fee, an overrun, and the providers with a share of pain have fees too small for P,
    while a provider with no share (split 0, or target 0 with the default split) has a fee."""
    case = draw(case_st(pain_cap="fee"))
    ag = case.ag
    if len(providers_of(ag)) < 2:
        code = next(c for c in PROVIDERS if ag.member(c) is None)
        ag = replace(ag, members=ag.members + (Member(code, f"{code} charity", "voluntary", Role.PROVIDER, SRC,
                                                      target_cost=ZERO, fee=ZERO),))
    # the first provider takes all the pain share, fee 0; another has a fee but no share
    idx = [i for i, m in enumerate(ag.members) if m.role is Role.PROVIDER]
    members = list(ag.members)
    explicit = draw(st.booleans())
    for n, i in enumerate(idx):
        m = members[i]
        if n == 0:
            members[i] = replace(m, fee=ZERO, gain_split=Decimal(100) if explicit else None,
                                 target_cost=m.target_cost or pence(draw(st.integers(1, 10**9))))
        else:
            members[i] = replace(m, fee=pence(draw(st.integers(1, 10**7))),
                                 gain_split=ZERO if explicit else None,
                                 target_cost=m.target_cost if explicit else ZERO)
    ag = replace(ag, members=tuple(members), bands=())  # no bands: 50% of the overrun, unbounded
    case = Case(ag, case.quarters, case.brought_forward)
    # steer a Q4 overrun big enough for a raw pain above a penny
    toc = int(toc_of(ag) * 100)
    over = draw(st.integers(2, 10**9))
    aoc = sum(int(x * 100) for qr in case.quarters.values() for _, _, x in qr.spend) - sum(
        int(x * 100) for qr in case.quarters.values() for _, x in qr.income)
    case.quarters[4].spend.append((ag.lines[0].code, None, pence(toc + over - aoc)))
    return case


@given(data=st.data())
@settings(max_examples=30, deadline=None, suppress_health_check=SLOW, phases=NO_SHRINK)
# Minimal example: commissioner C (cost share 100%); providers P1 target 100.00, fee 0.00 and P2
# target 0.00, fee 100.00 (default split by target: P1 100%, P2 0%); no bands; pain_cap fee.
# Q4 AOC 400.00: U = -300.00, raw pain 150.00, P = min(150.00, fees 100.00) = 100.00.
# allocate_capped(100.00, [100, 0], [0.00, 100.00]) leaves all 100.00 as residual: P1 and P2 bear
# 0.00, but the commissioner's funding share is AOC - P = 300.00 and commissioners_bear 200.00.
# Balances: C 300.00, P1 -400.00 (its costs), P2 0.00: they sum to -100.00, not 0.
# Expected: sum of providers' painshares == block painshare and sum of balances == 0 (either P2
# bears what its fee allows, or P counts only what the providers with a share can bear).
def test_painshare_the_providers_cannot_bear_is_not_credited_to_the_commissioners(data: st.DataObject) -> None:
    case = data.draw(residual_case_st(), label="alliance with a pain residual")
    inputs = inputs_of(case, 4)
    statement = alliance.settle(inputs)
    block = statement.alliance
    assert block is not None and D(block["painshare"]) >= 0
    provs = providers_of(case.ag)
    painshares = total(statement.partner(m.partner).amount("painshare") for m in provs)
    assert painshares == D(block["painshare"])
    assert D(block["painshare"]) + D(block["commissioners_bear"]) == -D(block["variance"])
    assert total(p.balance for p in statement.partners) == 0


def _double_rounding_agreement() -> Agreement:
    members = (Member("C", "Commissioner", "council", Role.COMMISSIONER, SRC, cost_share=Decimal(100)),
               Member("P", "Provider", "voluntary", Role.PROVIDER, SRC, target_cost=Decimal("1000.00"),
                      fee=Decimal("50.00")))
    bands = (Band("gain", ZERO, None, Decimal("1.49"), SRC),)
    kpis = (Kpi("K", "K", Decimal(1), Decimal(100), Decimal(0), "higher", SRC),)
    return Agreement("GEN-AL", "Generated alliance", Arrangement.ALLIANCE, Y1, Source("generated.xlsx"),
                     members=members, bands=bands, kpis=kpis)


@example(actual=Decimal("999.00"), providers_pct=Decimal("1.49"), kpi_actual=Decimal(40))
@given(actual=st.integers(0, 99999).map(pence),
       providers_pct=st.integers(1, 9999).map(lambda n: Decimal(n).scaleb(-2)),
       kpi_actual=st.integers(1, 99).map(Decimal))
@settings(max_examples=150, deadline=None, phases=NO_SHRINK)
# Minimal example: TOC 1,000.00 (one provider), one gain band 0%- providers 1.49%, one KPI
# (higher, target 100, floor 0) at 40: modifier 0.4. AOC 999.00: U = 1.00, raw gain 0.0149.
# Expected G = round_pence(0.0149 * 0.4 = 0.00596) = 0.01, withheld 0.00;
# actual G = round_pence(round_pence(0.0149) * 0.4 = 0.004) = 0.00, withheld 0.01.
def test_gainshare_rounds_the_raw_gain_times_the_modifier_once(actual: Decimal, providers_pct: Decimal,
                                                               kpi_actual: Decimal) -> None:
    ag = _double_rounding_agreement()
    ag = replace(ag, bands=(replace(ag.bands[0], providers_pct=providers_pct),))
    kpi = kpi_modifier(ag.kpis, {"K": kpi_actual}, ag.kpi_threshold)
    r = gain_pain(ag, actual, kpi)
    exact = ref_banded(Fraction(r.variance), Fraction(r.target), ag.bands, "gain") if r.variance > 0 else Fraction(0)
    assert r.gainshare == rp(exact * kpi.modifier)
    assert r.withheld == rp(exact) - r.gainshare
