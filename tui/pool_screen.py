"""One pool: partners, lines, journal, settlement, savings, the alliance curve and what-ifs."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Select, Static, TabbedContent, TabPane

from ledger.periods import Period
from ledger.services import LedgerError
from ledger.services.pool_view import PoolView, is_percent, pool_view
from tui.curve_view import CurveView
from tui.format import bar, money, plain_percent
from tui.journal_view import JournalView
from tui.savings_view import SavingsView
from tui.settlement_view import SettlementView
from tui.what_if_view import WhatIfView


class PoolScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left_square_bracket", "period(-1)", "Prev quarter", key_display="["),
        Binding("right_square_bracket", "period(1)", "Next quarter", key_display="]"),
        Binding("c", "app.close_quarter", "Close"),
        Binding("o", "app.sign_off", "Sign off"),
        Binding("e", "app.export", "Export"),
        *[Binding(str(n), f"tab({n})", "Tab", show=False) for n in range(1, 8)],
    ]

    def __init__(self, engine: Any, code: str, period: Period | None = None) -> None:
        super().__init__()
        self.engine, self.code = engine, code
        self.view: PoolView = pool_view(engine, code, period)

    def compose(self) -> ComposeResult:
        v = self.view
        yield Header()
        with Horizontal(id="pool-bar"):
            yield Label(f"{v.code} {v.name} · {v.arrangement.replace('_', ' ')}", id="pool-title")
            yield Select([(str(p), p) for p in v.periods], value=v.period, allow_blank=False, id="period",
                         compact=True)
            yield Label("", id="pool-status")
        with TabbedContent(id="tabs"):
            with TabPane("1 Partners", id="partners"):
                yield DataTable(id="partners-table", cursor_type="row", zebra_stripes=True)
            with TabPane("2 Lines", id="lines"):
                yield DataTable(id="lines-table", cursor_type="row", zebra_stripes=True)
                yield Static("█ spend to date  ▒ forecast to outturn  ┃ budget; red: forecast over budget",
                             classes="legend")
            with TabPane("3 Journal", id="journal"):
                yield JournalView(v.code)
            with TabPane("4 Settlement", id="settlement"):
                yield SettlementView()
            with TabPane("5 Savings", id="savings"):
                yield SavingsView()
            if v.curve:
                with TabPane("6 Gain/pain curve", id="curve"):
                    yield CurveView()
            with TabPane(f"{7 if v.curve else 6} What-if", id="what-if"):
                yield WhatIfView()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.view.code}: {self.view.name}"
        self.show()
        self.query_one(JournalView).open()  # its first page only (a few ms, whatever the journal's size)

    def show(self) -> None:
        v = self.view
        state = "closed" if v.closed else "open"
        signed = f", {len(v.signoffs)} signed off" if v.closed else ""
        self.query_one("#pool-status", Label).update(f"{v.period} {state}{signed}")
        self._partners()
        self._lines()
        self.query_one(SettlementView).show(v)
        self.query_one(SavingsView).show(v)
        if v.curve:
            self.query_one(CurveView).show(v)
        self.query_one(WhatIfView).show(v)

    def _partners(self) -> None:
        v = self.view
        table = self.query_one("#partners-table", DataTable)
        table.clear(columns=True)
        share = any(p.share is not None for p in v.partners)
        table.add_columns("Partner", "Name", "Kind", "Role", *v.term_labels, *(["Share of pool"] if share else []))
        for p in v.partners:
            terms = [
                (plain_percent(p.terms[label]) if is_percent(label) else money(p.terms[label]))
                if label in p.terms else "" for label in v.term_labels
            ]
            extra = [plain_percent(p.share * 100)] if share and p.share is not None else [""] * share
            table.add_row(p.partner, p.name, p.kind.replace("_", " "), p.role, *terms, *extra, key=p.partner)

    def _lines(self) -> None:
        table = self.query_one("#lines-table", DataTable)
        table.clear(columns=True)
        # the bar and the figures first, so a narrow terminal still shows them; names last
        table.add_columns("Line", "Spend and forecast", "Budget", "Spend", "Forecast", "Variance", "Income", "Name")
        for ln in self.view.lines:
            table.add_row(ln.code, bar(ln.budget, ln.spend - ln.income, ln.forecast), money(ln.budget),
                          money(ln.spend), money(ln.forecast), money(ln.variance, signed=True), money(ln.income),
                          ln.name, key=ln.code)

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        """Focus what the tab is for, so the keys work at once (arrows move, digits type)."""
        first = {"partners": "#partners-table", "lines": "#lines-table", "journal": "#journal-table",
                 "settlement": "#settle-table", "savings": "#savings-rows", "what-if": "#whatif-lines"}
        target = first.get(str(event.pane.id))
        if target:
            self.query_one(target).focus()

    @on(Select.Changed, "#period")
    def _period_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, Period) and event.value != self.view.period:
            self.load(event.value)

    def load(self, period: Period) -> None:
        try:
            self.view = pool_view(self.engine, self.code, period)
        except LedgerError as exc:
            self.notify(str(exc), severity="error")
            with self.query_one("#period", Select).prevent(Select.Changed):
                self.query_one("#period", Select).value = self.view.period  # the figures shown stay named
            return
        self.show()

    def reread(self) -> None:
        self.load(self.view.period)

    def action_tab(self, n: int) -> None:
        """1 to 7: the tabs in order, as the numbers in their titles say."""
        panes = [p.id for p in self.query(TabPane)]
        if 0 < n <= len(panes):
            self.query_one("#tabs", TabbedContent).active = panes[n - 1]

    def action_period(self, step: int) -> None:
        periods = self.view.periods
        i = periods.index(self.view.period) + step
        if 0 <= i < len(periods):
            self.query_one("#period", Select).value = periods[i]
