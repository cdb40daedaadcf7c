"""What-if: change a line's outturn (or the whole pool's) and see each partner's exposure move; nothing saved."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from ledger.figures import SettlementInputs
from ledger.services import LedgerError
from ledger.services.pool_view import PoolView, WhatIf, what_if_on
from tui.format import fill, money, parse_amount


class WhatIfView(Vertical):
    BINDINGS = [
        Binding("up", "line(-1)", "Line above", show=False),
        Binding("down", "line(1)", "Line below", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: PoolView | None = None
        self.overrides: dict[str, Decimal] = {}
        self.total: Decimal | None = None
        self.result: WhatIf | None = None
        self.current_line: str | None = None
        self.inputs: SettlementInputs | None = None

    def compose(self) -> ComposeResult:
        yield Static("Enter on a line (or a click on a field) to type its outturn, or the whole pool's; Enter or "
                     "Esc when done. Each partner's exposure (its obligation for the year, projected) moves at "
                     "once; nothing is saved.", classes="caption")
        with Horizontal(id="whatif-inputs"):
            yield Input(placeholder="outturn of the highlighted line", id="whatif-line")
            yield Input(placeholder="or the whole pool's outturn", id="whatif-total")
            yield Button("Reset", id="whatif-reset", compact=True)
        yield DataTable(id="whatif-lines", cursor_type="row", zebra_stripes=True)
        yield Static(id="whatif-summary")
        yield DataTable(id="whatif-exposure", cursor_type="row", zebra_stripes=True)

    def show(self, view: PoolView) -> None:
        self.view = view
        self.overrides, self.total = {}, None
        self.inputs = view.inputs  # the books as the pool screen read them: each keystroke only re-settles
        for i in self.query(Input):
            i.value = ""
        self.recompute()

    def recompute(self) -> None:
        v = self.view
        if v is None or self.inputs is None:
            return
        try:
            self.result = what_if_on(self.inputs, self.overrides, self.total)
        except LedgerError as exc:
            self.query_one("#whatif-summary", Static).update(Text(str(exc), style="red"))
            return
        lines = self.query_one("#whatif-lines", DataTable)
        row = lines.cursor_row
        fill(lines, ("Line", "Name", "Outturn now", "What-if outturn"),
             [(ln.code, (ln.code, ln.name, money(ln.forecast), money(self.overrides.get(ln.code)))) for ln in v.lines])
        if lines.row_count:
            lines.move_cursor(row=min(row, lines.row_count - 1))
        r = self.result
        summary = Text(f"Pool outturn {money(r.outturn_now).plain} → {money(r.outturn_then).plain}", style="bold")
        summary.append(" (what-if, not saved)" if self.overrides or self.total is not None else " (as the books stand)")
        now, then = r.totals_now, r.totals_then
        if now is not None and then is not None:
            for name in ("carried_forward", "residual", "unfunded_deficit"):
                a, b = getattr(now, name), getattr(then, name)
                if a or b:
                    summary.append(f"\n{name.replace('_', ' ').capitalize()} at the year end "
                                   f"{money(a).plain} → {money(b).plain}")
        for p in r.problems:
            summary.append(f"\n{p}", style="red")
        self.query_one("#whatif-summary", Static).update(summary)
        table = self.query_one("#whatif-exposure", DataTable)
        fill(table, ("Partner", "Name", "Exposure now", "What-if", "Change", "Year-end balance now", "Balance what-if"),
             [(e.partner, (e.partner, e.name, money(e.exposure_now), money(e.exposure_then),
                           money(e.change, signed=True), money(e.balance_now), money(e.balance_then)))
              for e in r.exposures])

    def highlighted_line(self) -> str | None:
        lines = self.query_one("#whatif-lines", DataTable)
        if not lines.row_count:
            return None
        return str(lines.coordinate_to_cell_key(lines.cursor_coordinate).row_key.value)

    def action_leave(self) -> None:
        """Esc in a field returns to the lines (so the tab keys work again); else back to the pools."""
        if isinstance(self.app.focused, Input):
            self.query_one("#whatif-lines", DataTable).focus()
        else:
            self.app.pop_screen()

    @on(DataTable.RowSelected, "#whatif-lines")
    def _type_outturn(self) -> None:
        self.query_one("#whatif-line", Input).focus()

    @on(Input.Submitted)
    def _typed(self) -> None:
        self.query_one("#whatif-lines", DataTable).focus()

    def action_line(self, step: int) -> None:
        """Up and down choose the line even while typing its outturn."""
        lines = self.query_one("#whatif-lines", DataTable)
        if lines.row_count:
            lines.move_cursor(row=max(0, min(lines.row_count - 1, lines.cursor_row + step)))

    @on(Input.Changed, "#whatif-line")
    def _line_changed(self, event: Input.Changed) -> None:
        line = self.highlighted_line()
        if line is None:
            return
        value = parse_amount(event.value)
        event.input.set_class(bool(event.value.strip()) and value is None, "invalid")
        if value is None:
            if self.overrides.pop(line, None) is None:
                return
        else:
            self.overrides[line] = value
        self.recompute()

    @on(Input.Changed, "#whatif-total")
    def _total_changed(self, event: Input.Changed) -> None:
        value = parse_amount(event.value)
        event.input.set_class(bool(event.value.strip()) and value is None, "invalid")
        if value == self.total:
            return
        self.total = value
        self.recompute()

    @on(DataTable.RowHighlighted, "#whatif-lines")
    def _line_highlighted(self, event: DataTable.RowHighlighted) -> None:
        field = self.query_one("#whatif-line", Input)
        code = str(event.row_key.value)
        if code == self.current_line:
            return  # the same line, re-drawn: leave what is being typed alone
        self.current_line = code
        field.placeholder = f"outturn of {code}"
        value = self.overrides.get(code)
        with field.prevent(Input.Changed):
            field.value = "" if value is None else f"{value}"

    @on(Button.Pressed, "#whatif-reset")
    def _reset(self) -> None:
        if self.view is not None:
            self.show(self.view)
