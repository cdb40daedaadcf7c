"""The finance officer's desk: every pool at a glance, each pool in depth, import, close, sign-off, export."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ledger.services import LedgerError
from ledger.services.pool_view import PoolView, pool_periods, pool_view
from ledger.services.pools import PoolSummary, list_pools
from tui.dialogs import CloseDialog, ExportDialog, SignoffDialog
from tui.help_screen import HelpScreen
from tui.import_screen import ImportScreen
from tui.overview import OverviewScreen
from tui.pool_screen import PoolScreen


class PoolLedgerApp(App[None]):
    TITLE = "pool-ledger"
    SUB_TITLE = "pooled budgets and alliance contracts"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, engine: Any, folder: Path | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.engine = engine
        self.folder = folder or Path.cwd()  # where the import tree starts and reports are written

    def on_mount(self) -> None:
        self.push_screen(OverviewScreen())

    # navigation -------------------------------------------------------------
    def open_pool(self, code: str) -> None:
        try:
            self.push_screen(PoolScreen(self.engine, code))
        except LedgerError as exc:
            self.notify(str(exc), severity="error")

    def refresh_pools(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, OverviewScreen):
                screen.action_refresh()
            elif isinstance(screen, PoolScreen):
                screen.reread()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_import_files(self) -> None:
        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen(self.engine, self.folder))

    # the pool a command applies to: the open pool, else the highlighted one --
    def _pool(self) -> PoolScreen | str | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, PoolScreen):
                return screen
            if isinstance(screen, OverviewScreen):
                return screen.current_pool()
        return None

    def _summaries(self) -> list[PoolSummary]:
        """The pools as the overview last read them (reading them again settles every pool)."""
        for screen in self.screen_stack:
            if isinstance(screen, OverviewScreen):
                return screen.pools
        return list_pools(self.engine)

    def _pool_view(self) -> PoolView | None:
        target = self._pool()
        if target is None:
            self.notify("open or highlight a pool first", severity="warning")
            return None
        return target.view if isinstance(target, PoolScreen) else pool_view(self.engine, target)

    def action_close_quarter(self) -> None:
        v = self._pool_view()
        if v:  # the first quarter still open: quarters close in order
            period = next((p for p in v.periods if p not in v.closed_periods), v.period)
            self.push_screen(CloseDialog(self.engine, v.code, v.periods, period), self._changed)

    def action_sign_off(self) -> None:
        v = self._pool_view()
        if v:  # the latest closed quarter
            period = v.closed_periods[-1] if v.closed_periods else v.period
            partners = [p["partner"] for p in v.statement["partners"]]
            self.push_screen(SignoffDialog(self.engine, v.code, v.periods, period, partners), self._changed)

    def action_export(self) -> None:
        target = self._pool()
        if isinstance(target, PoolScreen):
            periods, period = target.view.periods, target.view.period
        else:
            pools = self._summaries()
            if not pools:
                self.notify("nothing to export yet: import an agreement first", severity="warning")
                return
            code = target or pools[0].code
            periods = pool_periods(self.engine, code)
            summary = next(p for p in pools if p.code == code)
            period = next((p for p in periods if str(p) == summary.period), periods[0])
        self.push_screen(ExportDialog(self.engine, periods, period, self.folder))

    def _changed(self, result: str | None) -> None:
        if result:
            self.refresh_pools()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Import workbooks", "Choose the agreement and returns to import", self.action_import_files)
        yield SystemCommand("Close quarter", "Close the quarter of the open (or highlighted) pool",
                            self.action_close_quarter)
        yield SystemCommand("Sign off", "Record a partner's sign-off of a closed quarter", self.action_sign_off)
        yield SystemCommand("Export report", "Write the quarterly settlement report (.xlsx)", self.action_export)
        yield SystemCommand("Help", "Keys and how a quarter goes", self.action_help)
        for p in self._summaries():
            yield SystemCommand(f"Open pool {p.code}", p.name, lambda code=p.code: self.open_pool(code),
                                discover=False)


def make_app(engine: Any, folder: Path | None = None) -> PoolLedgerApp:
    """Build the app the same way for production and for tests."""
    return PoolLedgerApp(engine, folder)


def run(engine: Any) -> None:
    make_app(engine).run()
