"""The terminal UI as a user meets it: the pools overview on a real ledger."""

from __future__ import annotations


import pytest
from textual.widgets import DataTable

from ledger.services.demo import sample_files
from ledger.services.importing import import_files
from tui.app import make_app


@pytest.fixture
def loaded(engine):
    results = import_files(engine, [str(p) for p in sample_files()], operator="test")
    assert not any(r.refused for r in results)
    return engine


async def test_the_overview_lists_every_pool_with_its_figures(loaded):
    app = make_app(loaded)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.query_one("#pools", DataTable)
        assert table.row_count == 7
        row = table.get_row("SWN-CYP")
        assert row[0] == "SWN-CYP" and row[2] == "lead body" and row[3] == "2025-26-Q4"
        assert [str(c) for c in (row[4], row[5], row[7])] == ["28,000,000.00", "28,450,000.00", "450,000.00"]
        await pilot.press("r")
        assert app.query_one("#pools", DataTable).row_count == 7
        await pilot.press("q")
    assert app.return_code == 0


async def test_an_empty_ledger_says_how_to_start(engine):
    app = make_app(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        summary = str(app.query_one("#summary").render())
        assert "No pools yet" in summary and "pool-ledger import" in summary


def test_overview_snapshot(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=(120, 30))
