"""Load the sample pools into a database (the demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.services.importing import FileResult, import_files
from ledger.store.db import open_engine


def sample_pools_dir() -> Path:
    import sample_pools

    return Path(sample_pools.__file__).parent


def sample_files(root: Path | None = None) -> list[Path]:
    """Every workbook of every sample pool (not the ones kept apart for their mistakes)."""
    root = root or sample_pools_dir()
    return sorted(
        p for p in root.glob("*/*.xlsx") if p.parent.name != "with-errors" and not p.name.startswith("~$")
    )


def load_demo(url: str, fresh: bool = True, operator: str | None = None) -> tuple[Any, list[FileResult]]:
    if fresh and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    engine = open_engine(url)
    results = import_files(engine, [str(p) for p in sample_files()], operator or "demo")
    return engine, results
