"""Import the partners' workbooks: pick files in a tree, watch the progress, read the problems."""

from __future__ import annotations

import threading
from pathlib import Path
from time import monotonic as clock
from typing import Any, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, DirectoryTree, Footer, Header, Label, ProgressBar, Static

from ledger.services.importing import FileResult, ImportProgress, import_files


class WorkbookTree(DirectoryTree):
    """Folders and Excel workbooks only; the root shows its folder name, not the whole path."""

    BINDINGS = [Binding("space", "screen.toggle", "Choose file")]

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".xlsx")]

    def on_mount(self) -> None:
        self.root.set_label(Path(self.path).resolve().name or str(self.path))


class ImportScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "choose_folder", "Choose folder"),
        Binding("ctrl+r", "run", "Import"),
        Binding("ctrl+d", "run(True)", "Dry run"),
        Binding("ctrl+x", "cancel", "Cancel import"),
    ]

    def __init__(self, engine: Any, folder: Path) -> None:
        super().__init__()
        self.engine, self.folder = engine, folder
        self.chosen: list[Path] = []
        self.cancel = threading.Event()
        self.results: list[FileResult] = []
        self.running = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import-body"):
            with Vertical(id="import-left"):
                yield Label("Workbooks: Enter or Space picks a file, a a folder", classes="caption")
                yield WorkbookTree(self.folder, id="tree")
            with Vertical(id="import-right"):
                yield Label("Chosen", classes="caption")
                yield DataTable(id="chosen", cursor_type="row")
                with Horizontal(id="import-buttons"):
                    yield Button("Import", variant="primary", id="run", compact=True)
                    yield Button("Dry run", id="dry", compact=True)
                    yield Button("Cancel", id="stop", disabled=True, compact=True)
                    yield Button("Clear", id="clear", compact=True)
                yield ProgressBar(id="progress", show_eta=False)
                yield Static("Choose the agreement and the returns, then Import.", id="rate")
                yield Label("Problems (Sheet!Cell: message); Enter on a row shows the hint", classes="caption")
                yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
                yield Static(id="problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#chosen", DataTable).add_columns("File", "Status")
        self.query_one("#problems", DataTable).add_columns("Where", "Severity", "Message", "File")

    # choosing ---------------------------------------------------------------
    def choose(self, paths: Iterable[Path]) -> None:
        for p in paths:
            if p.suffix.lower() == ".xlsx" and p not in self.chosen:
                self.chosen.append(p)
        self.show_chosen()

    def show_chosen(self, status: dict[str, str] | None = None) -> None:
        table = self.query_one("#chosen", DataTable)
        table.clear()
        for p in self.chosen:
            table.add_row(self._label_of(p), (status or {}).get(str(p), "to import"), key=str(p))

    def _label_of(self, p: Path) -> str:
        try:
            return str(p.relative_to(self.folder))
        except ValueError:
            return str(p)

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        self.toggle(Path(event.path))

    def toggle(self, path: Path) -> None:
        if path in self.chosen:
            self.chosen.remove(path)
            self.show_chosen()
        else:
            self.choose([path])

    def action_toggle(self) -> None:
        node = self.query_one(WorkbookTree).cursor_node
        if node is not None and node.data is not None and node.data.path.is_file():
            self.toggle(node.data.path)

    def action_choose_folder(self) -> None:
        node = self.query_one(WorkbookTree).cursor_node
        if node is not None and node.data is not None:
            folder = node.data.path if node.data.path.is_dir() else node.data.path.parent
            self.choose(sorted(folder.rglob("*.xlsx")))

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        if not self.running:
            self.chosen = []
            self.show_chosen()

    # importing --------------------------------------------------------------
    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#dry")
    def _dry_pressed(self) -> None:
        self.action_run(True)

    @on(Button.Pressed, "#stop")
    def action_cancel(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#rate", Static).update("cancelling: the file being read is left unwritten…")

    def action_run(self, dry_run: bool = False) -> None:
        if self.running:
            return
        if not self.chosen:
            self.query_one("#rate", Static).update(Text("Choose at least one workbook first.", style="red"))
            return
        self.running = True
        self.cancel.clear()
        for b in ("#run", "#dry", "#clear"):
            self.query_one(b, Button).disabled = True
        self.query_one("#stop", Button).disabled = False
        self.query_one("#problems", DataTable).clear()
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=len(self.chosen), progress=0)
        self.importing([str(p) for p in self.chosen], dry_run)

    @work(thread=True, exclusive=True, group="import")
    def importing(self, paths: list[str], dry_run: bool) -> None:
        started = clock()
        rows_done = 0
        files_done: set[str] = set()

        def progress(p: ImportProgress) -> None:
            nonlocal rows_done
            if p.stage == "done":
                files_done.add(p.file)
                rows_done += p.rows
            seconds = max(clock() - started, 1e-6)
            rows = rows_done + (p.rows if p.stage != "done" else 0)
            self.app.call_from_thread(self._progress, p, len(files_done), rows, rows / seconds)

        results = import_files(self.engine, paths, dry_run=dry_run, progress=progress, cancel=self.cancel)
        self.app.call_from_thread(self._finished, results, clock() - started, dry_run)

    def _progress(self, p: ImportProgress, files: int, rows: int, rate: float) -> None:
        self.query_one("#progress", ProgressBar).update(progress=files)
        self.query_one("#rate", Static).update(
            f"{p.stage} {Path(p.file).name}: {rows:,} rows, {rate:,.0f} rows/s · Cancel stops before anything "
            "of the file is written")

    def _finished(self, results: list[FileResult], seconds: float, dry_run: bool) -> None:
        self.running = False
        self.results = results
        for b in ("#run", "#dry", "#clear"):
            self.query_one(b, Button).disabled = False
        self.query_one("#stop", Button).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=len(results), progress=len(results))
        self.show_chosen({r.path: r.status + (f" ({r.rows:,} rows)" if r.rows and not r.refused else "") for r in results})
        table = self.query_one("#problems", DataTable)
        table.clear()
        for r in results:
            for i, p in enumerate(r.problems):
                where = f"{p.source.sheet}!{p.source.cell}" if p.source.cell else (p.source.sheet or "")
                sev = Text(p.severity.value, style="bold red" if p.is_error else "yellow")
                table.add_row(where, sev, p.message, Path(r.path).name, key=f"{r.path}#{i}")
        refused = [r for r in results if r.refused]
        rows = sum(r.rows for r in results if not r.refused)
        verb = "checked" if dry_run else "imported"
        done = sum(r.status in ("imported", "checked") for r in results)
        same = sum(r.status == "unchanged" for r in results)
        rate = rows / seconds if seconds > 0 else 0
        text = Text(f"{done} {verb}, {same} unchanged, {len(refused)} refused; {rows:,} rows in {seconds:.1f} s "
                    f"({rate:,.0f} rows/s). ")
        if refused:
            text.append("Nothing of a refused file was written: correct the cells below and import it again.",
                        style="bold red")
        elif dry_run:
            text.append("Dry run: nothing was written.", style="bold")
        self.query_one("#rate", Static).update(text)
        if table.row_count:
            table.focus()
        if not dry_run and done:
            self.app.refresh_pools()  # type: ignore[attr-defined]

    @on(DataTable.RowHighlighted, "#problems")
    def _problem(self, event: DataTable.RowHighlighted) -> None:
        path, _, i = str(event.row_key.value).rpartition("#")
        r = next((r for r in self.results if r.path == path), None)
        if r is None:
            return
        p = r.problems[int(i)]
        where = Path(r.path).name + (f":{p.source.sheet}" if p.source.sheet else "")
        where += f"!{p.source.cell}" if p.source.cell else ""
        text = Text(f"{where}: {p.severity.value}: {p.message}")
        if p.hint:
            text.append(f"\nhint: {p.hint}", style="italic")
        self.query_one("#problem-detail", Static).update(text)

    def action_back(self) -> None:
        if self.running:
            self.notify("an import is running: cancel it first (Ctrl+X)", severity="warning")
            return
        self.app.pop_screen()
