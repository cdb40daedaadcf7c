"""The journal: balanced transactions of postings, and balances by account.

Accounts (SPEC section 3): ``pool:P:cash`` (the pooled fund),
``pool:P:spend:LINE``, ``pool:P:income:LINE``, ``partner:X:P`` (X's account
with pool P: positive, X owes), ``pool:P:obligations`` (settled at a close),
and ``partner:X:P:own`` for money a partner spends or receives on its own
books (aligned budgets, alliance providers), outside any settlement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.money import to_pence
from ledger.records import Arrangement, MoneyRow, Movement


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    pence: int


@dataclass(frozen=True, slots=True)
class Transaction:
    postings: tuple[Posting, ...]

    @property
    def balanced(self) -> bool:
        return sum(p.pence for p in self.postings) == 0


def cash(pool: str) -> str:
    return f"pool:{pool}:cash"


def spend(pool: str, line: str) -> str:
    return f"pool:{pool}:spend:{line}"


def income(pool: str, line: str) -> str:
    return f"pool:{pool}:income:{line}"


def partner(code: str, pool: str) -> str:
    return f"partner:{code}:{pool}"


def own_books(code: str, pool: str) -> str:
    return f"partner:{code}:{pool}:own"


def obligations(pool: str) -> str:
    return f"pool:{pool}:obligations"


def transaction(row: MoneyRow, pool: str, arrangement: Arrangement) -> Transaction:
    """The double entry for a row of a return."""
    p = to_pence(row.amount)
    if row.kind is Movement.CONTRIBUTION:
        # money into the pooled fund reduces what the partner owes
        legs = ((cash(pool), p), (partner(row.partner or "", pool), -p))
    elif row.kind is Movement.TRANSFER:
        # the payer's balance falls, the payee's rises (balance = ... - out + in)
        legs = ((partner(row.partner or "", pool), -p), (partner(row.counterparty or "", pool), p))
    else:
        if arrangement.has_pooled_fund:
            source = cash(pool)
        elif arrangement is Arrangement.JOINT_COMMISSIONING:
            source = partner(row.partner or "", pool)  # paid directly, counts as paid
        else:
            source = own_books(row.partner or "", pool)
        if row.kind is Movement.SPEND:
            legs = ((spend(pool, row.line or ""), p), (source, -p))
        else:
            legs = ((source, p), (income(pool, row.line or ""), -p))
    return Transaction(tuple(Posting(a, v) for a, v in legs))


def balances(transactions: Iterable[Transaction]) -> dict[str, int]:
    """Pence by account over the given transactions."""
    out: dict[str, int] = {}
    for t in transactions:
        for p in t.postings:
            out[p.account] = out.get(p.account, 0) + p.pence
    return out
