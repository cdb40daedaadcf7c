"""Settle a pool for a period from the books, bringing balances forward across years."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from ledger.figures import SettlementInputs
from ledger.money import ZERO
from ledger.periods import FinancialYear, Period
from ledger.records import Agreement, Amounts, Member
from ledger.services import LedgerError
from ledger.settlement import NotYetSupported, carry_over, settle
from ledger.statement import Statement
from ledger.store import reads
from ledger.store.db import read_connection


@dataclass(frozen=True, slots=True)
class Carried:
    """What a year inherits from the one before."""

    brought_forward: Amounts
    former_members: tuple[Member, ...]  # every earlier member, as last recorded
    carried_in: Decimal


def inputs_for(conn: Connection, pool: str, period: Period) -> SettlementInputs:
    years = reads.pool_years(conn, pool)
    if not years:
        raise LedgerError(f"there is no pool {pool}", "`pool-ledger pools` lists the pools")
    closed = reads.closure(conn, pool, period)
    ag = reads.load_agreement(conn, pool, period.year, closed.terms_batch if closed else None)
    if ag is None:
        raise LedgerError(
            f"pool {pool} has no agreement for {period.year}",
            f"its agreements cover {', '.join(str(y) for y in years)}",
        )
    ag = recorded_names(ag, reads.partners(conn))
    carried = carried_into(conn, pool, period.year, years)
    ytd = reads.year_to_date(conn, pool, period)
    named = set(ytd.contributions) | set(ytd.transfers_out) | set(ytd.transfers_in)
    named |= set(ytd.spend_paid_by) | set(ytd.income_received_by)
    former = tuple(
        m
        for m in carried.former_members
        if ag.member(m.partner) is None and (carried.brought_forward[m.partner] != 0 or m.partner in named)
    )
    return SettlementInputs(
        agreement=ag,
        period=period,
        ytd=ytd,
        brought_forward=carried.brought_forward,
        former_members=former,
        carried_in=carried.carried_in,
        cash_before=reads.cash_before(conn, pool, period.year),
        closed=closed is not None,
    )


def recorded_names(ag: Agreement, recorded: dict[str, tuple[str, str]]) -> Agreement:
    """A partner code names one organisation everywhere: its first recorded name and kind stand."""
    members = tuple(
        replace(m, name=recorded[m.partner][0], kind=recorded[m.partner][1]) if m.partner in recorded else m
        for m in ag.members
    )
    return replace(ag, members=members)


def carried_into(conn: Connection, pool: str, year: FinancialYear, years: list[FinancialYear]) -> Carried:
    earlier = [y for y in years if y < year]
    if not earlier:
        return Carried(Amounts(), (), ZERO)
    prev = earlier[-1]
    recorded = reads.closure(conn, pool, prev.period(4))
    if recorded is not None:  # a closed year end hands on what was recorded
        doc = json.loads(recorded.statement)
        bf = Amounts.of((p["partner"], Decimal(p["balance"])) for p in doc["partners"])
        # carried_forward is 0.00 unless the agreement carries an underspend forward
        carried_in = Decimal(doc["totals"]["carried_forward"]) - Decimal(doc["totals"]["unfunded_deficit"])
    else:
        prev_inputs = inputs_for(conn, pool, prev.period(4))
        bf, carried_in = carry_over(_settle(prev_inputs), prev_inputs)
    earlier_members: dict[str, Member] = {}
    for y in earlier:
        ag = reads.load_agreement(conn, pool, y)
        earlier_members.update({m.partner: m for m in ag.parties} if ag else {})
    former = tuple(earlier_members.values())
    return Carried(bf, former, carried_in)


def settle_inputs(inputs: SettlementInputs) -> Statement:
    return _settle(inputs)


def _settle(inputs: SettlementInputs) -> Statement:
    try:
        return settle(inputs)
    except NotYetSupported as exc:
        raise LedgerError(str(exc), "alliance settlement (gainshare and painshare) is the next piece of work") from None


def settle_pool(engine: Engine, pool: str, period: Period) -> Statement:
    """The statement as the books compute it now (for a closed period, see ``statement_document``)."""
    with read_connection(engine) as conn:
        return _settle(inputs_for(conn, pool, period))


def statement_document(engine: Engine, pool: str, period: Period) -> dict[str, Any]:
    """``settle --json``: the statement recorded at close for a closed period, else computed now."""
    with read_connection(engine) as conn:
        recorded = reads.closure(conn, pool, period)
        if recorded is not None:
            doc = json.loads(recorded.statement)
            doc["closed"] = True
            doc["signoffs"] = signoff_rows(conn, pool, period)
            return doc
        return _settle(inputs_for(conn, pool, period)).as_json()


def signoff_rows(conn: Connection, pool: str, period: Period) -> list[dict[str, str]]:
    """The sign-offs of a closed quarter, as the settle document and the report show them."""
    return [{"partner": s.partner, "name": s.name, "signed_at": s.signed_at} for s in reads.signoffs(conn, pool, period)]


def statements_by_year(conn: Connection, pool: str, period: Period) -> list[Statement]:
    """The Q4 statement of every earlier year of the pool, then the period's own."""
    years = [y for y in reads.pool_years(conn, pool) if y < period.year]
    return [_settle(inputs_for(conn, pool, y.period(4))) for y in years] + [_settle(inputs_for(conn, pool, period))]
