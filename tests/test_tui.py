"""The terminal UI as a user meets it: every flow does real work on a temporary ledger."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from textual.widgets import Button, DataTable, Input, ProgressBar, Select

from ledger.periods import parse_period
from ledger.services.demo import sample_pools_dir
from ledger.services.importing import import_files
from ledger.services.settling import statement_document
from tests.conftest import table_counts
from tui import journal_view
from tui.app import make_app
from tui.dialogs import CloseDialog, ExportDialog, SignoffDialog
from tui.help_screen import HelpScreen
from tui.import_screen import ImportScreen
from tui.pool_screen import PoolScreen


def text_of(widget) -> str:
    return str(widget.render())


def cells(table: DataTable, key: str) -> list[str]:
    return [str(c).strip() for c in table.get_row(key)]


async def finished(pilot, group: str) -> None:
    """Wait for the named workers (the directory tree's loader never finishes, so not for all)."""
    for w in [w for w in pilot.app.workers if w.group == group]:
        await w.wait()
    await pilot.pause()


async def open_pool(pilot, code: str, tab: str) -> PoolScreen:
    pilot.app.open_pool(code)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PoolScreen) and screen.code == code
    await pilot.press(tab)
    await pilot.pause()
    return screen


# the overview -----------------------------------------------------------------
async def test_the_overview_lists_every_pool_with_status_and_variance(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#pools", DataTable)
        assert table.row_count == 7
        row = cells(table, "SWN-CYP")
        assert row[:6] == ["SWN-CYP", "AMBER", "Swindon children's services", "lead body", "2025-26", "2025-26-Q4"]
        assert row[6:11] == ["28,000,000.00", "28,450,000.00", "28,450,000.00", "+450,000.00", "+1.6%"]
        assert cells(table, "AFC")[1] == "RED" and cells(table, "STP-TPA")[1] == "GREEN"
        await pilot.press("q")
    assert app.return_code == 0


async def test_filter_and_sort_the_pools(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"alliance")
        table = app.screen.query_one("#pools", DataTable)
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == ["CRO-65", "STP-TPA"]
        assert "2 shown (filter: alliance)" in text_of(app.screen.query_one("#summary"))
        await pilot.press("escape")
        assert table.row_count == 7
        await pilot.click("#pools", offset=(12, 0))  # the Status heading: red first
        assert [str(table.get_row_at(i)[1]).strip() for i in range(3)] == ["RED", "RED", "AMBER"]
        await pilot.click("#pools", offset=(12, 0))  # again: the other way round
        assert str(table.get_row_at(0)[1]).strip() == "GREEN"


async def test_a_narrow_terminal_keeps_status_and_variance(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#pools", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["Pool", "Status", "Period", "Forecast", "Variance", "Var %", "Closed"]
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80


async def test_an_empty_ledger_says_how_to_start(engine):
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        summary = text_of(app.screen.query_one("#summary"))
        assert "No pools yet" in summary and "Press i to import" in summary


# import -------------------------------------------------------------------------
@pytest.fixture
def returns_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    for name in ("agreement-fixed.xlsx", "return-2025-26-Q1-bad-date-and-line.xlsx"):
        shutil.copy(sample_pools_dir() / "with-errors" / name, folder / name)
    return folder


async def test_import_shows_progress_and_the_problems_of_a_refused_file(engine, returns_folder):
    app = make_app(engine, folder=returns_folder)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await pilot.press("a")  # the tree's cursor is on the folder: choose every workbook in it
        assert [p.name for p in screen.chosen] == ["agreement-fixed.xlsx", "return-2025-26-Q1-bad-date-and-line.xlsx"]
        seen: list[str] = []
        screen._progress = (lambda orig: lambda p, *a: (seen.append(p.stage), orig(p, *a)))(screen._progress)
        await pilot.press("ctrl+r")
        await finished(pilot, "import")
        assert "reading" in seen and "done" in seen
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total == 2 and bar.progress == 2
        rate = text_of(screen.query_one("#rate"))
        assert "1 imported, 0 unchanged, 1 refused" in rate and "rows/s" in rate and "Nothing of a refused file" in rate
        chosen = screen.query_one("#chosen", DataTable)
        assert str(chosen.get_row_at(1)[1]) == "refused"
        problems = screen.query_one("#problems", DataTable)
        rows = [[str(c) for c in problems.get_row_at(i)] for i in range(problems.row_count)]
        wheres = {r[0] for r in rows if r[1] == "error"}
        assert any(w.startswith("Spend!") for w in wheres), rows
        assert all("!" in w for w in wheres)
        await pilot.press("down")  # jump through the problems: the detail follows, with its hint
        detail = text_of(screen.query_one("#problem-detail"))
        assert detail.startswith("return-2025-26-Q1-bad-date-and-line.xlsx:") and ": error: " in detail
    counts = table_counts(engine)
    assert counts["batch"] == 1 and counts["txn"] == 0  # the agreement only: nothing of the refused return


async def test_import_of_nothing_chosen_says_so(engine, returns_folder):
    app = make_app(engine, folder=returns_folder)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("ctrl+r")
        assert "Choose at least one workbook" in text_of(app.screen.query_one("#rate"))
    assert table_counts(engine)["batch"] == 0


async def test_cancel_during_an_import_writes_nothing(engine, returns_folder, monkeypatch):
    from tui import import_screen

    def held(engine, paths, **kw):  # the import waits, as a long file would, until Cancel is pressed
        assert kw["cancel"].wait(10)
        return import_files(engine, paths, **kw)

    monkeypatch.setattr(import_screen, "import_files", held)
    app = make_app(engine, folder=returns_folder)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        await pilot.press("a", "ctrl+r")
        await pilot.pause()
        assert screen.running and not screen.query_one("#stop", Button).disabled
        await pilot.press("escape")  # not while an import runs
        assert app.screen is screen
        await pilot.click("#stop")
        await finished(pilot, "import")
        assert "0 imported, 0 unchanged, 2 refused" in text_of(screen.query_one("#rate"))
        problems = screen.query_one("#problems", DataTable)
        assert {str(problems.get_row_at(i)[2]) for i in range(problems.row_count)} == {
            "cancelled before it was read"}
    assert table_counts(engine)["batch"] == 0


# settle, journal, what-if ----------------------------------------------------------
async def test_settlement_shows_each_balance_and_its_explanation(loaded):
    doc = statement_document(loaded, "SWN-CYP", parse_period("2025-26-Q4"))
    balances = {p["partner"]: p["balance"] for p in doc["partners"]}
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_pool(pilot, "SWN-CYP", "4")
        table = screen.query_one("#settle-table", DataTable)
        pct = cells(table, "PCT")
        assert pct[1].replace(",", "").lstrip("+") == balances["PCT"]
        table.focus()
        await pilot.press("down")
        detail = text_of(screen.query_one("#settle-detail"))
        assert detail.startswith("PCT Swindon Primary Care Trust: balance")
        assert "overspend share" in detail.lower() or "share" in detail
        await pilot.press("left_square_bracket")  # the quarter before: a projection
        await pilot.pause()
        assert screen.view.period == parse_period("2025-26-Q3")
        assert "2025-26-Q3 (projection)" in text_of(screen.query_one("#settle-totals"))


async def test_the_journal_pages_from_the_database_and_shows_provenance(loaded, monkeypatch):
    monkeypatch.setattr(journal_view, "PAGE", 10)
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_pool(pilot, "STP-TPA", "3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#journal-table", DataTable)
        assert table.row_count == 10
        assert "10 of 96 postings shown" in text_of(screen.query_one("#journal-status"))
        prov = text_of(screen.query_one("#journal-provenance"))
        assert "return-2025-26-Q1.xlsx:Spend!" in prov and "by test" in prov and "2026-04-20T09:30:00" in prov
        table.focus()
        for _ in range(9):
            await pilot.press("down")
        assert table.row_count == 20  # the next page is read on reaching the last row
        partner = screen.query_one("#jf-partner", Select)
        partner.value = "THR"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows and all(str(r[6]) == "THR" or "THR" in str(r[7]) for r in rows)  # or paid to THR
        assert "of 16 postings" in text_of(screen.query_one("#journal-status"))


async def test_what_if_moves_each_partners_exposure_without_saving(loaded):
    before = table_counts(loaded)
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_pool(pilot, "SWN-CYP", "6")
        lines = screen.query_one("#whatif-lines", DataTable)
        soc = next(i for i in range(lines.row_count) if str(lines.get_row_at(i)[0]) == "CYP-SOC")
        now = Decimal(str(lines.get_row_at(soc)[2]).replace(",", ""))
        lines.move_cursor(row=soc)
        await pilot.click("#whatif-line")
        await pilot.press(*f"{now + 100000}")
        await pilot.pause()
        exposure = screen.query_one("#whatif-exposure", DataTable)
        changes = [Decimal(str(exposure.get_row_at(i)[4]).replace(",", "").lstrip("+"))
                   for i in range(exposure.row_count)]
        assert sum(changes) == Decimal("100000.00") and changes[0] > 0  # the host first (PCT is capped)
        assert "(what-if, not saved)" in text_of(screen.query_one("#whatif-summary"))
        await pilot.click("#whatif-line")
        await pilot.press("ctrl+a", "x")  # not a sum: marked, the last good figure stands
        assert screen.query_one("#whatif-line", Input).has_class("invalid")
        await pilot.click("#whatif-reset")
        await pilot.pause()
        assert "(as the books stand)" in text_of(screen.query_one("#whatif-summary"))
    assert table_counts(loaded) == before


async def test_alliance_what_if_on_the_whole_outturn_and_the_curve(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_pool(pilot, "STP-TPA", "6")
        today = text_of(screen.query_one("#curve-today"))
        assert today.startswith("Today's forecast outturn 2,820,000.00: providers +66,000.00")
        await pilot.press("7")
        await pilot.click("#whatif-total")
        await pilot.press(*"3300000")  # 10% over the target cost: the providers bear pain
        await pilot.pause()
        exposure = screen.query_one("#whatif-exposure", DataTable)
        thr = cells(exposure, "THR")
        assert Decimal(thr[4].replace(",", "").lstrip("+")) != 0
        assert "2,820,000.00 → 3,300,000.00" in text_of(screen.query_one("#whatif-summary"))


# close, sign-off, export, help, palette ------------------------------------------------
async def test_close_in_order_then_sign_off(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_pool(pilot, "SWN-CYP", "4")
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)
        assert dialog.query_one("#period", Select).value == parse_period("2025-26-Q1")  # the first open quarter
        dialog.query_one("#period", Select).value = parse_period("2025-26-Q4")
        await pilot.pause()
        await pilot.click("#ok")  # Q4 with Q1 to Q3 open: refused, said in the dialog
        assert "must be closed before 2025-26-Q4" in text_of(dialog.query_one("#message"))
        dialog.query_one("#period", Select).value = parse_period("2025-26-Q1")
        dialog.query_one("#operator", Input).value = "Jo Finance"
        await pilot.pause()
        dialog.query_one("#operator", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, text_of(dialog.query_one("#message"))
        assert screen.view.period == parse_period("2025-26-Q4")
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignoffDialog)
        assert dialog.query_one("#period", Select).value == parse_period("2025-26-Q1")  # the latest closed
        await pilot.click("#ok")
        assert "choose the partner" in text_of(dialog.query_one("#message"))
        dialog.query_one("#partner", Select).value = "PCT"
        dialog.query_one("#name", Input).focus()
        await pilot.press("enter")
        assert "type the name" in text_of(dialog.query_one("#message"))
        await pilot.press(*"Pat Treasurer", "enter")
        await pilot.pause()
        assert app.screen is screen
    doc = statement_document(loaded, "SWN-CYP", parse_period("2025-26-Q1"))
    assert doc["closed"] is True
    assert [(s["partner"], s["name"]) for s in doc["signoffs"]] == [("PCT", "Pat Treasurer")]


async def test_export_writes_the_report_and_it_reads_back(loaded, tmp_path):
    out = tmp_path / "q4.xlsx"
    app = make_app(loaded, folder=tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#path", Input).value == str(tmp_path / "settlement-2025-26-Q4.xlsx")
        dialog.query_one("#path", Input).value = str(tmp_path / "q4.txt")
        await pilot.click("#ok")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "name it .xlsx" in text_of(dialog.query_one("#message"))
        assert not dialog.query_one("#ok", Button).disabled
        dialog.query_one("#path", Input).value = str(out)
        dialog.query_one("#path", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportDialog), text_of(dialog.query_one("#message"))
    wb = load_workbook(out, read_only=True)
    assert "Summary" in wb.sheetnames
    text = " ".join(str(v) for row in wb["Summary"].iter_rows(values_only=True) for v in row if v is not None)
    assert "SWN-CYP" in text and "2025-26-Q4" in text


async def test_help_and_the_command_palette(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Close quarter")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CloseDialog)
        assert app.screen.pool == "AFC"  # the highlighted pool
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CloseDialog)


# what the review found --------------------------------------------------------------
async def test_sorting_with_a_pool_that_has_no_returns(engine, workbook):
    from tests.conftest import example_a_agreement

    import_files(engine, [workbook("a.xlsx", "agreement", example_a_agreement())], operator="test")
    import_files(engine, [workbook("b.xlsx", "agreement", example_a_agreement(Code="SWN-TWO"))], operator="test")
    import_files(engine, [workbook("r.xlsx", "return", {
        "Return": {"Pool": "SWN-TWO", "Period": "2025-26-Q1", "Submitted by": "SBC"},
        "Spend": [{"Date": datetime(2025, 5, 1), "Line": "CYP-SOC", "Amount": Decimal("100")}]})], operator="test")
    app = make_app(engine)
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#pools", DataTable)
        for field in ("period", "period", "variance_ratio", "closed"):
            app.screen.sort_by(field)
            await pilot.pause()
            assert table.row_count == 2
        assert "no returns" in {str(table.get_row_at(i)[5]) for i in range(2)}


async def test_tab_keys_work_after_the_what_if_tab(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_pool(pilot, "WHO", "6")
        await pilot.press("enter")  # on the highlighted line: type its outturn
        assert app.focused is screen.query_one("#whatif-line", Input)
        await pilot.press(*"1", "escape")  # Esc leaves the field, not the pool
        assert app.screen is screen
        await pilot.press("1")
        await pilot.pause()
        assert screen.query_one("#tabs").active == "partners"
        await pilot.press("6", "tab")
        await pilot.press(*("9" * 30))  # a sum too long: marked, not a crash
        await pilot.pause()


async def test_the_journal_reads_on_when_scrolled_with_the_mouse(loaded, monkeypatch):
    monkeypatch.setattr(journal_view, "PAGE", 30)
    app = make_app(loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_pool(pilot, "STP-TPA", "3")
        table = screen.query_one("#journal-table", DataTable)
        assert table.row_count == 30
        table.scroll_end(animate=False)
        await pilot.pause()
        await pilot.pause()
        assert table.row_count >= 60
