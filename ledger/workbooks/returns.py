"""Read a quarterly return workbook (FORMATS section 3) into a ``Return``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ledger.periods import Period
from ledger.problems import Problem, Source, error
from ledger.records import Agreement, Forecast, KpiActual, MoneyRow, Movement, Return, Saving
from ledger.validate import validate_return
from ledger.workbooks import specs as S
from ledger.workbooks.reader import Workbook
from ledger.workbooks.sheets import find, warn_unread
from ledger.workbooks.tables import TableRow, check_required_fields, needs_formats, read_key_values, read_table

# (pool, period) -> the year's agreement and the codes of earlier members, or an error message
Context = Callable[[str, Period], "tuple[Agreement, frozenset[str]] | str"]
Progress = Callable[[int], None]


def _money(kind: Movement, r: TableRow, submitter: str) -> MoneyRow:
    v = r.values
    if kind is Movement.TRANSFER:
        partner, counterparty = v["from_partner"], v["to_partner"]
    elif kind is Movement.CONTRIBUTION:
        partner, counterparty = v["partner"], None
    elif kind is Movement.SPEND:
        partner, counterparty = v.get("paid_by") or submitter, None
    else:
        partner, counterparty = v.get("received_by") or submitter, None
    return MoneyRow(
        kind=kind,
        date=v["date"],
        amount=v["amount"],
        source=r.source,
        cells=tuple(sorted(r.cells.items())),
        line=v.get("line"),
        partner=partner,
        counterparty=counterparty,
        provider=v.get("provider"),
        reference=v.get("reference") or "",
        description=v.get("description") or "",
        corrects=v.get("corrects"),
    )


MONEY_SHEETS = (
    (S.SPEND, Movement.SPEND),
    (S.INCOME, Movement.INCOME),
    (S.CONTRIBUTIONS, Movement.CONTRIBUTION),
    (S.TRANSFERS, Movement.TRANSFER),
)


def read_return(
    wb: Workbook, context: Context, progress: Progress | None = None
) -> tuple[Return | None, Agreement | None, list[Problem]]:
    problems: list[Problem] = []
    title = find(wb, S.RETURN, problems)
    if title is None:
        return None, None, problems
    src = Source(wb.name, title)
    kv = read_key_values(wb.rows(title, needs_formats(S.RETURN)), S.RETURN, src, None, problems)
    check_required_fields(kv, S.RETURN, src, None, problems)
    agreement: Agreement | None = None
    former: frozenset[str] = frozenset()
    if kv.ok:
        found = context(kv.values["pool"], kv.values["period"])
        if isinstance(found, str):
            problems.append(error(src.at(kv.cells["pool"]), found, "import the pool's agreement workbook first"))
        else:
            agreement, former = found
    arrangement = agreement.arrangement if agreement else None
    titles = warn_unread(wb, S.RETURN_SHEETS, arrangement, problems)
    submitter = kv.values.get("submitted_by") or ""
    done = 0

    def table(spec: S.SheetSpec) -> list[TableRow]:
        nonlocal done
        t = find(wb, spec, problems)
        if t is None or t not in titles:
            return []
        base = done

        def tick(n: int) -> None:
            if progress is not None:
                progress(base + n)

        rows = [r for r in read_table(wb.rows(t, needs_formats(spec)), spec, Source(wb.name, t), arrangement, problems, tick) if r.ok]
        done += len(rows)
        return rows

    money: list[MoneyRow] = []
    for spec, kind in MONEY_SHEETS:
        money.extend(_money(kind, r, submitter) for r in table(spec))
    forecasts = [Forecast(r.values["line"], r.values["amount"], r.at("line")) for r in table(S.FORECAST)]
    kpis = [KpiActual(r.values["kpi"], r.values["actual"], r.at("kpi")) for r in table(S.KPI_ACTUALS)]
    savings = [_saving(r) for r in table(S.SAVINGS)]
    if agreement is None or not kv.ok:
        return None, agreement, problems
    ret = Return(
        pool=kv.values["pool"],
        period=kv.values["period"],
        submitted_by=submitter,
        source=src.at(kv.cells["submitted_by"]),
        money=tuple(money),
        forecasts=tuple(forecasts),
        kpi_actuals=tuple(kpis),
        savings=tuple(savings),
        period_cell=kv.cells.get("period", "B2"),
    )
    problems.extend(validate_return(ret, agreement, former))
    return ret, agreement, problems


def _saving(r: TableRow) -> Saving:
    v = r.values
    attribution = v.get("attribution")
    return Saving(
        line=v.get("line"),
        measure=v["measure"],
        quantity=v["quantity"],
        unit_cost=v["unit_cost"],
        beneficiary=v["beneficiary"],
        status=v["status"],
        source=r.source,
        cells=tuple(sorted(r.cells.items())),
        deadweight=v.get("deadweight") or Decimal(0),
        attribution=Decimal(100) if attribution is None else attribution,
        optimism_bias=v.get("optimism_bias") or Decimal(0),
        cashable=v.get("cashable") or Decimal(0),
        evidence=v.get("evidence") or "",
    )
