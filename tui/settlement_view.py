"""The settlement of the chosen period: each partner's balance, and every item explained."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from ledger.services.pool_view import PoolView
from tui.format import money

TOTALS = (("budget", "Budget"), ("spend", "Spend"), ("income", "Income"), ("forecast", "Forecast outturn"),
          ("carried_forward", "Carried forward"), ("pool_cash", "Pool cash"), ("residual", "Residual"),
          ("unfunded_deficit", "Unfunded deficit"))


class SettlementView(Vertical):
    """Totals on top, partners in the middle, the highlighted partner's items below."""

    def __init__(self) -> None:
        super().__init__()
        self.doc: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="settle-totals")
        yield DataTable(id="settle-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="settle-detail-box"):
            yield Static(id="settle-detail")

    def show(self, view: PoolView) -> None:
        self.doc = doc = view.statement
        t = doc["totals"]
        parts = [f"{label} {money(Decimal(t[k])).plain}" for k, label in TOTALS if k in t and Decimal(t[k])
                 or k in ("budget", "spend", "forecast")]
        state = "closed, recorded at close" if view.closed else "projection" if not doc["final"] else "year end"
        head = Text(f"{doc['period']} ({state}): " + " · ".join(parts))
        signed = {s["partner"]: s for s in view.signoffs}
        if view.closed:
            head.append(f"\nSigned off by {len(signed)} of {len(doc['partners'])} partners", style="bold")
        for p in doc.get("problems", []):
            head.append(f"\n{p['severity']}: {p['where']}: {p['message']}",
                        style="red" if p["severity"] == "error" else "yellow")
        self.query_one("#settle-totals", Static).update(head)
        table = self.query_one("#settle-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Partner", "Balance", "Obligation", "Paid", "Transfers out", "Transfers in", "Brought fwd",
                          "Signed off", "Role", "Name")
        for p in doc["partners"]:
            table.add_row(p["partner"], money(Decimal(p["balance"]), signed=True), *(money(Decimal(p[k])) for k in (
                "obligation", "paid", "transfers_out", "transfers_in", "brought_forward")),
                signed[p["partner"]]["name"] if p["partner"] in signed else "", p["role"], p["name"], key=p["partner"])
        self.detail(doc["partners"][0]["partner"] if doc["partners"] else None)

    def detail(self, code: str | None) -> None:
        partner = next((p for p in self.doc.get("partners", []) if p["partner"] == code), None)
        box = self.query_one("#settle-detail", Static)
        if partner is None:
            box.update("")
            return
        out = Text()
        out.append(f"{partner['partner']} {partner['name']}: balance {money(Decimal(partner['balance'])).plain}",
                   style="bold")
        out.append("  (positive: the partner pays the pool or host; negative: it is paid)\n", style="dim")
        for name, value in partner["items"].items():
            shown = money(Decimal(value)).plain if isinstance(value, str) and _is_money(value) else str(value)
            out.append(f"{name.replace('_', ' ')}: ", style="bold")
            out.append(f"{shown}\n")
            why = partner["explanations"].get(name, "")
            if why:
                out.append(f"    {why}\n", style="italic")
        box.update(out)

    @on(DataTable.RowHighlighted, "#settle-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.detail(str(event.row_key.value))


def _is_money(value: str) -> bool:
    whole, _, pence = value.lstrip("-").partition(".")
    return whole.isdigit() and len(pence) == 2 and pence.isdigit()
