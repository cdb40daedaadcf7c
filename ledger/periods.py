"""Financial years (1 April to 31 March, written ``2025-26``) and quarters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[-\s]?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class FinancialYear:
    start: int  # the calendar year in which it begins on 1 April

    def __str__(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    def period(self, quarter: int) -> Period:
        return Period(self, quarter)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start - 1)

    def next(self) -> FinancialYear:
        return FinancialYear(self.start + 1)

    @classmethod
    def containing(cls, d: date) -> FinancialYear:
        return cls(d.year if d.month >= 4 else d.year - 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: FinancialYear
    quarter: int  # 1..4: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar

    def __post_init__(self) -> None:
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1 to 4, not {self.quarter}")

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def is_year_end(self) -> bool:
        return self.quarter == 4

    @property
    def first_day(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        year = self.year.start
        if month > 12:
            month -= 12
            year += 1
        return date(year, month, 1)

    @property
    def last_day(self) -> date:
        ends = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}
        month, day = ends[self.quarter]
        year = self.year.start + (1 if self.quarter == 4 else 0)
        return date(year, month, day)

    def contains(self, d: date) -> bool:
        return self.first_day <= d <= self.last_day

    def quarters_to_date(self) -> tuple[Period, ...]:
        return tuple(Period(self.year, q) for q in range(1, self.quarter + 1))

    @property
    def index(self) -> int:
        """A number that orders periods across years."""
        return self.year.start * 4 + self.quarter - 1

    @classmethod
    def containing(cls, d: date) -> Period:
        fy = FinancialYear.containing(d)
        month = d.month if d.month >= 4 else d.month + 12
        return cls(fy, (month - 4) // 3 + 1)


FIRST_YEAR, LAST_YEAR = 1990, 2199


def _year(first: str, second: str) -> FinancialYear:
    start = int(first)
    if not FIRST_YEAR <= start <= LAST_YEAR:
        raise ValueError(f"{first} is outside the years the ledger keeps ({FIRST_YEAR} to {LAST_YEAR})")
    end = int(second)
    expected = start + 1
    if (len(second) == 2 and end != expected % 100) or (len(second) == 4 and end != expected):
        raise ValueError(f"{first}-{second} is not a financial year (the years must be consecutive)")
    return FinancialYear(start)


def parse_year(text: str) -> FinancialYear:
    """``2025-26`` or ``2025/26`` (or ``2025-2026``)."""
    m = _YEAR.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a financial year like 2025-26")
    return _year(m.group(1), m.group(2))


def parse_period(text: str) -> Period:
    """``2025-26-Q2`` or ``2025/26 Q2``."""
    m = _PERIOD.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a period like 2025-26-Q2")
    return Period(_year(m.group(1), m.group(2)), int(m.group(3)))
