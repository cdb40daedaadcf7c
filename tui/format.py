"""How figures look on the desk: money right-aligned, percentages, statuses and bars."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.text import Text

from ledger.money import fmt_money

STATUS_STYLE = {"red": "bold white on red", "amber": "bold black on yellow", "green": "bold black on green"}


def money(x: Decimal | None, signed: bool = False) -> Text:
    if x is None:
        return Text("")
    text = fmt_money(x)
    if signed and x > 0:
        text = "+" + text
    return Text(text, justify="right", style="red" if signed and x > 0 else "")


def percent(ratio: Decimal | None) -> Text:
    """A fraction as a percentage with one decimal (display only: the figures stay exact)."""
    if ratio is None:
        return Text("", justify="right")
    return Text(f"{(ratio * 100).quantize(Decimal('0.1')):+}%", justify="right")


def plain_percent(value: Decimal) -> Text:
    """A percentage as the agreement states it (e.g. 60 -> 60%)."""
    return Text(f"{value.normalize():f}%", justify="right")


def status(name: str) -> Text:
    return Text(f" {name.upper():^5} ", style=STATUS_STYLE.get(name, ""), justify="center")


def bar(budget: Decimal, spend: Decimal, forecast: Decimal, width: int = 16) -> Text:
    """Spend to date (solid) and forecast outturn (shaded) against the budget (the tick).

    Scaled to the larger of budget and forecast; red when the forecast is over budget.
    """
    top = max(budget, forecast, spend, Decimal(0))
    if top <= 0:
        return Text(" " * width)

    def cells(x: Decimal) -> int:
        return max(0, min(width, int((max(x, Decimal(0)) / top * width).to_integral_value())))

    s, f, b = cells(spend), cells(forecast), cells(budget)
    chars = ["█" if i < s else "▒" if i < f else " " for i in range(width)]
    if 0 < b <= width:
        chars[b - 1] = "┃" if chars[b - 1] == " " else chars[b - 1]
    over = forecast > budget
    text = Text()
    for i, ch in enumerate(chars):
        text.append(ch, style="red" if over and i >= b else "green" if ch != "┃" else "bold")
    return text


def parse_amount(text: str) -> Decimal | None:
    """What a finance officer types for a sum: '1,250,000', '£1250000.50', '-3000'; None if not a sum."""
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
        if not value.is_finite() or abs(value) >= Decimal(10) ** 12 or value != value.quantize(Decimal("0.01")):
            return None
        return value.quantize(Decimal("0.01"))
    except ArithmeticError:
        return None


def fill(table: Any, labels: Sequence[str], rows: Sequence[tuple[Any, Sequence[str | Text]]]) -> None:
    """Replace a table's rows, with each column as wide as its widest cell (a table redrawn on
    every keystroke must not wait for the widget's own measuring, which lags behind)."""
    table.clear(columns=True)
    for i, label in enumerate(labels):
        width = max([len(label)] + [Text(c).cell_len if isinstance(c, str) else c.cell_len for _, r in rows
                                    for c in r[i:i + 1]])
        table.add_column(label, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)
