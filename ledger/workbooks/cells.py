"""Reading one cell (FORMATS section 1): codes, money, percentages, dates.

Pure functions of a cell's value and number format. A bad cell raises
``CellError`` with a message and a hint; the table reader catches it and
locates it as ``file:Sheet!Cell``. Floats from Excel are read through
``Decimal(repr(x))`` and never used as money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledger.periods import Period, parse_period

CODE = re.compile(r"^[A-Z0-9_-]{1,16}$")
_MONEY = re.compile(r"^([-+])?\s*£?\s*([-+])?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$")
_NUMBER = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
FLOAT_NOISE = Decimal("0.000001")
PENNY = Decimal("0.01")
LARGEST = Decimal("1000000000000")  # a trillion pounds: beyond any public budget, well inside 64-bit pence
SIX_PLACES = Decimal("0.000001")

MONEY_HINT = "write money as a number or text such as 1,234.56, £1,234.56 or (1,234.56)"
PERCENT_HINT = "write 50 or 50%, or format the cell as a percentage"
DATE_HINT = "write the date as 2025-07-31 or 31/07/2025, or use a date cell"


class CellError(ValueError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell as read: its value, its number format and its coordinate."""

    value: Any
    number_format: str = "General"
    coordinate: str = ""
    uncalculated: bool = False  # a formula Excel never calculated
    error: str | None = None  # an error value such as #DIV/0! or #N/A

    @property
    def is_blank(self) -> bool:
        v = self.value
        return (
            not self.uncalculated and self.error is None and (v is None or (isinstance(v, str) and not v.strip()))
        )

    @property
    def is_percent_formatted(self) -> bool:
        return is_percent_format(self.number_format)


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """A % in the format itself, not inside quotes, after a backslash or in [brackets]."""
    return "%" in _QUOTED.sub("", number_format or "")


def normalise(text: str) -> str:
    """Header or sheet name as compared: case, spaces, ``_``, ``-``, trailing ``%`` or ``(£)`` ignored."""
    s = str(text).strip().lower()
    if s.endswith("%"):
        s = s[:-1]
    elif s.endswith("(£)"):
        s = s[:-3]
    return re.sub(r"[\s_\-]+", "", s)


def normalise_choice(text: str) -> str:
    """``Lead body``, ``lead-body`` and ``LEAD_BODY`` all read ``lead_body``."""
    return re.sub(r"[\s_\-]+", "_", str(text).strip().lower())


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_calculated(cell: Cell) -> None:
    if cell.error is not None:
        raise CellError(
            f"the cell holds the error {cell.error}",
            "correct the formula (or the data it uses) so the cell holds a value",
        )
    if cell.uncalculated:
        raise CellError(
            "the formula here has no calculated value",
            "open the file in Excel (or LibreOffice) and save it, so its formulas are calculated",
        )


def read_text(cell: Cell) -> str:
    _check_calculated(cell)
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def read_code(cell: Cell, what: str = "code") -> str:
    text = read_text(cell).upper()
    if isinstance(cell.value, bool) or not CODE.match(text):
        raise CellError(
            f"{_shown(cell.value)!r} is not a valid {what}",
            "a code is 1 to 16 letters, digits, '_' or '-', e.g. SBC or BSW-ICB",
        )
    return text


def _plausible(amount: Decimal, shown: Any) -> Decimal:
    if abs(amount) >= LARGEST:
        raise CellError(f"{_shown(shown)} is too large an amount", "amounts are under £1,000,000,000,000")
    return amount


def _whole_pence(d: Decimal, shown: Any) -> Decimal:
    _plausible(d, shown)
    q = d.quantize(PENNY, rounding=ROUND_HALF_UP)
    if abs(d - q) > FLOAT_NOISE:
        raise CellError(f"{_shown(shown)} is not a whole number of pence", "money has at most two decimals")
    return q


def read_money(cell: Cell) -> Decimal | None:
    """Money, or None for a blank cell (the caller decides whether blank is allowed)."""
    _check_calculated(cell)
    v = cell.value
    if cell.is_blank:
        return None
    if isinstance(v, bool):
        raise CellError(f"{v} is not money", MONEY_HINT)
    if isinstance(v, int):
        return _plausible(Decimal(v), v).quantize(PENNY)
    if isinstance(v, float):
        return _whole_pence(Decimal(repr(v)), v)
    if isinstance(v, Decimal):
        return _whole_pence(v, v)
    if isinstance(v, str):
        return _money_text(v)
    raise CellError(f"{_shown(v)} is not money", MONEY_HINT)


def _money_text(text: str) -> Decimal:
    s = text.strip()
    paren = s.startswith("(") and s.endswith(")")
    if paren:
        s = s[1:-1].strip()
    m = _MONEY.match(s)
    if not m:
        raise CellError(f"{_shown(text)!r} is not money", MONEY_HINT)
    sign1, sign2, whole, frac = m.groups()
    signs = (sign1 or "") + (sign2 or "")
    if len(signs) > 1 or (paren and signs):
        raise CellError(f"{_shown(text)!r} has more than one sign", MONEY_HINT)
    if frac is not None and not 1 <= len(frac) <= 2:
        raise CellError(f"{_shown(text)!r} has more than two decimals", "money has at most two decimals")
    amount = _plausible(Decimal(whole.replace(",", "") + "." + (frac or "0")), text).quantize(PENNY)
    return -amount if paren or signs == "-" else amount


def tidy(d: Decimal) -> Decimal:
    """Without trailing zeros or an exponent: 50.000000 -> 50, 12.50 -> 12.5."""
    n = d.normalize()
    return n.quantize(Decimal(1)) if n.as_tuple().exponent > 0 else n  # type: ignore[operator]


def _decimal_of(v: Any) -> Decimal:
    if isinstance(v, float):
        return Decimal(repr(v))
    return Decimal(v)


def read_number(cell: Cell, what: str = "number") -> Decimal | None:
    """A plain number (quantities, weights, KPI values); ``%`` text or format reads in percent points."""
    d = _read_number(cell, what)
    if d is not None and abs(d) >= LARGEST:
        raise CellError(f"{_shown(cell.value)} is too large a {what}", "numbers here are under 1,000,000,000,000")
    return d


def _read_number(cell: Cell, what: str) -> Decimal | None:
    _check_calculated(cell)
    v = cell.value
    if cell.is_blank:
        return None
    if isinstance(v, bool):
        raise CellError(f"{v} is not a {what}", "write a number, e.g. 12 or 12.5")
    if isinstance(v, (int, float, Decimal)):
        d = _decimal_of(v)
        if not d.is_finite() or abs(d) >= LARGEST:
            return d if d.is_finite() else LARGEST
        if cell.is_percent_formatted:
            d = (d * 100).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
        return tidy(d)
    if isinstance(v, str):
        s = v.strip()
        pct = s.endswith("%")
        if pct:
            s = s[:-1].strip()
        m = _NUMBER.match(s)
        if not m:
            raise CellError(f"{_shown(v)!r} is not a {what}", "write a number, e.g. 12 or 12.5")
        d = Decimal(s.replace(",", ""))
        return d if abs(d) >= LARGEST else tidy(d)
    raise CellError(f"{_shown(v)} is not a {what}", "write a number, e.g. 12 or 12.5")


def read_percent(cell: Cell, low: Decimal = Decimal(0), high: Decimal = Decimal(100)) -> tuple[Decimal | None, str | None]:
    """Percent points and an optional warning; None for a blank cell.

    ``50``, ``50%`` (text) and ``0.5`` in a percentage-formatted cell all read 50.
    A plain number strictly between 0 and 1 reads as under 1%, with a warning.
    """
    _check_calculated(cell)
    v = cell.value
    if cell.is_blank:
        return None, None
    note = None
    if isinstance(v, bool):
        raise CellError(f"{v} is not a percentage", PERCENT_HINT)
    if isinstance(v, (int, float, Decimal)):
        d = _decimal_of(v)
        if not d.is_finite() or abs(d) >= LARGEST:
            raise CellError(f"{_shown(v)} is not a percentage", PERCENT_HINT)
        if cell.is_percent_formatted:
            d = (d * 100).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
        elif 0 < d < 1:
            note = f"read as {d.normalize():f}%; write {(d * 100).normalize():f} or format the cell as a percentage if you meant {(d * 100).normalize():f}%"
    elif isinstance(v, str):
        s = v.strip()
        pct = s.endswith("%")
        if pct:
            s = s[:-1].strip()
        try:
            if not re.match(r"^[-+]?(\d{1,15}(\.\d*)?|\.\d+)$", s):
                raise InvalidOperation
            d = Decimal(s)
        except InvalidOperation:
            raise CellError(f"{_shown(v)!r} is not a percentage", PERCENT_HINT) from None
        if not pct and 0 < d < 1:
            note = f"read as {d.normalize():f}%; write {(d * 100).normalize():f} or format the cell as a percentage if you meant {(d * 100).normalize():f}%"
    else:
        raise CellError(f"{_shown(v)} is not a percentage", PERCENT_HINT)
    if d < low or d > high:
        raise CellError(
            f"{d.normalize():f}% is outside {low.normalize():f}-{high.normalize():f}%",
            "a percentage here lies between "
            f"{low.normalize():f} and {high.normalize():f}",
        )
    return tidy(d), note


def read_score(cell: Cell) -> Decimal | None:
    """A score from 0 to 1, or a percentage written with ``%`` (KPI threshold)."""
    _check_calculated(cell)
    v = cell.value
    if cell.is_blank:
        return None
    if isinstance(v, str) and v.strip().endswith("%") or cell.is_percent_formatted:
        pct, _ = read_percent(cell)
        assert pct is not None
        return pct / 100
    d = read_number(cell, "score")
    assert d is not None
    if d < 0 or d > 1:
        raise CellError(f"{d.normalize():f} is not a score from 0 to 1", "write e.g. 0.5 or 50%")
    return d


def read_date(cell: Cell) -> date | None:
    _check_calculated(cell)
    v = cell.value
    if cell.is_blank:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, bool):
        raise CellError(f"{v} is not a date", DATE_HINT)
    if isinstance(v, (int, float, Decimal)):
        raise CellError(f"the number {_shown(v)} is not a date (the cell is not formatted as a date)", DATE_HINT)
    s = str(v).strip()
    if _SHORT_YEAR.match(s):
        raise CellError(f"{s!r} has a two-digit year", "write the year in full, e.g. 31/07/2025")
    m = _ISO.match(s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = _UK.match(s)
        if not m:
            raise CellError(f"{_shown(s)!r} is not a date", DATE_HINT)
        d, mo, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise CellError(
            f"{s!r} is not a valid date", "dates are day/month/year (31/07/2025) or year-month-day (2025-07-31)"
        ) from None


def read_choice(cell: Cell, choices: dict[str, str], what: str) -> str | None:
    """One of ``choices`` (normalised spelling -> value); None for blank."""
    _check_calculated(cell)
    if cell.is_blank:
        return None
    key = normalise_choice(read_text(cell))
    if key not in choices:
        allowed = ", ".join(dict.fromkeys(choices.values()))
        raise CellError(f"{_shown(cell.value)!r} is not a {what}", f"use one of: {allowed}")
    return choices[key]


def read_period(cell: Cell) -> Period | None:
    _check_calculated(cell)
    if cell.is_blank:
        return None
    try:
        return parse_period(read_text(cell))
    except ValueError:
        raise CellError(f"{_shown(cell.value)!r} is not a period", "write a period like 2025-26-Q2") from None
