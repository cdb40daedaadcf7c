"""Reading the books back: agreements, year-to-date sums (in SQL), batches."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from ledger.figures import YearToDate
from ledger.money import ZERO, from_pence
from ledger.periods import FinancialYear, Period
from ledger.problems import Source
from ledger.records import (
    Agreement,
    Amounts,
    Arrangement,
    Band,
    Instalment,
    Kpi,
    Line,
    LineShare,
    Member,
    Role,
    Saving,
    Underspend,
)
from ledger.store import models as M

B, T = M.Batch.__table__, M.TxnRec.__table__


def replaced_batches() -> Any:
    """Ids of batches a later batch replaced (their registers no longer count)."""
    return select(B.c.replaces_batch).where(B.c.replaces_batch.is_not(None))


def batch_by_sha(conn: Connection, sha: str) -> Any:
    return conn.execute(select(B).where(B.c.sha256 == sha)).first()


def batch(conn: Connection, batch_id: int) -> Any:
    return conn.execute(select(B).where(B.c.id == batch_id)).first()


def active_return(conn: Connection, pool: str, period: Period, submitter: str) -> Any:
    return conn.execute(
        select(B)
        .where(
            and_(
                B.c.kind == "return",
                B.c.pool == pool,
                B.c.year_start == period.year.start,
                B.c.quarter == period.quarter,
                B.c.submitted_by == submitter,
                B.c.id.not_in(replaced_batches()),
            )
        )
        .order_by(B.c.id.desc())
    ).first()


def terms_batch(conn: Connection, pool: str, year: FinancialYear) -> int | None:
    tr = M.TermsRec.__table__
    return conn.execute(
        select(func.max(tr.c.batch_id)).where(and_(tr.c.pool == pool, tr.c.year_start == year.start))
    ).scalar()


def pool_years(conn: Connection, pool: str) -> list[FinancialYear]:
    tr = M.TermsRec.__table__
    rows = conn.execute(select(tr.c.year_start).where(tr.c.pool == pool).distinct().order_by(tr.c.year_start))
    return [FinancialYear(r[0]) for r in rows]


def pool_codes(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(M.PoolRec.__table__.c.code).order_by(M.PoolRec.__table__.c.code))]


def partners(conn: Connection) -> dict[str, tuple[str, str]]:
    p = M.PartnerRec.__table__
    return {r.code: (r.name, r.kind) for r in conn.execute(select(p))}


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _money(p: int | None) -> Decimal | None:
    return None if p is None else from_pence(p)


def load_agreement(
    conn: Connection, pool: str, year: FinancialYear, version: int | None = None
) -> Agreement | None:
    """The year's terms: the newest version, or the version ``version`` (a terms batch id)."""
    batch_id = version if version is not None else terms_batch(conn, pool, year)
    if batch_id is None:
        return None
    b = batch(conn, batch_id)
    file = b.file_name
    tr = conn.execute(select(M.TermsRec.__table__).where(M.TermsRec.__table__.c.batch_id == batch_id)).one()
    mt, lt, rt = M.MemberRec.__table__, M.LineRec.__table__, M.TermRowRec.__table__
    members = tuple(
        Member(
            partner=r.partner, name=r.name, kind=r.kind, role=Role(r.role),
            source=Source(file, r.sheet, r.cell, r.row), cells=tuple(sorted(json.loads(r.cells).items())),
            contribution=_money(r.contribution), overspend_share=_dec(r.overspend_share),
            underspend_share=_dec(r.underspend_share), cap=_money(r.cap), ownership=_dec(r.ownership),
            cost_share=_dec(r.cost_share), target_cost=_money(r.target_cost), fee=_money(r.fee),
            gain_split=_dec(r.gain_split),
        )
        for r in conn.execute(select(mt).where(mt.c.batch_id == batch_id).order_by(mt.c.seq))
    )
    lines = tuple(
        Line(r.code, r.name, from_pence(r.budget), Source(file, r.sheet, r.cell, r.row), r.owner, r.provider)
        for r in conn.execute(select(lt).where(lt.c.batch_id == batch_id).order_by(lt.c.seq))
    )
    rows: dict[str, list[Any]] = {"line_share": [], "schedule": [], "band": [], "kpi": []}
    for r in conn.execute(select(rt).where(rt.c.batch_id == batch_id).order_by(rt.c.sheet_kind, rt.c.seq)):
        d = json.loads(r.data)
        src = Source(file, r.sheet, r.cell, r.row)
        if r.sheet_kind == "line_share":
            rows["line_share"].append(LineShare(d["line"], d["partner"], Decimal(d["cost_share"]), src))
        elif r.sheet_kind == "schedule":
            rows["schedule"].append(Instalment(d["partner"], int(d["quarter"]), Decimal(d["amount"]), src))
        elif r.sheet_kind == "band":
            rows["band"].append(
                Band(d["direction"], Decimal(d["from_pct"]), _dec(d["to_pct"]), Decimal(d["providers_pct"]), src)
            )
        else:
            rows["kpi"].append(
                Kpi(d["code"], d["name"], Decimal(d["weight"]), Decimal(d["target"]), Decimal(d["floor"]),
                    d["better"], src)
            )
    return Agreement(
        pool=pool,
        name=tr.name,
        arrangement=Arrangement(tr.arrangement),
        year=year,
        source=Source(file),
        host=tr.host,
        underspend=Underspend(tr.underspend),
        aligned_risk_share=tr.aligned_risk_share,
        savings_share=Decimal(tr.savings_share),
        savings_share_basis=tr.savings_share_basis,
        kpi_threshold=Decimal(tr.kpi_threshold),
        pain_cap=tr.pain_cap,
        members=members,
        lines=lines,
        line_shares=tuple(rows["line_share"]),
        schedule=tuple(rows["schedule"]),
        bands=tuple(rows["band"]),
        kpis=tuple(rows["kpi"]),
    )


def year_to_date(conn: Connection, pool: str, period: Period) -> YearToDate:
    """Sums of the year's money rows up to the period, grouped in SQL."""
    rows = conn.execute(
        select(T.c.kind, T.c.line, T.c.partner, T.c.counterparty, T.c.provider, func.sum(T.c.amount))
        .where(and_(T.c.pool == pool, T.c.year_start == period.year.start, T.c.quarter <= period.quarter))
        .group_by(T.c.kind, T.c.line, T.c.partner, T.c.counterparty, T.c.provider)
    ).all()
    acc: dict[str, list[tuple[str, Decimal]]] = {
        k: [] for k in ("spend", "income", "contributions", "paid_by", "received_by", "out", "in")
    }
    named: dict[tuple[str, str], Decimal] = {}
    for kind, line, partner, counterparty, provider, total in rows:
        amount = from_pence(int(total))
        if kind == "spend":
            acc["spend"].append((line, amount))
            acc["paid_by"].append((partner, amount))
            if provider:
                named[(line, provider)] = named.get((line, provider), ZERO) + amount
        elif kind == "income":
            acc["income"].append((line, amount))
            acc["received_by"].append((partner, amount))
        elif kind == "contribution":
            acc["contributions"].append((partner, amount))
        elif kind == "transfer":
            acc["out"].append((partner, amount))
            acc["in"].append((counterparty, amount))
    return YearToDate(
        spend=Amounts.of(acc["spend"]),
        income=Amounts.of(acc["income"]),
        contributions=Amounts.of(acc["contributions"]),
        spend_paid_by=Amounts.of(acc["paid_by"]),
        income_received_by=Amounts.of(acc["received_by"]),
        transfers_out=Amounts.of(acc["out"]),
        transfers_in=Amounts.of(acc["in"]),
        forecasts=latest_forecasts(conn, pool, period),
        provider_spend=tuple((line, provider, v) for (line, provider), v in sorted(named.items())),
        kpi_actuals=latest_kpi_actuals(conn, pool, period),
        savings_realised=savings(conn, pool, period, "realised"),
        savings_forecast=savings(conn, pool, period, "forecast"),
    )


def savings(conn: Connection, pool: str, period: Period, status: str, all_years: bool = False) -> tuple[Saving, ...]:
    """Realised rows of the year to date (of every year to date with ``all_years``), or the
    forecast rows of the latest period up to ``period`` that has any (forecasts are not summed)."""
    s = M.SavingRec.__table__
    in_year = and_(s.c.year_start == period.year.start, s.c.quarter <= period.quarter)
    when = or_(s.c.year_start < period.year.start, in_year) if all_years else in_year
    rows = conn.execute(
        select(s, B.c.file_name)
        .join(B, B.c.id == s.c.batch_id)
        .where(and_(s.c.pool == pool, s.c.status == status, when, s.c.batch_id.not_in(replaced_batches())))
        .order_by(s.c.year_start, s.c.quarter, s.c.batch_id, s.c.seq)
    ).all()
    if status == "forecast" and rows:
        last = max((r.year_start, r.quarter) for r in rows)
        rows = [r for r in rows if (r.year_start, r.quarter) == last]
    return tuple(
        Saving(
            line=r.line, measure=r.measure, quantity=Decimal(r.quantity), unit_cost=from_pence(r.unit_cost),
            beneficiary=r.beneficiary, status=r.status, source=Source(r.file_name, r.sheet, r.cell, r.row),
            deadweight=Decimal(r.deadweight), attribution=Decimal(r.attribution),
            optimism_bias=Decimal(r.optimism_bias), cashable=Decimal(r.cashable), evidence=r.evidence,
        )
        for r in rows
    )


def latest_kpi_actuals(conn: Connection, pool: str, period: Period) -> Amounts:
    """Each KPI's latest actual reported in the year up to the period."""
    k = M.KpiActualRec.__table__
    return Amounts(tuple(sorted((kpi, Decimal(v)) for kpi, v in _latest_rows(conn, k, k.c.kpi, k.c.actual, pool, period).items())))


def latest_forecasts(conn: Connection, pool: str, period: Period) -> Amounts:
    """Each line's forecast from the latest period of the year up to the period that has one."""
    f = M.ForecastRec.__table__
    return Amounts(tuple(sorted((line, from_pence(v)) for line, v in _latest_rows(conn, f, f.c.line, f.c.amount, pool, period).items())))


def _latest_rows(conn: Connection, table: Any, key: Any, value: Any, pool: str, period: Period) -> dict[str, Any]:
    """key -> value of the latest row of the year up to ``period`` (replaced batches left out)."""
    rows = conn.execute(
        select(key, value)
        .where(
            and_(
                table.c.pool == pool,
                table.c.year_start == period.year.start,
                table.c.quarter <= period.quarter,
                table.c.batch_id.not_in(replaced_batches()),
            )
        )
        .order_by(table.c.quarter, table.c.batch_id, table.c.seq)
    ).all()
    return {k: v for k, v in rows}


def money_before(conn: Connection, pool: str, year: FinancialYear) -> dict[str, Decimal]:
    """Totals by kind of every money row before the year (for pool cash)."""
    rows = conn.execute(
        select(T.c.kind, func.sum(T.c.amount))
        .where(and_(T.c.pool == pool, T.c.year_start < year.start))
        .group_by(T.c.kind)
    ).all()
    return {kind: from_pence(int(total)) for kind, total in rows}


def cash_before(conn: Connection, pool: str, year: FinancialYear) -> Decimal:
    m = money_before(conn, pool, year)
    return m.get("contribution", ZERO) - m.get("spend", ZERO) + m.get("income", ZERO)


def _live_in_period(table: Any, pool: str, period: Period) -> Any:
    """Rows of the pool's period from batches not since replaced."""
    return and_(
        table.c.pool == pool,
        table.c.year_start == period.year.start,
        table.c.quarter == period.quarter,
        table.c.batch_id.not_in(replaced_batches()),
    )


def forecast_owners(conn: Connection, pool: str, period: Period, exclude_batch: int | None) -> dict[str, tuple[str, str]]:
    """Lines already forecast for the period: line -> (file, submitter) of the live return."""
    f = M.ForecastRec.__table__
    q = (
        select(f.c.line, B.c.file_name, B.c.submitted_by, B.c.id)
        .join(B, B.c.id == f.c.batch_id)
        .where(_live_in_period(f, pool, period))
    )
    return {r.line: (r.file_name, r.submitted_by) for r in conn.execute(q) if r.id != exclude_batch}


def row_keys(conn: Connection, pool: str, period: Period, exclude_batch: int | None) -> dict[tuple[Any, ...], str]:
    """(kind, date, partner or line, amount, reference) of the period's live rows -> where they came from."""
    q = (
        select(T.c.kind, T.c.date, T.c.line, T.c.partner, T.c.amount, T.c.reference, T.c.sheet, T.c.row,
               B.c.file_name, B.c.id)
        .join(B, B.c.id == T.c.batch_id)
        .where(and_(_live_in_period(T, pool, period), T.c.reverses_batch.is_(None)))
    )
    out: dict[tuple[Any, ...], str] = {}
    for r in conn.execute(q):
        if r.id == exclude_batch:
            continue
        out.setdefault((r.kind, r.date, r.line or r.partner, r.amount, r.reference), f"{r.file_name}:{r.sheet}!{r.row}")
    return out


def used_codes(conn: Connection, pool: str, year: FinancialYear) -> tuple[set[str], set[str]]:
    """Partners and lines that rows of the year's returns name."""
    rows = conn.execute(
        select(T.c.line, T.c.partner, T.c.counterparty).where(and_(T.c.pool == pool, T.c.year_start == year.start)).distinct()
    ).all()
    partners = {c for r in rows for c in (r.partner, r.counterparty) if c}
    lines = {r.line for r in rows if r.line}
    f = M.ForecastRec.__table__
    lines |= {r[0] for r in conn.execute(select(f.c.line).where(and_(f.c.pool == pool, f.c.year_start == year.start)).distinct())}
    return partners, lines


def periods_with_data(conn: Connection, pool: str) -> list[Period]:
    rows = conn.execute(
        select(B.c.year_start, B.c.quarter).where(and_(B.c.pool == pool, B.c.kind == "return")).distinct()
    ).all()
    return sorted(Period(FinancialYear(y), q) for y, q in rows)


def closure(conn: Connection, pool: str, period: Period) -> Any:
    c = M.ClosureRec.__table__
    return conn.execute(
        select(c).where(and_(c.c.pool == pool, c.c.year_start == period.year.start, c.c.quarter == period.quarter))
    ).first()


def closures(conn: Connection, pool: str | None = None) -> list[Any]:
    c = M.ClosureRec.__table__
    q = select(c).order_by(c.c.pool, c.c.year_start, c.c.quarter)
    return list(conn.execute(q.where(c.c.pool == pool) if pool else q))


def signoffs(conn: Connection, pool: str, period: Period) -> list[Any]:
    s = M.SignoffRec.__table__
    return list(conn.execute(
        select(s).where(and_(s.c.pool == pool, s.c.year_start == period.year.start, s.c.quarter == period.quarter))
        .order_by(s.c.signed_at)
    ))
