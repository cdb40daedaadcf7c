"""The shared multi-user ledger: the same books on PostgreSQL.

Runs when ``POOL_LEDGER_TEST_PG`` names a server (``.ci/run`` starts one with
``.ci/postgres``); each test gets a database of its own.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest

from tests.conftest import run_cli, settle_json
from tests.test_example_a import import_year

SERVER = os.environ.get("POOL_LEDGER_TEST_PG")
pytestmark = pytest.mark.skipif(not SERVER, reason="POOL_LEDGER_TEST_PG is not set (see .ci/postgres)")


@pytest.fixture
def pg() -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "pool_ledger_" + uuid.uuid4().hex[:12]
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_worked_example_a_settles_the_same_on_postgresql(workbook, pg):
    import_year(workbook, pg, cap=Decimal("150000"))
    doc = settle_json(pg, "SWN-CYP", "2025-26-Q4")
    assert {p["partner"]: p["balance"] for p in doc["partners"]} == {"SBC": "300000.00", "PCT": "150000.00"}
    assert doc["totals"]["pool_cash"] == "-450000.00"
    r = run_cli("check", db=pg)
    assert r.returncode == 0, r.stdout + r.stderr


def test_replace_and_same_file_twice_on_postgresql(workbook, pg):
    from tests.test_import import spend_return
    from tests.conftest import example_a_agreement

    a = workbook("a.xlsx", "agreement", example_a_agreement())
    r1 = workbook("r1.xlsx", "return", spend_return("100.00"))
    r2 = workbook("r2.xlsx", "return", spend_return("250.00"))
    assert run_cli("import", a, r1, db=pg).returncode == 0
    again = run_cli("import", r1, db=pg)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert run_cli("import", r2, db=pg).returncode == 1
    assert run_cli("import", "--replace", r2, db=pg).returncode == 0
    assert settle_json(pg, "SWN-CYP", "2025-26-Q1")["totals"]["net_spend"] == "250.00"
    assert run_cli("check", db=pg).returncode == 0
