"""Every screen of the desk on the sample pools, as SVG snapshots (pytest-textual-snapshot).

Deterministic: the ledger is imported with a fixed operator and time, the import
screen's clock is a counter, and file locations are shown by name only.
Update after a deliberate change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from ledger.services.demo import sample_pools_dir
from tests.test_tui import finished
from tui import import_screen
from tui.app import make_app

SIZE = (120, 34)


def on_pool(code: str, *keys: str):
    """Open a pool, press keys, wait for the journal's count: a snapshot's run_before."""

    async def run_before(pilot):
        pilot.app.open_pool(code)
        await pilot.pause()
        await pilot.press(*keys)
        await finished(pilot, "journal-count")
        await pilot.pause()

    return run_before


def test_overview(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=(120, 30))


def test_overview_in_80_by_24(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=(80, 24))


def test_overview_filtered_and_sorted_on_a_large_terminal(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=(200, 40), press=["slash", *"lead", "enter", "s"])


@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5", "6"])
def test_alliance_pool_tab(snap_compare, loaded, tab):
    assert snap_compare(make_app(loaded), terminal_size=SIZE, run_before=on_pool("STP-TPA", tab))


def test_what_if_with_a_new_pool_outturn(snap_compare, loaded):
    async def run_before(pilot):
        pilot.app.open_pool("STP-TPA")
        await pilot.pause()
        await pilot.press("7")
        await pilot.click("#whatif-total")
        await pilot.press(*"3240000")
        await pilot.pause()

    assert snap_compare(make_app(loaded), terminal_size=SIZE, run_before=run_before)


def test_lead_body_settlement(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=SIZE, run_before=on_pool("SWN-CYP", "4"))


def test_import_with_a_refused_file(snap_compare, engine, tmp_path, monkeypatch):
    folder = tmp_path / "returns"
    folder.mkdir()
    for name in ("agreement-fixed.xlsx", "return-2025-26-Q1-bad-date-and-line.xlsx"):
        shutil.copy(sample_pools_dir() / "with-errors" / name, folder / name)
    ticks = itertools.count(step=0.25)
    monkeypatch.setattr(import_screen, "clock", lambda: next(ticks))

    async def run_before(pilot):
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("a", "ctrl+r")
        await finished(pilot, "import")

    assert snap_compare(make_app(engine, folder=folder), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("key", ["c", "o"])
def test_close_and_sign_off_dialogs(snap_compare, loaded, key):
    assert snap_compare(make_app(loaded), terminal_size=SIZE, run_before=on_pool("SWN-CYP", key))


def test_export_dialog(snap_compare, loaded):
    assert snap_compare(make_app(loaded, folder=Path("reports")), terminal_size=SIZE, press=["e"])


def test_help(snap_compare, loaded):
    assert snap_compare(make_app(loaded), terminal_size=SIZE, press=["question_mark"])


@pytest.mark.parametrize("tab", ["4", "6"])
def test_pool_screen_in_80_by_24(snap_compare, loaded, tab):
    assert snap_compare(make_app(loaded), terminal_size=(80, 24), run_before=on_pool("SWN-CYP", tab))
