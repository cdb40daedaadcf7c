"""Alliance contracts: gainshare and painshare (SPEC section 5.5).

Commissioners contract an alliance of providers against a target outturn
cost (TOC). The underrun ``U = TOC - AOC`` is shared by bands: above expected
performance the providers share in the gain (scaled by their KPI score), below
it they bear pain, capped at their fees; the commissioners keep or bear the
rest. Before Q4 gain and pain are projections from the forecast outturn and
stay out of the balance.

The steps, in order:
1. TOC from the providers' targets; AOC per provider from net spend on its
   lines (or spend rows naming it), forecast before Q4;
2. the raw gain or pain from the bands (50%/50% unbounded when a direction
   has no bands);
3. the KPI score and modifier; ``G = round_pence(raw gain * modifier)``,
   ``withheld = round_pence(raw gain) - G``;
4. ``P = min(round_pence(raw pain), sum of fees)`` (``pain_cap = fee``);
5. providers' shares by gain split; commissioners fund ``AOC + G - P`` by cost share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from contracts.common import clause, former_member_statements, nothing_paid, partner_statement, pct, savings_item
from ledger.figures import SettlementInputs, line_outturns
from ledger.money import ZERO, allocate, allocate_capped, fmt_money, money_str, ratio_str, round_pence
from ledger.problems import Problem, warning
from ledger.records import Agreement, Band, Kpi, Member, Role
from ledger.statement import Item, PartnerStatement, Statement, Totals

HALF = Decimal(50)
COMMISSIONER_ITEMS = ("funding_share", "savings_transfer")
PROVIDER_ITEMS = ("target", "actual_cost", "gainshare", "painshare", "projected_gainshare", "projected_painshare",
                  "savings_transfer")


def banded_share(amount: Decimal, toc: Decimal, bands: Sequence[Band], direction: str) -> Fraction:
    """The providers' raw share of a gain or pain ``amount`` (>= 0) of a target ``toc``.

    ``sum over bands of providers% * max(0, min(amount, to * TOC) - from * TOC)``;
    with no band for the direction, 50% of all of it.
    """
    mine = [b for b in bands if b.direction == direction]
    a = Fraction(amount)
    if not mine:
        return a * Fraction(HALF) / 100
    t = Fraction(toc)
    total = Fraction(0)
    for b in mine:
        low = Fraction(b.from_pct) / 100 * t
        high = a if b.to_pct is None else min(a, Fraction(b.to_pct) / 100 * t)
        if high > low:
            total += Fraction(b.providers_pct) / 100 * (high - low)
    return total


def achievement(k: Kpi, actual: Decimal) -> Fraction:
    """1 at or beyond the target, 0 at or beyond the floor on the wrong side, linear between."""
    a, target, floor = Fraction(actual), Fraction(k.target), Fraction(k.floor)
    if k.better == "higher":
        if a >= target:
            return Fraction(1)
        if a <= floor:
            return Fraction(0)
        return (a - floor) / (target - floor)
    if a <= target:
        return Fraction(1)
    if a >= floor:
        return Fraction(0)
    return (floor - a) / (floor - target)


@dataclass(frozen=True, slots=True)
class KpiResult:
    score: Fraction
    modifier: Fraction
    missing: tuple[str, ...]


def kpi_modifier(kpis: Sequence[Kpi], actuals: dict[str, Decimal], threshold: Decimal) -> KpiResult:
    """``score = sum(w * a) / sum(w)``; the modifier is the score if it reaches the threshold, else 0."""
    if not kpis:
        return KpiResult(Fraction(1), Fraction(1), ())
    missing = tuple(k.code for k in kpis if k.code not in actuals)
    weights = sum((Fraction(k.weight) for k in kpis), Fraction(0))
    score = sum(
        (Fraction(k.weight) * achievement(k, actuals[k.code]) for k in kpis if k.code in actuals), Fraction(0)
    ) / weights
    return KpiResult(score, score if score >= Fraction(threshold) else Fraction(0), missing)


@dataclass(frozen=True, slots=True)
class GainPain:
    """The alliance's result for one outturn."""

    target: Decimal
    actual: Decimal
    gain_raw: Decimal  # rounded to the penny
    pain_raw: Decimal
    modifier: Fraction
    score: Fraction
    gainshare: Decimal  # G
    withheld: Decimal
    painshare: Decimal  # P
    commissioners_bear: Decimal  # |U| - P on an overrun

    @property
    def variance(self) -> Decimal:
        return self.target - self.actual  # U: positive, an underrun


def gain_pain(ag: Agreement, actual: Decimal, kpi: KpiResult) -> GainPain:
    """SPEC 5.5 steps 2 to 4 for one (actual or forecast) outturn."""
    providers = ag.with_role(Role.PROVIDER)
    toc = sum((m.target_cost or ZERO for m in providers), ZERO)
    u = toc - actual
    gain_exact = banded_share(u, toc, ag.bands, "gain") if u > 0 else Fraction(0)
    gain_raw = round_pence(gain_exact)
    pain_raw = round_pence(banded_share(-u, toc, ag.bands, "pain")) if u < 0 else ZERO
    g = round_pence(gain_exact * kpi.modifier)  # rounded once (SPEC 4), not from the rounded raw gain
    # only a provider with a share of the pain can bear it: the cap is the fees of those providers
    split = _gain_split(providers)
    fees = sum((m.fee or ZERO for m, w in zip(providers, split) if w > 0), ZERO)
    p = min(pain_raw, fees) if ag.pain_cap == "fee" else pain_raw
    return GainPain(toc, actual, gain_raw, pain_raw, kpi.modifier, kpi.score, g, gain_raw - g, p,
                    -u - p if u < 0 else ZERO)


def provider_shares(ag: Agreement, result: GainPain) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
    """Each provider's gainshare and painshare, by gain split (default: target share)."""
    providers = ag.with_role(Role.PROVIDER)
    split = _gain_split(providers)
    gains = allocate(result.gainshare, split) if sum(split) else tuple(ZERO for _ in providers)
    if ag.pain_cap == "fee":
        pains, _ = allocate_capped(result.painshare, split, [m.fee or ZERO for m in providers])
    else:
        pains = allocate(result.painshare, split) if sum(split) else tuple(ZERO for _ in providers)
    return gains, pains


def _gain_split(providers: Sequence[Member]) -> list[Decimal]:
    if any(m.gain_split is not None for m in providers):
        return [m.gain_split or ZERO for m in providers]
    return [m.target_cost or ZERO for m in providers]


def curve(ag: Agreement, outturns: Sequence[Decimal], kpi: KpiResult | None = None) -> list[tuple[Decimal, Decimal, Decimal]]:
    """The gain/pain curve: for each outturn, (outturn, providers' share, commissioners' share).

    The providers' share is gainshare less painshare (negative: they bear pain);
    the commissioners' is the rest of the underrun (negative: they bear cost).
    """
    kpi = kpi or KpiResult(Fraction(1), Fraction(1), ())
    out = []
    for actual in outturns:
        r = gain_pain(ag, actual, kpi)
        providers = r.gainshare - r.painshare
        out.append((actual, providers, r.variance - providers))
    return out


def actual_costs(inputs: SettlementInputs, forecast: bool) -> dict[str, Decimal]:
    """AOC per provider: net spend on its lines, with spend rows naming another provider moved to
    that provider; with ``forecast``, each line's forecast outturn in place of its spend to date."""
    ag, ytd = inputs.agreement, inputs.ytd
    if forecast:
        amounts = {o.line: o.amount for o in line_outturns(inputs)[0]}
    else:
        amounts = {ln.code: ytd.net_spend(ln.code) for ln in ag.lines}
    named_on_line: dict[str, Decimal] = {}
    costs: dict[str, Decimal] = {m.partner: ZERO for m in ag.with_role(Role.PROVIDER)}
    for line, provider, amount in ytd.provider_spend:
        named_on_line[line] = named_on_line.get(line, ZERO) + amount
        costs[provider] = costs.get(provider, ZERO) + amount
    for ln in ag.lines:
        if ln.provider:
            rest = amounts.get(ln.code, ZERO) - named_on_line.get(ln.code, ZERO)
            costs[ln.provider.upper()] = costs.get(ln.provider.upper(), ZERO) + rest
    return costs


def alliance_block(r: GainPain, final: bool) -> dict[str, object]:
    return {
        "target": money_str(r.target),
        "actual": money_str(r.actual),
        "variance": money_str(r.variance),
        "gain_raw": money_str(r.gain_raw),
        "kpi_score": ratio_str(r.score),
        "modifier": ratio_str(r.modifier),
        "gainshare": money_str(r.gainshare),
        "withheld": money_str(r.withheld),
        "pain_raw": money_str(r.pain_raw),
        "painshare": money_str(r.painshare),
        "commissioners_bear": money_str(r.commissioners_bear),
        "final": final,
    }


def settle(inputs: SettlementInputs) -> Statement:
    ag, ytd, final = inputs.agreement, inputs.ytd, inputs.final
    providers = ag.with_role(Role.PROVIDER)
    commissioners = ag.with_role(Role.COMMISSIONER)
    problems: list[Problem] = list(line_outturns(inputs)[1])
    actuals = {k: ytd.kpi_actuals[k] for k in ytd.kpi_actuals}
    kpi = kpi_modifier(ag.kpis, actuals, ag.kpi_threshold)
    for code in kpi.missing:
        k = next(k for k in ag.kpis if k.code == code)
        problems.append(warning(k.source, f"KPI {code} has no actual reported up to {inputs.period}; it scores 0",
                                "send its actual in a return's KPIs sheet"))
    spent = actual_costs(inputs, forecast=False)
    projected = actual_costs(inputs, forecast=not final)
    result = gain_pain(ag, sum(projected.values(), ZERO), kpi)
    gains, pains = provider_shares(ag, result)
    aoc = sum(spent.values(), ZERO)
    g, p = (result.gainshare, result.painshare) if final else (ZERO, ZERO)
    cost_shares = [m.cost_share or ZERO for m in commissioners]
    funding = allocate(aoc + g - p, cost_shares) if sum(cost_shares) else tuple(ZERO for _ in commissioners)
    when = "actual" if final else "projected"
    rule = _rule_words(result, when)

    statements: list[PartnerStatement] = []
    for i, m in enumerate(commissioners):
        items = (
            Item("funding_share", funding[i],
                 f"{m.cost_share or 0}% (clause: {clause(m, 'cost_share')}) of actual cost {fmt_money(aoc)}"
                 + (f" + gainshare {fmt_money(g)} - painshare {fmt_money(p)}" if final else " to date")),
            savings_item(),
        )
        statements.append(partner_statement(m, inputs, funding[i], items, nothing_paid))
    for j, m in enumerate(providers):
        gain_j = gains[j] if final else ZERO
        pain_j = pains[j] if final else ZERO
        gain_words = f"{pct(gains[j], result.gainshare)} of {rule}" if result.variance > 0 else f"no gain: {rule}"
        cap = f", capped at its fee {fmt_money(m.fee or ZERO)}" if ag.pain_cap == "fee" else ""
        pain_words = f"{pct(pains[j], result.painshare)} of {rule}{cap}" if result.variance < 0 else f"no pain: {rule}"
        items = (
            Item("target", m.target_cost or ZERO, f"target cost ({clause(m, 'target_cost')})"),
            Item("actual_cost", spent.get(m.partner, ZERO), "net spend to date on its lines and rows naming it"),
            Item("gainshare", gain_j, gain_words if final else "payable at Q4; see projected_gainshare"),
            Item("painshare", pain_j, pain_words if final else "payable at Q4; see projected_painshare"),
            Item("projected_gainshare", gains[j], gain_words),
            Item("projected_painshare", pains[j], pain_words),
            savings_item(),
        )
        obligation = -(spent.get(m.partner, ZERO) + gain_j - pain_j)
        statements.append(partner_statement(m, inputs, obligation, items, nothing_paid))
    statements.extend(former_member_statements(inputs, PROVIDER_ITEMS, nothing_paid))
    totals = Totals(
        budget=result.target,
        spend=ytd.spend.total(),
        income=ytd.income.total(),
        forecast=result.actual,
    )
    return Statement(ag.pool, ag.name, ag.arrangement, inputs.period, final, totals, tuple(statements),
                     tuple(problems), inputs.closed, alliance_block(result, final))


def _rule_words(r: GainPain, when: str) -> str:
    if r.variance > 0:
        return (f"{when} gainshare {fmt_money(r.gainshare)} (raw gain {fmt_money(r.gain_raw)} on underrun "
                f"{fmt_money(r.variance)} x KPI modifier {ratio_str(r.modifier)}; withheld {fmt_money(r.withheld)})")
    if r.variance < 0:
        return (f"{when} painshare {fmt_money(r.painshare)} (raw pain {fmt_money(r.pain_raw)} on overrun "
                f"{fmt_money(-r.variance)}; commissioners bear {fmt_money(r.commissioners_bear)})")
    return f"no {when} gain or pain (outturn on target)"
