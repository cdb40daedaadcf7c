"""The settlement statement: what each partner owes or is owed, and why.

Pure records and their JSON form (FORMATS section 5): amounts are strings
with two decimals (never ``-0.00``), ratios strings with four.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.money import ZERO, money_str, ratio_str
from ledger.periods import Period
from ledger.problems import Problem
from ledger.records import Arrangement


@dataclass(frozen=True, slots=True)
class Item:
    """One figure of a partner's statement, with the rule that produced it."""

    name: str
    amount: Decimal
    explanation: str = ""
    ratio: bool = False

    def json_value(self) -> str:
        return ratio_str(self.amount) if self.ratio else money_str(self.amount)


@dataclass(frozen=True, slots=True)
class PartnerStatement:
    partner: str
    name: str
    role: str
    brought_forward: Decimal
    obligation: Decimal
    paid: Decimal
    transfers_out: Decimal
    transfers_in: Decimal
    items: tuple[Item, ...]

    @property
    def balance(self) -> Decimal:
        return (
            self.brought_forward + self.obligation - self.paid - self.transfers_out + self.transfers_in
        )

    def item(self, name: str) -> Item | None:
        for it in self.items:
            if it.name == name:
                return it
        return None

    def amount(self, name: str) -> Decimal:
        it = self.item(name)
        return it.amount if it else ZERO

    def as_json(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "role": self.role,
            "name": self.name,
            "brought_forward": money_str(self.brought_forward),
            "obligation": money_str(self.obligation),
            "paid": money_str(self.paid),
            "transfers_out": money_str(self.transfers_out),
            "transfers_in": money_str(self.transfers_in),
            "balance": money_str(self.balance),
            "items": {it.name: it.json_value() for it in self.items},
            "explanations": {it.name: it.explanation for it in self.items},
        }


@dataclass(frozen=True, slots=True)
class Totals:
    budget: Decimal
    spend: Decimal
    income: Decimal
    forecast: Decimal
    carried_forward: Decimal = ZERO
    pool_cash: Decimal = ZERO
    residual: Decimal = ZERO
    unfunded_deficit: Decimal = ZERO

    @property
    def net_spend(self) -> Decimal:
        return self.spend - self.income

    @property
    def variance(self) -> Decimal:
        return self.forecast - self.budget

    def as_json(self) -> dict[str, str]:
        return {
            "budget": money_str(self.budget),
            "spend": money_str(self.spend),
            "income": money_str(self.income),
            "net_spend": money_str(self.net_spend),
            "forecast": money_str(self.forecast),
            "variance": money_str(self.variance),
            "carried_forward": money_str(self.carried_forward),
            "pool_cash": money_str(self.pool_cash),
            "residual": money_str(self.residual),
            "unfunded_deficit": money_str(self.unfunded_deficit),
        }


@dataclass(frozen=True, slots=True)
class Statement:
    pool: str
    name: str
    arrangement: Arrangement
    period: Period
    final: bool
    totals: Totals
    partners: tuple[PartnerStatement, ...]
    problems: tuple[Problem, ...] = ()
    closed: bool = False
    alliance: dict[str, str] | None = None

    def partner(self, code: str) -> PartnerStatement | None:
        for p in self.partners:
            if p.partner == code:
                return p
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "pool": self.pool,
            "name": self.name,
            "arrangement": self.arrangement.value,
            "period": str(self.period),
            "final": self.final,
            "closed": self.closed,
            "totals": self.totals.as_json(),
            "partners": [p.as_json() for p in self.partners],
            "alliance": self.alliance,
            "problems": [p.as_json() for p in self.problems],
        }


def canonical_json(doc: dict[str, Any]) -> str:
    """Keys sorted, no spaces, without ``closed`` and ``problems`` (the hashed form)."""
    body = {k: v for k, v in doc.items() if k not in ("closed", "problems")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def figures_hash(statement: Statement) -> str:
    return hashlib.sha256(canonical_json(statement.as_json()).encode("utf-8")).hexdigest()
