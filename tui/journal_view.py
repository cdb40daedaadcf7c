"""The journal of a pool, read a page at a time: filters, provenance, and more pages as you scroll."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Select, Static

from ledger.periods import parse_period
from ledger.services.journal import JournalFilter, Key, Page, journal_choices, journal_count, journal_page
from tui.format import money

PAGE = 200


class JournalTable(DataTable):
    """Asks for the next page when scrolled (wheel, scrollbar, keys) near its end."""

    class NearEnd(Message):
        pass

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.max_scroll_y and new >= self.max_scroll_y - 2:
            self.post_message(self.NearEnd())


class JournalView(Vertical):
    """Only the pages scrolled to are read: a million postings open as fast as a hundred."""

    def __init__(self, pool: str) -> None:
        super().__init__()
        self.pool = pool
        self.filter = JournalFilter(pool)
        self.last: Key | None = None
        self.more = False
        self.count: int | None = None
        self.postings: list[Any] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="journal-filters"):
            yield Select([], prompt="partner", id="jf-partner", compact=True)
            yield Select([], prompt="line", id="jf-line", compact=True)
            yield Select([], prompt="period", id="jf-period", compact=True)
            yield Select([], prompt="source file", id="jf-file", compact=True)
        yield Static(id="journal-status")
        yield JournalTable(id="journal-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="journal-provenance")

    def on_mount(self) -> None:
        table = self.query_one("#journal-table", DataTable)
        table.add_columns("Date", "Period", "Kind", "Account", "Amount", "Line", "Partner", "Reference", "File",
                          "Cell")

    def open(self) -> None:
        """Read the filters' choices and the first page (on first showing the tab)."""
        if self.loaded:
            return
        self.loaded = True
        choices = journal_choices(self.app.engine, self.pool)  # type: ignore[attr-defined]
        for name in ("partner", "line", "period", "file"):
            self.query_one(f"#jf-{name}", Select).set_options([(c, c) for c in choices[name]])
        self.restart()

    def restart(self) -> None:
        self.last, self.more, self.count, self.postings = None, False, None, []
        self.query_one("#journal-table", DataTable).clear()
        self.next_page()
        self.counting(self.filter)

    def next_page(self) -> None:
        page: Page = journal_page(self.app.engine, self.filter, self.last, PAGE)  # type: ignore[attr-defined]
        table = self.query_one("#journal-table", DataTable)
        for p in page.postings:
            table.add_row(p.date, p.period, p.kind, p.account, money(p.amount), p.line or "", p.partner or "",
                          p.reference, p.file_name, p.cell, key=":".join(map(str, p.key)))
        self.postings += page.postings
        self.last = page.last or self.last
        self.more = page.more
        self.status()
        if len(self.postings) == len(page.postings):
            self.provenance(0)

    @work(thread=True, exclusive=True, group="journal-count")
    def counting(self, f: JournalFilter) -> None:
        n = journal_count(self.app.engine, f)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._counted, f, n)

    def _counted(self, f: JournalFilter, n: int) -> None:
        if f == self.filter:
            self.count = n
            self.status()

    def status(self) -> None:
        total = "counting…" if self.count is None else f"{self.count:,}"
        shown = len(self.postings)
        more = "; scroll down for more" if self.more else ""
        self.query_one("#journal-status", Static).update(
            f"{shown:,} of {total} postings shown, in journal order{more}")

    def provenance(self, row: int) -> None:
        box = self.query_one("#journal-provenance", Static)
        if not 0 <= row < len(self.postings):
            box.update("")
            return
        p = self.postings[row]
        text = Text("From ", style="dim")
        text.append(p.provenance)
        if p.description:
            text.append(f" · {p.description}", style="italic")
        box.update(text)

    @on(DataTable.RowHighlighted, "#journal-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.provenance(event.cursor_row)
        if self.more and event.cursor_row >= len(self.postings) - 1:
            self.next_page()

    @on(JournalTable.NearEnd)
    def _near_end(self) -> None:
        if self.more:
            self.next_page()

    @on(Select.Changed)
    def _filtered(self, event: Select.Changed) -> None:
        if not event.select.id or not event.select.id.startswith("jf-"):
            return
        values = {name: self.query_one(f"#jf-{name}", Select).value for name in ("partner", "line", "period", "file")}
        given = {k: (str(v) if v is not Select.NULL and v is not None else None) for k, v in values.items()}
        self.filter = JournalFilter(
            self.pool, partner=given["partner"], line=given["line"],
            period=parse_period(given["period"]) if given["period"] else None, file=given["file"],
        )
        if self.loaded:
            self.restart()
