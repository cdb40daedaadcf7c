"""Every sample pool imports, settles and checks; the figures worked by hand in sample_pools/README.md hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.services.demo import sample_files, sample_pools_dir
from tests.conftest import run_cli, settle_json

HAND = {  # pool -> {partner: balance at 2025-26-Q4}, from sample_pools/README.md
    "SWN-CYP": {"SBC": "300000.00", "PCT": "150000.00"},
    "STP-TPA": {"SMBC": "66000.00", "THR": "-19800.00"},
    "CRO-65": {"CHS": "150000.00", "CCCG": "-210000.00", "LBC": "-90000.00"},
    "WHO": {"OCCG": "14175.00", "OMBC-PH": "-10125.00", "FCHO": "-4050.00"},
    "AFC": {"RBK": "120000.00", "LBRUT": "100000.00"},
    "LAM-CAMHS": {"LCCG": "159000.00", "LBL": "-159000.00"},
    "ILF": {"DCC": "-8500.00", "NDC": "9000.00", "NHSD": "-5200.00"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    r = run_cli("demo", "--no-tui", db=db)
    assert r.returncode == 0, r.stderr
    assert db.split("///")[1] in r.stdout
    return db


def test_the_demo_loads_every_pool_and_the_books_check(demo):
    r = run_cli("check", db=demo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "conservation: holds for 7 pools" in r.stdout


@pytest.mark.parametrize("pool", sorted(HAND))
def test_hand_worked_figures(demo, pool):
    doc = settle_json(demo, pool, "2025-26-Q4")
    balances = {p["partner"]: p["balance"] for p in doc["partners"]}
    assert {k: balances[k] for k in HAND[pool]} == HAND[pool]
    for q in (1, 2, 3):
        assert settle_json(demo, pool, f"2025-26-Q{q}")["period"] == f"2025-26-Q{q}"


def test_figures_from_the_reports(demo):
    assert settle_json(demo, "SWN-CYP", "2025-26-Q4")["totals"]["budget"] == "28000000.00"
    ilf = settle_json(demo, "ILF", "2025-26-Q4")
    assert len(ilf["partners"]) == 17 and ilf["totals"]["budget"] == "400000.00"
    names = {p["name"] for p in settle_json(demo, "STP-TPA", "2025-26-Q4")["partners"]}
    assert {"Threshold", "Age UK Stockport", "FRAG", "NACRO", "Relate", "Stockport Homes"} <= names
    assert settle_json(demo, "AFC", "2025-26-Q4")["totals"]["unfunded_deficit"] == "80000.00"


def test_the_pool_with_mistakes_is_refused_where_they_are(tmp_path):
    folder = sample_pools_dir() / "with-errors"
    db = f"sqlite:///{tmp_path / 'e.db'}"
    bad = str(folder / "agreement-shares-not-100.xlsx")
    r = run_cli("import", bad, db=db)
    assert r.returncode == 1 and "Partners!F2: error: Overspend share % sums to 90%, not 100%" in r.stderr
    assert run_cli("import", str(folder / "agreement-fixed.xlsx"), db=db).returncode == 0
    r = run_cli("import", str(folder / "return-2025-26-Q1-bad-date-and-line.xlsx"), db=db)
    assert r.returncode == 1
    assert "Spend!A2: error: the date 31/07/2025 is outside 2025-26-Q1" in r.stderr
    assert "Spend!B3: error: line NOLINE is not a line of pool ERR-DEMO" in r.stderr


def test_the_workbooks_are_rebuilt_from_the_script(tmp_path):
    from sample_pools.build import build

    written = build(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        p.relative_to(sample_pools_dir()).as_posix() for p in Path(sample_pools_dir()).glob("*/*.xlsx")}
    assert len(sample_files()) == 7 * 5
