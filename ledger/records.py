"""Frozen records: the agreement's terms and the rows of quarterly returns.

Every imported record carries the ``Source`` (file, sheet, cell) it came
from. Collections are tuples; amounts are Decimal pounds; percentages are
Decimal percent points (50 means 50%).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from ledger.money import ZERO
from ledger.periods import FinancialYear, Period
from ledger.problems import Source


class Arrangement(str, Enum):
    ALIGNED = "aligned"
    LEAD_BODY = "lead_body"
    JOINT_COMMISSIONING = "joint_commissioning"
    JOINT_VENTURE = "joint_venture"
    ALLIANCE = "alliance"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def has_pooled_fund(self) -> bool:
        return self in (Arrangement.LEAD_BODY, Arrangement.JOINT_VENTURE)


class Role(str, Enum):
    HOST = "host"
    CONTRIBUTOR = "contributor"
    COMMISSIONER = "commissioner"
    PROVIDER = "provider"
    OWNER = "owner"
    BENEFICIARY = "beneficiary"


class Underspend(str, Enum):
    RETURN = "return"
    CARRY_FORWARD = "carry_forward"


class Movement(str, Enum):
    """Kinds of money that moved, one per return sheet of money rows."""

    CONTRIBUTION = "contribution"
    SPEND = "spend"
    INCOME = "income"
    TRANSFER = "transfer"


PARTNER_KINDS = (
    "council",
    "nhs_commissioner",
    "nhs_provider",
    "public_health",
    "police",
    "fire",
    "housing",
    "voluntary",
    "private",
    "joint_venture",
    "central_government",
    "other",
)

# Roles each arrangement admits (any pool may also list beneficiaries).
ROLES: dict[Arrangement, tuple[Role, ...]] = {
    Arrangement.LEAD_BODY: (Role.HOST, Role.CONTRIBUTOR),
    Arrangement.JOINT_VENTURE: (Role.HOST, Role.OWNER),
    Arrangement.ALIGNED: (Role.CONTRIBUTOR,),
    Arrangement.JOINT_COMMISSIONING: (Role.COMMISSIONER,),
    Arrangement.ALLIANCE: (Role.COMMISSIONER, Role.PROVIDER),
}


def locate(source: Source, cells: tuple[tuple[str, str], ...], field: str) -> Source:
    """The cell a record's field was read from (the record's own source if unknown)."""
    for name, cell in cells:
        if name == field:
            return source.at(cell)
    return source


@dataclass(frozen=True, slots=True)
class Member:
    """A partner's place in a pool for one financial year."""

    partner: str
    name: str
    kind: str
    role: Role
    source: Source
    cells: tuple[tuple[str, str], ...] = ()  # (field, cell) where each term was read
    contribution: Decimal | None = None
    overspend_share: Decimal | None = None
    underspend_share: Decimal | None = None
    cap: Decimal | None = None
    ownership: Decimal | None = None
    cost_share: Decimal | None = None
    target_cost: Decimal | None = None
    fee: Decimal | None = None
    gain_split: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Line:
    code: str
    name: str
    budget: Decimal
    source: Source
    owner: str | None = None
    provider: str | None = None
    cells: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LineShare:
    line: str
    partner: str
    cost_share: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Instalment:
    """A row of the agreement's ``Schedule``: replaces the equal instalments."""

    partner: str
    quarter: int
    amount: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Band:
    direction: str  # gain | pain
    from_pct: Decimal
    to_pct: Decimal | None  # None: unbounded
    providers_pct: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Kpi:
    code: str
    name: str
    weight: Decimal
    target: Decimal
    floor: Decimal
    better: str  # higher | lower
    source: Source


@dataclass(frozen=True, slots=True)
class Agreement:
    """One pool's terms for one financial year (FORMATS section 2)."""

    pool: str
    name: str
    arrangement: Arrangement
    year: FinancialYear
    source: Source
    host: str | None = None
    underspend: Underspend = Underspend.RETURN
    aligned_risk_share: str = "none"
    savings_share: Decimal = ZERO
    savings_share_basis: str = "investment"
    kpi_threshold: Decimal = ZERO
    pain_cap: str = "fee"
    members: tuple[Member, ...] = ()
    lines: tuple[Line, ...] = ()
    line_shares: tuple[LineShare, ...] = ()
    schedule: tuple[Instalment, ...] = ()
    bands: tuple[Band, ...] = ()
    kpis: tuple[Kpi, ...] = ()

    def member(self, partner: str) -> Member | None:
        for m in self.members:
            if m.partner == partner:
                return m
        return None

    def line(self, code: str) -> Line | None:
        for ln in self.lines:
            if ln.code == code:
                return ln
        return None

    def with_role(self, *roles: Role) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.role in roles)

    @property
    def parties(self) -> tuple[Member, ...]:
        """Members who hold a balance or a share: everyone but beneficiaries."""
        return tuple(m for m in self.members if m.role is not Role.BENEFICIARY)

    def schedule_for(self, partner: str) -> tuple[Instalment, ...]:
        return tuple(sorted((i for i in self.schedule if i.partner == partner), key=lambda i: i.quarter))


@dataclass(frozen=True, slots=True)
class MoneyRow:
    """A row of Spend, Income, Contributions or Transfers in a return.

    ``partner`` is who paid (spend), received (income), contributed
    (contribution) or paid out (transfer, whose ``counterparty`` received).
    """

    kind: Movement
    date: date
    amount: Decimal
    source: Source
    cells: tuple[tuple[str, str], ...] = ()
    line: str | None = None
    partner: str | None = None
    counterparty: str | None = None
    provider: str | None = None
    reference: str = ""
    description: str = ""
    corrects: Period | None = None


@dataclass(frozen=True, slots=True)
class Forecast:
    line: str
    amount: Decimal  # full-year net outturn of the whole line
    source: Source


@dataclass(frozen=True, slots=True)
class KpiActual:
    kpi: str
    actual: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Saving:
    line: str | None
    measure: str
    quantity: Decimal
    unit_cost: Decimal
    beneficiary: str
    status: str  # forecast | realised
    source: Source
    cells: tuple[tuple[str, str], ...] = ()
    deadweight: Decimal = ZERO
    attribution: Decimal = Decimal(100)
    optimism_bias: Decimal = ZERO
    cashable: Decimal = ZERO
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Return:
    """One quarterly return workbook (FORMATS section 3)."""

    pool: str
    period: Period
    submitted_by: str
    source: Source
    money: tuple[MoneyRow, ...] = ()
    forecasts: tuple[Forecast, ...] = ()
    kpi_actuals: tuple[KpiActual, ...] = ()
    savings: tuple[Saving, ...] = ()
    period_cell: str = "B2"  # where the Return sheet gives the period

    @property
    def row_count(self) -> int:
        return len(self.money) + len(self.forecasts) + len(self.kpi_actuals) + len(self.savings)


@dataclass(frozen=True, slots=True)
class Amounts:
    """An immutable map from a code to an amount; a missing code is zero."""

    pairs: tuple[tuple[str, Decimal], ...] = field(default=())

    @classmethod
    def of(cls, items: Iterable[tuple[str, Decimal]]) -> Amounts:
        totals: dict[str, Decimal] = {}
        for k, v in items:
            totals[k] = totals.get(k, ZERO) + v
        return cls(tuple(sorted(totals.items())))

    def __getitem__(self, key: str) -> Decimal:
        for k, v in self.pairs:
            if k == key:
                return v
        return ZERO

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self.pairs)

    def total(self) -> Decimal:
        return sum((v for _, v in self.pairs), ZERO)

    def items(self) -> tuple[tuple[str, Decimal], ...]:
        return self.pairs
