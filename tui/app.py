"""The finance officer's desk (the first screen: every pool at a glance)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ledger.money import fmt_money
from ledger.services.pools import PoolSummary, list_pools


class PoolLedgerApp(App[None]):
    """Pools overview; the screens for pools, imports and close arrive with their issues."""

    TITLE = "pool-ledger"
    SUB_TITLE = "pooled budgets and alliance contracts"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("r", "refresh", "Refresh", tooltip="Read the pools again from the ledger"),
        Binding("q", "quit", "Quit", tooltip="Leave pool-ledger"),
    ]

    def __init__(self, engine: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.engine = engine

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield DataTable(id="pools", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#pools", DataTable)
        table.add_columns("Pool", "Name", "Arrangement", "Period", "Budget", "Spend", "Forecast", "Variance", "Closed")
        self.action_refresh()

    def action_refresh(self) -> None:
        pools = list_pools(self.engine)
        table = self.query_one("#pools", DataTable)
        table.clear()
        for p in pools:
            table.add_row(*self._row(p), key=p.code)
        summary = self.query_one("#summary", Static)
        if pools:
            summary.update(f"{len(pools)} pool{'s' if len(pools) != 1 else ''} in the ledger")
        else:
            summary.update("No pools yet. Import an agreement: pool-ledger import agreement.xlsx")

    @staticmethod
    def _row(p: PoolSummary) -> tuple[str | Text, ...]:
        def money(x: object) -> Text:
            return Text(fmt_money(x), justify="right")  # type: ignore[arg-type]

        return (
            p.code,
            p.name,
            p.arrangement.replace("_", " "),
            p.period or f"{p.year} (no returns)",
            money(p.budget),
            money(p.spend),
            money(p.forecast),
            money(p.variance),
            "yes" if p.closed else "no",
        )


def make_app(engine: Any) -> PoolLedgerApp:
    """Build the app the same way for production and for tests."""
    return PoolLedgerApp(engine)


def run(engine: Any) -> None:
    make_app(engine).run()
