"""The first screen: every pool at a glance, sortable and filterable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from ledger.services.pools import PoolSummary, list_pools
from tui.format import money, percent, status

COLUMNS = (
    ("Pool", "code"), ("Status", "status"), ("Name", "name"), ("Arrangement", "arrangement"), ("Year", "year"),
    ("Period", "period"), ("Budget", "budget"), ("Spend", "spend"), ("Forecast", "forecast"),
    ("Variance", "variance"), ("Var %", "variance_ratio"), ("Closed", "closed"),
)
# the columns a narrower terminal leaves out, widest first: the status and variance always show
DROPPED = ((184, ("name", "year")), (132, ("arrangement",)), (114, ("spend",)), (96, ("budget",)))
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2}


def sort_key(field: str) -> Any:
    def key(p: PoolSummary) -> Any:
        v = getattr(p, field)
        if field == "status":
            return (0, STATUS_ORDER.get(v, 3), "")
        if isinstance(v, Decimal):
            return (0, v, "")
        return (v is None, Decimal(0), "" if v is None else str(v))  # one shape: None sorts last

    return key


class OverviewScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open pool", show=True),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("s", "sort", "Sort by column"),
        Binding("i", "app.import_files", "Import"),
        Binding("e", "app.export", "Export"),
        Binding("r", "refresh", "Refresh"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pools: list[PoolSummary] = []
        self.sort_field = "code"
        self.reverse = False
        self.shown_columns: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary")
        yield Input(placeholder="filter: pool, name, arrangement or status (/ to filter, Esc to clear)",
                    id="filter")
        yield DataTable(id="pools", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()
        self.query_one("#pools", DataTable).focus()

    def on_resize(self) -> None:
        if self.columns() != self.shown_columns:
            self.show()

    def columns(self) -> list[str]:
        width = self.size.width or 160
        gone = {f for limit, fields in DROPPED if width < limit for f in fields}
        return [f for _, f in COLUMNS if f not in gone]

    def action_refresh(self) -> None:
        self.pools = list_pools(self.app.engine)  # type: ignore[attr-defined]
        self.show()

    def show(self) -> None:
        table = self.query_one("#pools", DataTable)
        needle = self.query_one("#filter", Input).value.strip().lower()
        shown = [p for p in self.pools if not needle or needle in self._haystack(p)]
        shown.sort(key=sort_key(self.sort_field), reverse=self.reverse)
        keep = self.current_pool()
        self.shown_columns = fields = self.columns()
        labels = {f: label for label, f in COLUMNS}
        table.clear(columns=True)
        for f in fields:
            table.add_column(labels[f], key=f)
        for p in shown:
            cells = self._row(p)
            table.add_row(*(cells[f] for f in fields), key=p.code)
        codes = [p.code for p in shown]
        if keep in codes:
            table.move_cursor(row=codes.index(keep), animate=False)
        summary = self.query_one("#summary", Static)
        if not self.pools:
            summary.update("No pools yet. Press i to import an agreement and the partners' returns "
                           "(or on the command line: pool-ledger import agreement.xlsx)")
            return
        red = sum(p.status == "red" for p in self.pools)
        arrow = "▼" if self.reverse else "▲"
        label = dict((f, lbl) for lbl, f in COLUMNS)[self.sort_field]
        text = f"{len(self.pools)} pool{'s' if len(self.pools) != 1 else ''}"
        if needle:
            text += f", {len(shown)} shown (filter: {needle})"
        text += f"; {red} red · sorted by {label} {arrow} · Enter opens a pool"
        summary.update(text)

    @staticmethod
    def _haystack(p: PoolSummary) -> str:
        return " ".join((p.code, p.name, p.arrangement.replace("_", " "), p.status, p.year)).lower()

    @staticmethod
    def _row(p: PoolSummary) -> dict[str, str | Text]:
        return {
            "code": p.code, "status": status(p.status), "name": p.name, "arrangement": p.arrangement.replace("_", " "),
            "year": p.year, "period": p.period or "no returns", "budget": money(p.budget), "spend": money(p.spend),
            "forecast": money(p.forecast), "variance": money(p.variance, signed=True),
            "variance_ratio": percent(p.variance_ratio), "closed": "closed" if p.closed else "open",
        }

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.show()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#pools", DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one("#pools", DataTable).focus()

    def action_sort(self) -> None:
        self.sort_by(self._next_field())

    def _next_field(self) -> str:
        fields = self.shown_columns or [f for _, f in COLUMNS]
        if self.sort_field not in fields:
            return fields[0]
        return fields[(fields.index(self.sort_field) + 1) % len(fields)]

    def sort_by(self, field: str) -> None:
        self.reverse = not self.reverse if field == self.sort_field else False
        self.sort_field = field
        self.show()

    @on(DataTable.HeaderSelected, "#pools")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))

    @on(DataTable.RowSelected, "#pools")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_pool(str(event.row_key.value))  # type: ignore[attr-defined]

    def action_open(self) -> None:
        code = self.current_pool()
        if code:
            self.app.open_pool(code)  # type: ignore[attr-defined]

    def current_pool(self) -> str | None:
        table = self.query_one("#pools", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
