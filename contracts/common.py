"""What every arrangement's statement shares: a partner's line, former members, words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ledger.figures import SettlementInputs
from ledger.money import ZERO
from ledger.records import Member
from ledger.statement import Item, PartnerStatement

Paid = Callable[[str], Decimal]


def pct(part: Decimal, whole: Decimal) -> str:
    """``part`` as a percentage of ``whole``, for explanations: 66.67%."""
    if whole == 0:
        return "0%"
    return f"{(part / whole * 100).quantize(Decimal('0.01')).normalize():f}%"


def clause(member: Member, field: str) -> str:
    """Where a member's term was read, e.g. ``Partners!F3``."""
    for name, cell in member.cells:
        if name == field:
            return f"{member.source.sheet}!{cell}"
    return f"{member.source.sheet}!{member.source.cell}" if member.source.cell else str(member.source)


def contributions_paid(inputs: SettlementInputs) -> Paid:
    return lambda code: inputs.ytd.contributions[code]


def nothing_paid(_: str) -> Decimal:
    return ZERO


def partner_statement(
    m: Member, inputs: SettlementInputs, obligation: Decimal, items: tuple[Item, ...], paid: Paid | None = None
) -> PartnerStatement:
    """A member's line of the statement: what it owes this year, with what it paid and moved."""
    ytd = inputs.ytd
    return PartnerStatement(
        partner=m.partner,
        name=m.name,
        role=m.role.value,
        brought_forward=inputs.brought_forward[m.partner],
        obligation=obligation,
        paid=(paid or contributions_paid(inputs))(m.partner),
        transfers_out=ytd.transfers_out[m.partner],
        transfers_in=ytd.transfers_in[m.partner],
        items=items,
    )


def zero_items(names: tuple[str, ...], why: str) -> tuple[Item, ...]:
    return tuple(Item(n, ZERO, why) for n in names)


def former_member_statements(
    inputs: SettlementInputs, item_names: tuple[str, ...], paid: Paid | None = None
) -> list[PartnerStatement]:
    """Former members still owing or owed: listed with their balance brought forward."""
    items = zero_items(item_names, "former member: balance brought forward only")
    return [partner_statement(m, inputs, ZERO, items, paid) for m in inputs.former_members]


def savings_item() -> Item:
    return Item("savings_transfer", ZERO, "no savings share in this agreement")
