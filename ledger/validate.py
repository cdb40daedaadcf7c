"""Rules across rows: an agreement's roles and shares, a return's rows against its terms.

Small ``check_*`` functions, each returning problems; nothing is raised.
Cell-level typing happens in the workbook reader; what is here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from decimal import Decimal

from ledger.money import ZERO, fmt_money
from ledger.problems import Problem, Source, error, warning
from ledger.records import ROLES, Agreement, Arrangement, Member, MoneyRow, Movement, Return, Role, locate

A = Arrangement
SHARE_TOLERANCE = Decimal("0.01")

# Which roles each share column applies to, by arrangement.
SHARE_ROLES: dict[str, dict[Arrangement, tuple[Role, ...]]] = {
    "overspend_share": {A.LEAD_BODY: (Role.HOST, Role.CONTRIBUTOR), A.JOINT_VENTURE: (Role.OWNER,),
                        A.ALIGNED: (Role.CONTRIBUTOR,)},
    "underspend_share": {A.LEAD_BODY: (Role.HOST, Role.CONTRIBUTOR), A.JOINT_VENTURE: (Role.OWNER,),
                         A.ALIGNED: (Role.CONTRIBUTOR,)},
    "ownership": {A.JOINT_VENTURE: (Role.OWNER,)},
    "cost_share": {A.JOINT_COMMISSIONING: (Role.COMMISSIONER,), A.ALLIANCE: (Role.COMMISSIONER,)},
    "gain_split": {A.ALLIANCE: (Role.PROVIDER,)},
}
# Terms every member of a role must have, by arrangement.
REQUIRED_TERMS: dict[Arrangement, dict[Role, tuple[str, ...]]] = {
    A.LEAD_BODY: {Role.HOST: ("contribution",), Role.CONTRIBUTOR: ("contribution",)},
    A.JOINT_VENTURE: {Role.OWNER: ("contribution", "ownership")},
    A.ALIGNED: {},
    A.JOINT_COMMISSIONING: {Role.COMMISSIONER: ("cost_share",)},
    A.ALLIANCE: {Role.COMMISSIONER: ("cost_share",), Role.PROVIDER: ("target_cost", "fee")},
}
# Money terms, and the roles they belong to in each arrangement.
MONEY_TERMS: dict[str, dict[Arrangement, tuple[Role, ...]]] = {
    "contribution": {A.LEAD_BODY: (Role.HOST, Role.CONTRIBUTOR), A.JOINT_VENTURE: (Role.OWNER,)},
    "cap": {A.LEAD_BODY: (Role.HOST, Role.CONTRIBUTOR), A.JOINT_VENTURE: (Role.OWNER,)},
    "target_cost": {A.ALLIANCE: (Role.PROVIDER,)},
    "fee": {A.ALLIANCE: (Role.PROVIDER,)},
}
LABELS = {
    "contribution": "Contribution",
    "overspend_share": "Overspend share %",
    "underspend_share": "Underspend share %",
    "cap": "Cap",
    "ownership": "Ownership %",
    "cost_share": "Cost share %",
    "target_cost": "Target cost",
    "fee": "Fee",
    "gain_split": "Gain split %",
}


def _at(m: Member, field: str) -> Source:
    return locate(m.source, m.cells, field)


def _roles_words(roles: Iterable[Role]) -> str:
    return " and ".join(r.value + "s" for r in roles)


def check_roles(ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    allowed = ROLES[ag.arrangement] + (Role.BENEFICIARY,)
    seen: dict[str, Member] = {}
    for m in ag.members:
        if m.partner in seen:
            out.append(
                error(_at(m, "partner"), f"partner {m.partner} appears twice (also at {seen[m.partner].source.cell})",
                      "list each partner once per pool")
            )
        seen.setdefault(m.partner, m)
        if m.role not in allowed:
            out.append(
                error(_at(m, "role"), f"role {m.role.value} is not used in {ag.arrangement.label} pools",
                      "use one of: " + ", ".join(r.value for r in allowed))
            )
    parties = [m for m in ag.members if m.role is not Role.BENEFICIARY]
    if not parties:
        out.append(error(Source(ag.source.file, "Partners"), "the pool has no partners",
                         "add the partners with their roles"))
    return out


def check_host(ag: Agreement, host_cell: Source) -> list[Problem]:
    out: list[Problem] = []
    hosts = ag.with_role(Role.HOST)
    partners_src = Source(ag.source.file, "Partners")
    if ag.arrangement in (A.LEAD_BODY, A.JOINT_VENTURE):
        what = "host" if ag.arrangement is A.LEAD_BODY else "entity (role host)"
        if len(hosts) != 1:
            out.append(error(partners_src, f"a {ag.arrangement.label} pool has exactly one {what}; found {len(hosts)}",
                             "give one partner the role host"))
        elif ag.host is not None and ag.host != hosts[0].partner:
            out.append(error(host_cell, f"Host {ag.host} is not the partner with the role host ({hosts[0].partner})",
                             "make the Pool sheet's Host and the Partners sheet agree"))
        if ag.arrangement is A.JOINT_VENTURE:
            for h in hosts:
                if h.kind != "joint_venture":
                    out.append(error(_at(h, "kind"), f"the entity {h.partner} must be of kind joint_venture",
                                     "set its Kind to joint_venture"))
    elif ag.arrangement is A.JOINT_COMMISSIONING:
        lead = ag.member(ag.host) if ag.host else None
        if ag.host is None:
            out.append(error(host_cell, "a joint commissioning pool names its lead commissioner in Host",
                             "add the lead commissioner's partner code as Host"))
        elif lead is None or lead.role is not Role.COMMISSIONER:
            out.append(error(host_cell, f"Host {ag.host} is not a commissioner of the pool",
                             "the lead commissioner must be listed in Partners with the role commissioner"))
    return out


def check_terms(ag: Agreement) -> list[Problem]:
    """Required terms by role, money terms not negative, terms given to roles that do not use them."""
    out: list[Problem] = []
    required = REQUIRED_TERMS[ag.arrangement]
    for m in ag.members:
        for field in required.get(m.role, ()):
            if getattr(m, field) is None:
                out.append(error(_at(m, field), f"{LABELS[field]} is required for a {m.role.value}",
                                 f"give {m.partner} its {LABELS[field]}"))
        for field in MONEY_TERMS:
            value = getattr(m, field)
            if value is not None and value < 0:
                out.append(error(_at(m, field), f"{LABELS[field]} {fmt_money(value)} is negative",
                                 f"{LABELS[field]} is zero or more"))
        for field, by_arr in {**MONEY_TERMS, **SHARE_ROLES}.items():
            roles = by_arr.get(ag.arrangement, ())
            if getattr(m, field) is not None and roles and m.role not in roles:
                out.append(warning(_at(m, field), f"{LABELS[field]} does not apply to a {m.role.value}; ignored"))
        if m.cap is not None and m.role is Role.HOST and ag.arrangement is A.LEAD_BODY:
            out.append(warning(_at(m, "cap"), "a cap on the host is ignored: the host bears the residual anyway"))
    if ag.arrangement is A.ALIGNED and ag.aligned_risk_share == "shared":
        contributors = ag.with_role(Role.CONTRIBUTOR)
        no_shares = all(m.overspend_share is None and m.underspend_share is None for m in contributors)
        if no_shares and contributors and sum((ln.budget for ln in ag.lines), ZERO) == 0:
            out.append(error(Source(ag.source.file, "Lines"),
                             "the variance is shared by budget shares, but every line's budget is 0",
                             "give the lines their budgets, or give the partners Overspend and Underspend share %"))
    if ag.arrangement is A.LEAD_BODY:
        parties = ag.with_role(Role.HOST, Role.CONTRIBUTOR)
        if parties and all(m.contribution is not None for m in parties) and sum(
            (m.contribution or ZERO for m in parties), ZERO
        ) == 0:
            out.append(error(Source(ag.source.file, "Partners"), "the contributions sum to zero",
                             "give the host and contributors their annual contributions"))
    return out


def check_shares(ag: Agreement) -> list[Problem]:
    """A share column given for some members must be given for all and sum to 100%."""
    out: list[Problem] = []
    for field, by_arr in SHARE_ROLES.items():
        roles = by_arr.get(ag.arrangement)
        if not roles:
            continue
        members = [m for m in ag.members if m.role in roles]
        given = [m for m in members if getattr(m, field) is not None]
        if not given:
            continue
        missing = [m for m in members if getattr(m, field) is None]
        for m in missing:
            out.append(error(_at(m, field), f"{LABELS[field]} is given for other {_roles_words(roles)} but not {m.partner}",
                             f"give every one of the {_roles_words(roles)} a {LABELS[field]}, or none"))
        total = sum((getattr(m, field) for m in given), ZERO)
        if not missing and abs(total - 100) > SHARE_TOLERANCE:
            out.append(error(_at(given[0], field), f"{LABELS[field]} sums to {total.normalize():f}%, not 100%",
                             f"the {LABELS[field]} of the {_roles_words(roles)} must add up to 100"))
    return out


def check_lines(ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, str] = {}
    providers = {m.partner for m in ag.with_role(Role.PROVIDER)}
    owners = {m.partner for m in ag.with_role(Role.CONTRIBUTOR)}
    for ln in ag.lines:
        if ln.code in seen:
            out.append(error(ln.source, f"line {ln.code} appears twice (also at {seen[ln.code]})",
                             "give each line one row"))
        seen.setdefault(ln.code, ln.source.cell or "")
        if ln.budget < 0:
            out.append(error(locate(ln.source, ln.cells, "budget"), f"the budget of line {ln.code} is negative", "a budget is zero or more"))
        if ag.arrangement is A.ALIGNED:
            if not ln.owner:
                out.append(error(locate(ln.source, ln.cells, "owner"), f"aligned line {ln.code} has no Owner",
                                 "give each line the partner code of the contributor that owns it"))
            elif ln.owner not in owners:
                out.append(error(locate(ln.source, ln.cells, "owner"), f"the owner {ln.owner} of line {ln.code} is not a contributor of the pool",
                                 "name a partner listed in Partners with the role contributor"))
        if ag.arrangement is A.ALLIANCE:
            if not ln.provider:
                out.append(error(locate(ln.source, ln.cells, "provider"), f"alliance line {ln.code} has no Provider",
                                 "give each line the partner code of its provider"))
            elif ln.provider.upper() not in providers:
                out.append(error(locate(ln.source, ln.cells, "provider"), f"the provider {ln.provider} of line {ln.code} is not a provider of the pool",
                                 "name a partner listed in Partners with the role provider"))
    commissioners = {m.partner for m in ag.with_role(Role.COMMISSIONER)}
    by_line: dict[str, list[Any]] = {}
    for share in ag.line_shares:
        by_line.setdefault(share.line, []).append(share)
        if ag.line(share.line) is None:
            out.append(error(share.source, f"line {share.line} is not a line of the pool", "use a code from the Lines sheet"))
        if ag.member(share.partner) is None:
            out.append(error(share.source, f"partner {share.partner} is not a partner of the pool",
                             "use a code from the Partners sheet"))
        elif share.partner not in commissioners:
            out.append(error(share.source, f"{share.partner} has a cost share of line {share.line} but is not a commissioner",
                             "only commissioners share the cost of a line"))
    for line, shares in by_line.items():
        partners = [s.partner for s in shares]
        for dup in sorted({p for p in partners if partners.count(p) > 1}):
            out.append(error(shares[-1].source, f"{dup} has two cost shares for line {line}", "one row per line and partner"))
        total = sum((s.cost_share for s in shares), ZERO)
        if abs(total - 100) > SHARE_TOLERANCE:
            out.append(error(shares[0].source, f"the cost shares of line {line} sum to {total.normalize():f}%, not 100%",
                             "a line's LineShares rows must add up to 100"))
    return out


def check_budget(ag: Agreement, carried_in: Decimal = ZERO) -> list[Problem]:
    """Pooled funds: line budgets should add up to the contributions plus any amount carried in."""
    if not ag.arrangement.has_pooled_fund or not ag.lines:
        return []
    contributions = sum((m.contribution or ZERO for m in ag.with_role(Role.HOST, Role.CONTRIBUTOR, Role.OWNER)), ZERO)
    budgets = sum((ln.budget for ln in ag.lines), ZERO)
    if budgets == contributions + carried_in:
        return []
    carried = f" plus {fmt_money(carried_in)} carried in from last year" if carried_in else ""
    return [warning(Source(ag.source.file, "Lines"),
                    f"line budgets sum to {fmt_money(budgets)} but the contributions sum to "
                    f"{fmt_money(contributions)}{carried}",
                    "make the Budget column add up to the pool budget")]


def check_schedule(ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    partners = {i.partner for i in ag.schedule}
    for code in sorted(partners):
        member = ag.member(code)
        rows = ag.schedule_for(code)
        if member is None or member.contribution is None:
            out.append(error(rows[0].source, f"{code} has a schedule but no contribution in this pool",
                             "schedule only partners with a Contribution"))
            continue
        quarters = [i.quarter for i in rows]
        missing = [q for q in (1, 2, 3, 4) if q not in quarters]
        if missing:
            out.append(error(rows[-1].source, f"{code}'s schedule has no instalment for "
                             + ", ".join(f"Q{q}" for q in missing),
                             "give one row per quarter (an amount of 0 is allowed)"))
        for q in sorted({q for q in quarters if quarters.count(q) > 1}):
            dup = [i for i in rows if i.quarter == q][1]
            out.append(error(dup.source, f"{code} has two instalments for Q{q}", "one row per quarter"))
        total = sum((i.amount for i in rows), ZERO)
        if total != member.contribution:
            out.append(error(rows[-1].source, f"{code}'s schedule sums to {fmt_money(total)}, "
                             f"not its contribution {fmt_money(member.contribution)}",
                             "the instalments must add up to the annual contribution"))
    return out


def check_bands(ag: Agreement) -> list[Problem]:
    """Bands of one direction run from low to high without overlapping; only the last may be open."""
    out: list[Problem] = []
    for direction in ("gain", "pain"):
        bands = sorted((b for b in ag.bands if b.direction == direction), key=lambda b: b.from_pct)
        for b in bands:
            if b.to_pct is not None and b.to_pct <= b.from_pct:
                out.append(error(b.source, f"a {direction} band ends at {b.to_pct.normalize():f}%, not after its start "
                                 f"{b.from_pct.normalize():f}%", "To % must be more than From % (blank: unbounded)"))
        for prev, nxt in zip(bands, bands[1:]):
            if prev.to_pct is None or nxt.from_pct < prev.to_pct:
                end = "unbounded" if prev.to_pct is None else f"{prev.to_pct.normalize():f}%"
                out.append(error(nxt.source, f"this {direction} band from {nxt.from_pct.normalize():f}% overlaps the one "
                                 f"from {prev.from_pct.normalize():f}% to {end}",
                                 "bands of one direction must not overlap"))
    return out


def check_kpis(ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    seen: set[str] = set()
    for k in ag.kpis:
        if k.code in seen:
            out.append(error(k.source, f"KPI {k.code} appears twice", "one row per KPI"))
        seen.add(k.code)
        if k.weight <= 0:
            out.append(error(k.source, f"the weight of KPI {k.code} must be more than zero", "give a positive weight"))
        worse = k.floor < k.target if k.better == "higher" else k.floor > k.target
        if not worse:
            out.append(error(k.source, f"the floor of KPI {k.code} is not on the worse side of its target",
                             f"when {k.better} is better the floor must be "
                             f"{'below' if k.better == 'higher' else 'above'} the target"))
    return out


def validate_agreement(ag: Agreement, host_cell: Source | None = None) -> list[Problem]:
    host_src = host_cell or Source(ag.source.file, "Pool")
    return (
        check_roles(ag)
        + check_host(ag, host_src)
        + check_terms(ag)
        + check_shares(ag)
        + check_lines(ag)
        + check_schedule(ag)
        + check_bands(ag)
        + check_kpis(ag)
    )


# --- returns -------------------------------------------------------------------------------


def _partner_problem(row: MoneyRow, code: str | None, what: str, field: str, known: set[str]) -> list[Problem]:
    if code is not None and code not in known:
        return [error(locate(row.source, row.cells, field), f"{what} {code} is not a partner of the pool",
                      "use a partner code from the agreement's Partners sheet")]
    return []


def check_money_rows(ret: Return, ag: Agreement, known: set[str]) -> list[Problem]:
    out: list[Problem] = []
    beneficiaries = {m.partner for m in ag.with_role(Role.BENEFICIARY)}
    providers = {m.partner for m in ag.with_role(Role.PROVIDER)}
    for row in ret.money:
        if not ret.period.contains(row.date):
            out.append(error(locate(row.source, row.cells, "date"), f"the date {row.date:%d/%m/%Y} is outside {ret.period} "
                             f"({ret.period.first_day:%d/%m/%Y} to {ret.period.last_day:%d/%m/%Y})",
                             "date the row inside the return's quarter, or send it in that quarter's return"))
        if row.line is not None and ag.line(row.line) is None:
            out.append(error(locate(row.source, row.cells, "line"), f"line {row.line} is not a line of pool {ag.pool} in {ag.year}",
                             "use a code from the agreement's Lines sheet"))
        if row.corrects is not None and row.corrects >= ret.period:
            out.append(error(locate(row.source, row.cells, "corrects"), f"Corrects period {row.corrects} is not before {ret.period}",
                             "a correction names an earlier, closed quarter"))
        if row.kind in (Movement.TRANSFER, Movement.CONTRIBUTION):
            for code, field in ((row.partner, "partner" if row.kind is Movement.CONTRIBUTION else "from_partner"),
                                (row.counterparty, "to_partner")):
                if code in beneficiaries:
                    out.append(error(locate(row.source, row.cells, field),
                                     f"{code} is a beneficiary of the pool: it receives savings only, "
                                     "so it pays nothing into the pool and takes no part in settlements",
                                     "give it a role that takes part (e.g. contributor) in the agreement"))
        if row.kind is Movement.TRANSFER:
            out += _partner_problem(row, row.partner, "From", "from_partner", known)
            out += _partner_problem(row, row.counterparty, "To", "to_partner", known)
            if row.partner == row.counterparty:
                out.append(error(locate(row.source, row.cells, "to_partner"), "a transfer's From and To are the same partner",
                                 "a transfer is a payment between two different partners"))
            if row.amount <= 0:
                out.append(error(locate(row.source, row.cells, "amount"), f"a transfer's amount must be more than zero, not {fmt_money(row.amount)}",
                                 "for a payment the other way, swap From and To"))
        else:
            what, field = {
                Movement.SPEND: ("Paid by", "paid_by"),
                Movement.INCOME: ("Received by", "received_by"),
                Movement.CONTRIBUTION: ("Partner", "partner"),
            }[row.kind]
            out += _partner_problem(row, row.partner, what, field, known)
        if row.provider is not None and row.provider not in providers:
            out.append(error(locate(row.source, row.cells, "provider"), f"Provider {row.provider} is not a provider of the pool",
                             "use the partner code of a provider in the agreement"))
    return out


def check_parties(ret: Return, ag: Agreement) -> list[Problem]:
    """Who may pay or receive what, by arrangement."""
    out: list[Problem] = []
    if ag.arrangement is A.JOINT_VENTURE and ag.host:
        for row in ret.money:
            for code, field in ((row.partner, "partner" if row.kind is Movement.CONTRIBUTION else "from_partner"),
                                (row.counterparty, "to_partner")):
                if code == ag.host and row.kind in (Movement.CONTRIBUTION, Movement.TRANSFER):
                    out.append(error(locate(row.source, row.cells, field),
                                     f"{code} is the joint venture itself: it holds no balance with its owners",
                                     "record the owners' payments to the entity as their Contributions"))
    if ag.arrangement is A.LEAD_BODY and ag.host:
        for row in ret.money:
            if row.kind is Movement.SPEND and row.partner not in (None, ag.host):
                out.append(warning(locate(row.source, row.cells, "paid_by"),
                                   f"in a pooled fund the host pays spend from the pool: Paid by {row.partner} is "
                                   f"recorded, but {row.partner} is not credited for it",
                                   f"if {row.partner} paid on the pool's behalf, record it as its Contribution"))
    if ag.arrangement is A.JOINT_COMMISSIONING:
        commissioners = {m.partner for m in ag.with_role(Role.COMMISSIONER)}
        for row in ret.money:
            if row.kind in (Movement.SPEND, Movement.INCOME) and row.partner not in commissioners | {None}:
                field = "paid_by" if row.kind is Movement.SPEND else "received_by"
                what = "paid" if row.kind is Movement.SPEND else "received"
                out.append(error(locate(row.source, row.cells, field),
                                 f"{row.partner} {what} this but is not a commissioner of the pool",
                                 "name the commissioner who paid or received it (the provider is a third party)"))
    return out


def check_forecasts(ret: Return, ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, Source] = {}
    for f in ret.forecasts:
        if ag.line(f.line) is None:
            out.append(error(f.source, f"line {f.line} is not a line of pool {ag.pool} in {ag.year}",
                             "use a code from the agreement's Lines sheet"))
        if f.line in seen:
            out.append(error(f.source, f"line {f.line} is forecast twice in this return (also at {seen[f.line].cell})",
                             "one forecast per line per quarter"))
        seen.setdefault(f.line, f.source)
    return out


def check_kpi_actuals(ret: Return, ag: Agreement) -> list[Problem]:
    codes = {k.code for k in ag.kpis}
    return [
        error(k.source, f"KPI {k.kpi} is not a KPI of the agreement", "use a code from the agreement's KPIs sheet")
        for k in ret.kpi_actuals
        if k.kpi not in codes
    ]


def check_savings(ret: Return, ag: Agreement) -> list[Problem]:
    out: list[Problem] = []
    for s in ret.savings:
        if ag.member(s.beneficiary) is None:
            out.append(error(locate(s.source, s.cells, "beneficiary"), f"beneficiary {s.beneficiary} is not declared in the pool's partners",
                             "add it to the agreement's Partners sheet (role beneficiary if it is outside the pool)"))
        if s.line is not None and ag.line(s.line) is None:
            out.append(error(locate(s.source, s.cells, "line"), f"line {s.line} is not a line of pool {ag.pool} in {ag.year}",
                             "use a code from the agreement's Lines sheet"))
        if s.quantity < 0 and not s.evidence.strip():
            out.append(error(locate(s.source, s.cells, "quantity"), "a negative quantity needs an explanation in Evidence",
                             "say in Evidence why the saving is negative (e.g. need revealed)"))
    return out


def validate_return(ret: Return, ag: Agreement, former: Iterable[str] = ()) -> list[Problem]:
    """A return's rows against the year's agreement (``former``: earlier members still known)."""
    known = {m.partner for m in ag.members} | set(former)
    out: list[Problem] = []
    if ret.submitted_by not in known:
        out.append(error(ret.source, f"Submitted by {ret.submitted_by} is not a partner of pool {ag.pool}",
                         "use the partner code of the partner sending the return"))
    return (
        out
        + check_money_rows(ret, ag, known)
        + check_parties(ret, ag)
        + check_forecasts(ret, ag)
        + check_kpi_actuals(ret, ag)
        + check_savings(ret, ag)
    )
