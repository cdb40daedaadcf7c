"""Savings: each row from gross to net to cashable, who invested and benefited, and the wrong pocket."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label

from ledger.services.pool_view import PoolView
from tui.format import money, plain_percent


class SavingsView(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Label("Savings rows: gross (quantity × unit cost), less deadweight, × attribution, less optimism bias "
                    "= net; cashable part", classes="caption")
        yield DataTable(id="savings-rows", cursor_type="row", zebra_stripes=True)
        yield Label("By partner: invested, benefit landed, return on investment", classes="caption")
        yield DataTable(id="savings-partners", cursor_type="row", zebra_stripes=True)
        yield Label("Wrong pocket: net savings landing in each beneficiary (columns) for each investor (rows)",
                    classes="caption")
        yield DataTable(id="savings-matrix", cursor_type="row", zebra_stripes=True)

    def show(self, view: PoolView) -> None:
        rows = self.query_one("#savings-rows", DataTable)
        rows.clear(columns=True)
        rows.add_columns("Status", "Line", "Measure", "Beneficiary", "Quantity", "Unit cost", "Gross", "Deadweight",
                         "Attribution", "Optimism", "Net", "Cashable %", "Cashable", "Non-cashable", "Cell")
        for s, f in view.savings:
            rows.add_row(s.status, s.line or "", s.measure, s.beneficiary, f"{s.quantity.normalize():f}",
                         money(s.unit_cost), money(f.gross), plain_percent(s.deadweight), plain_percent(s.attribution),
                         plain_percent(s.optimism_bias), money(f.net), plain_percent(s.cashable), money(f.cashable),
                         money(f.non_cashable), f"{s.source.sheet}!{s.source.cell}")
        if not view.savings:
            rows.add_row("no savings recorded for this pool up to " + str(view.period), *[""] * 14)
        parts = self.query_one("#savings-partners", DataTable)
        parts.clear(columns=True)
        parts.add_columns("Partner", "Role", "Invested", "Gross", "Net", "Cashable", "Forecast net", "Cumulative net",
                          "ROI")
        for r in view.savings_report.rows:
            b = r.benefit
            roi = "" if r.roi is None else f"{r.roi.quantize(Decimal('0.01'))}"
            parts.add_row(r.partner, r.role, money(r.investment), money(b.gross), money(b.net), money(b.cashable),
                          money(b.forecast_net), money(r.cumulative_net), roi)
        matrix = self.query_one("#savings-matrix", DataTable)
        matrix.clear(columns=True)
        cells = view.savings_report.matrix
        investors = sorted({i for i, _ in cells})
        beneficiaries = sorted({b for _, b in cells})
        matrix.add_columns("Investor \\ beneficiary", *beneficiaries)
        for i in investors:
            matrix.add_row(i, *(money(cells.get((i, b), Decimal(0))) for b in beneficiaries))
        if not cells:
            matrix.add_row("no savings have landed yet")
