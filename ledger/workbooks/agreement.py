"""Read an agreement workbook (FORMATS section 2) into an ``Agreement``."""

from __future__ import annotations

from decimal import Decimal

from ledger.money import ZERO
from ledger.problems import Problem, Source, warning
from ledger.records import Agreement, Arrangement, Band, Instalment, Kpi, Line, LineShare, Member, Role, Underspend
from ledger.validate import validate_agreement
from ledger.workbooks import specs as S
from ledger.workbooks.reader import Workbook
from ledger.workbooks.sheets import find, warn_unread
from ledger.workbooks.tables import TableRow, check_required_fields, needs_formats, read_key_values, read_table

MEMBER_FIELDS = (
    "contribution",
    "overspend_share",
    "underspend_share",
    "cap",
    "ownership",
    "cost_share",
    "target_cost",
    "fee",
    "gain_split",
)


def read_agreement(wb: Workbook) -> tuple[Agreement | None, list[Problem]]:
    problems: list[Problem] = []
    pool_title = find(wb, S.POOL, problems)
    if pool_title is None:
        return None, problems
    pool_src = Source(wb.name, pool_title)
    kv = read_key_values(wb.rows(pool_title, needs_formats(S.POOL)), S.POOL, pool_src, None, problems)
    arrangement_value = kv.values.get("arrangement")
    arrangement = Arrangement(arrangement_value) if arrangement_value else None
    for col in S.POOL.columns:
        if arrangement is not None and col.field in kv.cells and arrangement not in col.applies:
            if kv.values.get(col.field) is not None:
                problems.append(
                    warning(pool_src.at(kv.cells[col.field]), f"{col.name} does not apply to {arrangement.label} pools; ignored",
                            "remove the row, or check the pool's arrangement")
                )
            kv.values[col.field] = None
    check_required_fields(kv, S.POOL, pool_src, arrangement, problems)
    titles = warn_unread(wb, S.AGREEMENT_SHEETS, arrangement, problems)

    def table(spec: S.SheetSpec) -> list[TableRow]:
        title = find(wb, spec, problems)
        if title is None or title not in titles:
            return []
        return list(read_table(wb.rows(title, needs_formats(spec)), spec, Source(wb.name, title), arrangement, problems))

    partners = table(S.PARTNERS)
    lines = table(S.LINES)
    line_shares = table(S.LINE_SHARES)
    schedule = table(S.SCHEDULE)
    bands = table(S.BANDS)
    kpis = table(S.KPIS)
    if not kv.ok or arrangement is None or kv.values.get("year") is None:
        return None, problems

    # Rows with a bad optional cell still take part in the cross-row checks, so
    # every problem in the file is reported at once (the bad cell reads as blank).
    members = tuple(_member(r) for r in partners if _has(r, "partner", "name", "role"))
    default_underspend = "carry_forward" if arrangement is Arrangement.JOINT_VENTURE else "return"
    agreement = Agreement(
        pool=kv.values["code"],
        name=kv.values["name"],
        arrangement=arrangement,
        year=kv.values["year"],
        source=Source(wb.name),
        host=kv.values.get("host") or _host_from_roles(members, arrangement),
        underspend=Underspend(kv.get("underspend", default_underspend)),
        aligned_risk_share=kv.get("aligned_risk_share", "none"),
        savings_share=kv.get("savings_share", ZERO),
        savings_share_basis=kv.get("savings_share_basis", "investment"),
        kpi_threshold=kv.get("kpi_threshold", ZERO),
        pain_cap=kv.get("pain_cap", "fee"),
        members=members,
        lines=tuple(
            Line(r.values["code"], r.values["name"], r.values["budget"], r.source, r.get("owner"), r.get("provider"),
                 tuple(sorted(r.cells.items())))
            for r in lines
            if _has(r, "code", "name", "budget")
        ),
        line_shares=tuple(
            LineShare(r.values["line"], r.values["partner"], r.values["cost_share"], r.at("cost_share"))
            for r in line_shares
            if r.ok
        ),
        schedule=tuple(
            Instalment(r.values["partner"], int(r.values["quarter"][1]), r.values["amount"], r.at("amount"))
            for r in schedule
            if r.ok
        ),
        bands=tuple(
            Band(r.values["direction"], r.values["from_pct"], r.get("to_pct"), r.values["providers_pct"], r.source)
            for r in bands
            if r.ok
        ),
        kpis=tuple(
            Kpi(
                r.values["code"], r.values["name"], r.values["weight"], r.values["target"], r.values["floor"],
                r.values["better"], r.source,
            )
            for r in kpis
            if r.ok
        ),
    )
    # a bad cell is already reported: do not report it again as a broken rule
    bad = {str(p.source) for p in problems if p.is_error}
    problems.extend(
        p for p in validate_agreement(agreement, host_cell=_host_source(kv, pool_src)) if str(p.source) not in bad
    )
    if any(p.is_error for p in problems):
        return None, problems
    return agreement, problems


def _has(r: TableRow, *fields: str) -> bool:
    return all(r.values.get(f) is not None for f in fields)


def _host_source(kv: TableRow, src: Source) -> Source:
    return src.at(kv.cells["host"]) if "host" in kv.cells else src


def _host_from_roles(members: tuple[Member, ...], arrangement: Arrangement) -> str | None:
    if arrangement in (Arrangement.LEAD_BODY, Arrangement.JOINT_VENTURE):
        hosts = [m.partner for m in members if m.role is Role.HOST]
        return hosts[0] if len(hosts) == 1 else None
    return None


def _member(r: TableRow) -> Member:
    values: dict[str, Decimal | None] = {f: r.values.get(f) for f in MEMBER_FIELDS}
    return Member(
        partner=r.values["partner"],
        name=r.values["name"],
        kind=r.get("kind", "other"),
        role=Role(r.values["role"]),
        source=r.source,
        cells=tuple(sorted(r.cells.items())),
        **values,  # type: ignore[arg-type]
    )
