"""Shared fixtures: a fresh database per test, workbook writers, and the CLI as a user runs it."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.records import Arrangement
from ledger.store.db import open_engine
from ledger.workbooks.templates import write

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).parent / "pool-ledger"
# the installed console script, as a user runs it (the module when the package is not installed)
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ledger.cli"]

# Worked example A of SPEC section 6, as a finance officer fills the templates.
EXAMPLE_A_AGREEMENT: dict[str, Any] = {
    "Pool": {"Code": "SWN-CYP", "Name": "Swindon children's services", "Arrangement": "lead body",
             "Financial year": "2025-26", "Host": "SBC"},
    "Partners": [
        {"Partner": "SBC", "Name": "Swindon Borough Council", "Kind": "council", "Role": "host",
         "Contribution": Decimal("16800000.00")},
        {"Partner": "PCT", "Name": "Swindon Primary Care Trust", "Kind": "nhs_commissioner", "Role": "contributor",
         "Contribution": Decimal("11200000.00")},
    ],
    "Lines": [
        {"Line": "CYP-SOC", "Name": "Children's social care", "Budget": Decimal("16800000")},
        {"Line": "CYP-HLTH", "Name": "Children's community health", "Budget": Decimal("11200000")},
    ],
}


def example_a_agreement(pct_cap: Decimal | None = None, **pool: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE_A_AGREEMENT)
    if pct_cap is not None:
        data["Partners"][1]["Cap"] = pct_cap
    data["Pool"].update(pool)
    return data


def a_return(pool: str, period: str, by: str, **sheets: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {"Return": {"Pool": pool, "Period": period, "Submitted by": by}}
    data.update(sheets)
    return data


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite URL for a new, empty ledger."""
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def engine(db: str) -> Any:
    eng = open_engine(db)
    yield eng
    eng.dispose()


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., str]:
    """Write a filled agreement or return workbook; returns its path."""

    def make(name: str, kind: str, data: dict[str, Any], arrangement: Arrangement | None = Arrangement.LEAD_BODY) -> str:
        return str(write(tmp_path / name, kind, arrangement, data, examples=False))

    return make


def run_cli(*args: str, db: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``pool-ledger`` in a subprocess, as a user would."""
    argv = [*CLI]
    if db is not None:
        argv += ["--db", db]
    argv += list(args)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POOL_LEDGER_DB": "sqlite:///" + str((cwd or ROOT) / "unused.db")}
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120)


def settle_json(db: str, pool: str, period: str) -> dict[str, Any]:
    r = run_cli("settle", pool, "--period", period, "--json", db=db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def table_counts(engine: Any) -> dict[str, int]:
    """Rows in every table: to show that a refused import wrote nothing."""
    from sqlalchemy import func, select

    from ledger.store.models import SQLModel

    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar() or 0
            for name, table in SQLModel.metadata.tables.items()
        }


FIXED = datetime(2026, 4, 20, 9, 30, tzinfo=timezone.utc)  # when the sample pools are imported in tests


@pytest.fixture
def loaded(engine):
    """A ledger with the seven sample pools, imported by "test" at a fixed time (snapshots stay the same)."""
    from ledger.services.demo import sample_files
    from ledger.services.importing import import_files

    results = import_files(engine, [str(p) for p in sample_files()], operator="test", now=lambda: FIXED)
    assert not any(r.refused for r in results)
    return engine
