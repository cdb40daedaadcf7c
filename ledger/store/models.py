"""The tables. Money is integer pence (BigInteger); percentages are exact decimal text.

Nothing is updated or deleted: a resubmitted return is a new batch whose
``replaces_batch`` names the old one, with reversing transactions; registers
(forecasts, KPI actuals, savings) of a replaced batch are left out by query.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel


def pence(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(BigInteger, nullable=nullable)


class Batch(SQLModel, table=True):
    """One imported file, with its provenance."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # agreement | return
    pool: str = Field(index=True)
    year_start: int
    quarter: int | None = None
    submitted_by: str | None = None
    file_name: str
    sha256: str = Field(unique=True)
    operator: str
    imported_at: str  # ISO 8601, UTC
    replaces_batch: int | None = Field(default=None, foreign_key="batch.id")
    rows: int = 0


class PartnerRec(SQLModel, table=True):
    __tablename__ = "partner"
    code: str = Field(primary_key=True)
    name: str
    kind: str
    batch_id: int = Field(foreign_key="batch.id")


class PoolRec(SQLModel, table=True):
    __tablename__ = "pool"
    code: str = Field(primary_key=True)
    name: str
    arrangement: str
    batch_id: int = Field(foreign_key="batch.id")


class TermsRec(SQLModel, table=True):
    """The Pool sheet of one agreement version (the newest for a year applies)."""

    __tablename__ = "terms"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    pool: str = Field(index=True)
    year_start: int
    name: str
    arrangement: str
    host: str | None = None
    underspend: str
    aligned_risk_share: str
    savings_share: str
    savings_share_basis: str
    kpi_threshold: str
    pain_cap: str


class MemberRec(SQLModel, table=True):
    __tablename__ = "member"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    partner: str
    name: str
    kind: str
    role: str
    sheet: str
    row: int
    cell: str
    cells: str  # JSON: field -> cell
    contribution: int | None = Field(default=None, sa_column=pence(True))
    overspend_share: str | None = None
    underspend_share: str | None = None
    cap: int | None = Field(default=None, sa_column=pence(True))
    ownership: str | None = None
    cost_share: str | None = None
    target_cost: int | None = Field(default=None, sa_column=pence(True))
    fee: int | None = Field(default=None, sa_column=pence(True))
    gain_split: str | None = None


class LineRec(SQLModel, table=True):
    __tablename__ = "line"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    code: str
    name: str
    budget: int = Field(sa_column=pence())
    owner: str | None = None
    provider: str | None = None
    sheet: str
    row: int
    cell: str


class TermRowRec(SQLModel, table=True):
    """Rows of LineShares, Schedule, Bands and KPIs, as exact text by field (JSON)."""

    __tablename__ = "term_row"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    sheet_kind: str = Field(primary_key=True)  # line_share | schedule | band | kpi
    seq: int = Field(primary_key=True)
    data: str
    sheet: str
    row: int
    cell: str


class TxnRec(SQLModel, table=True):
    """A movement of money: one balanced transaction of the journal."""

    __tablename__ = "txn"
    __table_args__ = (
        Index("ix_txn_pool_period", "pool", "year_start", "quarter", "kind"),
        # the journal reads a pool a page at a time in key order, whole or by period (docs/design.md)
        Index("ix_txn_pool_key", "pool", "batch_id", "seq"),
        Index("ix_txn_pool_period_key", "pool", "year_start", "quarter", "batch_id", "seq"),
    )
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    pool: str
    kind: str  # contribution | spend | income | transfer
    year_start: int
    quarter: int
    date: str  # ISO date
    amount: int = Field(sa_column=pence())
    line: str | None = None
    partner: str | None = None
    counterparty: str | None = None
    provider: str | None = None
    reference: str = ""
    description: str = ""
    corrects: str | None = None
    sheet: str
    row: int
    cell: str
    reverses_batch: int | None = None
    reverses_seq: int | None = None


class PostingRec(SQLModel, table=True):
    """One leg of a transaction; a transaction's legs sum to zero."""

    __tablename__ = "posting"
    __table_args__ = (Index("ix_posting_account", "account", "amount"),)
    batch_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    leg: int = Field(primary_key=True)
    account: str
    amount: int = Field(sa_column=pence())


class ForecastRec(SQLModel, table=True):
    __tablename__ = "forecast"
    __table_args__ = (Index("ix_forecast_pool", "pool", "year_start", "quarter", "line"),)
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    pool: str
    year_start: int
    quarter: int
    line: str
    amount: int = Field(sa_column=pence())
    sheet: str
    row: int
    cell: str


class KpiActualRec(SQLModel, table=True):
    __tablename__ = "kpi_actual"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    pool: str
    year_start: int
    quarter: int
    kpi: str
    actual: str
    sheet: str
    row: int
    cell: str


class SavingRec(SQLModel, table=True):
    __tablename__ = "saving"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    pool: str
    year_start: int
    quarter: int
    line: str | None = None
    measure: str
    quantity: str
    unit_cost: int = Field(sa_column=pence())
    beneficiary: str
    deadweight: str
    attribution: str
    optimism_bias: str
    cashable: str
    status: str
    evidence: str
    sheet: str
    row: int
    cell: str


class ProblemRec(SQLModel, table=True):
    """Warnings an import accepted, kept with their batch for the books' checks."""

    __tablename__ = "batch_problem"
    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    seq: int = Field(primary_key=True)
    severity: str
    location: str
    message: str


__all__ = [
    "Batch",
    "ClosureRec",
    "ForecastRec",
    "KpiActualRec",
    "LineRec",
    "MemberRec",
    "PartnerRec",
    "PoolRec",
    "PostingRec",
    "ProblemRec",
    "SQLModel",
    "SavingRec",
    "SignoffRec",
    "TermRowRec",
    "TermsRec",
    "TxnRec",
]


class ClosureRec(SQLModel, table=True):
    """A closed quarter: the statement as it stood, and the hash of its figures."""

    __tablename__ = "closure"
    pool: str = Field(primary_key=True)
    year_start: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    batch_id: int = Field(foreign_key="batch.id")
    closed_at: str
    operator: str
    figures_hash: str
    terms_batch: int  # the agreement version the statement was settled on
    statement: str  # the settle --json document at close


class SignoffRec(SQLModel, table=True):
    """A partner's sign-off of a closed quarter's statement."""

    __tablename__ = "signoff"
    pool: str = Field(primary_key=True)
    year_start: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    partner: str = Field(primary_key=True)
    name: str
    signed_at: str
