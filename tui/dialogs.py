"""Close a quarter, sign it off, export the report: each a small dialog over the current screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ledger.periods import Period
from ledger.services import LedgerError
from ledger.services.closing import close_period, sign_off
from ledger.services.reporting import export_report


class Dialog(ModalScreen[str | None]):
    """A titled box with fields, an OK button and Cancel; errors shown in the box, not raised."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    TITLE = ""
    OK = "OK"

    def __init__(self, engine: Any) -> None:
        super().__init__()
        self.engine = engine

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.TITLE, classes="dialog-title")
            yield from self.fields()
            yield Static(classes="dialog-message", id="message")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.OK, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def fields(self) -> ComposeResult:
        yield from ()

    def say(self, text: str, error: bool = False) -> None:
        self.query_one("#message", Static).update(Text(text, style="bold red" if error else "green"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        try:
            done = self.run()
        except LedgerError as exc:
            self.say(str(exc), error=True)
            return
        except Exception as exc:  # a fault of ours: say so, keep the desk open
            self.say(f"internal error: {type(exc).__name__}: {exc} (nothing was half-written)", error=True)
            return
        if done is not None:
            self.app.notify(done, title=self.TITLE)
            self.dismiss(done)

    def run(self) -> str | None:
        raise NotImplementedError


def _period_select(periods: list[Period], value: Period) -> Select[Period]:
    return Select([(str(p), p) for p in periods], value=value, allow_blank=False, id="period")


class CloseDialog(Dialog):
    TITLE = "Close a quarter"
    OK = "Close quarter"

    def __init__(self, engine: Any, pool: str, periods: list[Period], period: Period) -> None:
        super().__init__(engine)
        self.pool, self.periods, self.period = pool, periods, period

    def fields(self) -> ComposeResult:
        yield Static(f"Pool {self.pool}. Closing records the statement as it stands, posts each partner's "
                    "obligations, and locks the quarter: nothing dated in it can be imported after.")
        yield _period_select(self.periods, self.period)
        yield Input(placeholder="your name (recorded as the operator)", id="operator")

    def run(self) -> str:
        period = self.query_one("#period", Select).value
        operator = self.query_one("#operator", Input).value.strip() or None
        c = close_period(self.engine, self.pool, period, operator)  # type: ignore[arg-type]
        return (f"closed {c.pool} {c.period}: statement recorded (figures hash {c.figures_hash[:16]}…), "
                f"{c.postings} obligation postings")


class SignoffDialog(Dialog):
    TITLE = "Sign off a closed quarter"
    OK = "Sign off"

    def __init__(self, engine: Any, pool: str, periods: list[Period], period: Period, partners: list[str]) -> None:
        super().__init__(engine)
        self.pool, self.periods, self.period, self.partners = pool, periods, period, partners

    def fields(self) -> ComposeResult:
        yield Static(f"Pool {self.pool}. Each partner signs off its statement once, after the quarter is closed.")
        yield _period_select(self.periods, self.period)
        yield Select([(p, p) for p in self.partners], prompt="partner signing off", id="partner")
        yield Input(placeholder="name of the person signing", id="name")

    def run(self) -> str | None:
        period = self.query_one("#period", Select).value
        partner = self.query_one("#partner", Select).value
        if partner is Select.NULL:
            self.say("choose the partner signing off", error=True)
            return None
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.say("type the name of the person signing off", error=True)
            return None
        return sign_off(self.engine, self.pool, period, str(partner), name)  # type: ignore[arg-type]


class ExportDialog(Dialog):
    TITLE = "Export the quarterly settlement report"
    OK = "Export"

    def __init__(self, engine: Any, periods: list[Period], period: Period, folder: Path) -> None:
        super().__init__(engine)
        self.periods, self.period, self.folder = periods, period, folder

    def fields(self) -> ComposeResult:
        yield Static("Every pool's statement, a sheet per pool, savings and the journal, as an Excel workbook. "
                    "Give a partner code for that partner's pack only.")
        yield _period_select(self.periods, self.period)
        yield Input(value=str(self.folder / f"settlement-{self.period}.xlsx"), id="path")
        yield Input(placeholder="partner code (optional: one partner's pack)", id="partner")

    @on(Select.Changed, "#period")
    def _period(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        old = f"settlement-{self.period}.xlsx"
        if path.value.endswith(old):
            path.value = path.value[: -len(old)] + f"settlement-{event.value}.xlsx"
        self.period = event.value  # type: ignore[assignment]

    def run(self) -> str | None:
        period = self.query_one("#period", Select).value
        out = self.query_one("#path", Input).value.strip()
        partner = self.query_one("#partner", Input).value.strip().upper() or None
        if not out:
            self.say("give the file to write, e.g. settlement.xlsx", error=True)
            return None
        self.say("writing the report…")
        self.query_one("#ok", Button).disabled = True
        self._export(period, out, partner)  # type: ignore[arg-type]
        return None

    @work(thread=True, exclusive=True)
    def _export(self, period: Period, out: str, partner: str | None) -> None:
        try:
            path, report = export_report(self.engine, period, out, partner)
        except LedgerError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # a fault of ours: said in the box, the desk stays open
            self.app.call_from_thread(self._failed, f"internal error: {type(exc).__name__}: {exc}")
            return
        n = len(report.pools)
        done = f"wrote {path}: {n} pool{'s' if n != 1 else ''}, {period}" + (f", pack for {partner}" if partner else "")
        self.app.call_from_thread(self._done, done)

    def _failed(self, message: str) -> None:
        self.query_one("#ok", Button).disabled = False
        self.say(message, error=True)

    def _done(self, message: str) -> None:
        self.app.notify(message, title=self.TITLE)
        self.dismiss(message)
