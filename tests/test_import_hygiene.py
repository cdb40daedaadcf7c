"""The pure core runs without the database, workbook and UI libraries (STYLE: harlequin's hygiene test)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CORE = [
    "ledger.money", "ledger.periods", "ledger.problems", "ledger.records", "ledger.journal", "ledger.figures",
    "ledger.statement", "ledger.settlement", "ledger.validate", "contracts", "contracts.lead_body",
]
HEAVY = ["textual", "sqlmodel", "sqlalchemy", "openpyxl", "pandas", "rich"]


def test_importing_the_core_loads_no_adapter_library():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "from contracts.lead_body import settle\n"
        + f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        + "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_the_cli_starts_without_the_ui_or_pandas():
    code = "import sys\nimport ledger.cli\nprint(','.join(m for m in ('textual', 'pandas', 'openpyxl') if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency"
    out = subprocess.run([lint, "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout
