"""Which database, and transactions on it.

``--db`` or ``POOL_LEDGER_DB`` gives a SQLAlchemy URL or a plain file path
(SQLite); the default is ``ledger.db`` in the user's data directory.
Imports write inside ``write_transaction``: ``BEGIN IMMEDIATE`` on SQLite and
an advisory lock on PostgreSQL, so two imports never interleave.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

ENV = "POOL_LEDGER_DB"
IMPORT_LOCK = 727_001


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("pool-ledger", appauthor=False))


def default_path() -> Path:
    return data_dir() / "ledger.db"


def demo_path() -> Path:
    return data_dir() / "demo.db"


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL from ``--db``, the environment, or the default file."""
    value = db or os.environ.get(ENV) or str(default_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_engine(url: str, create: bool = True) -> Engine:
    from ledger.store import models

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_transactions(engine)
    if create:
        models.SQLModel.metadata.create_all(engine)
        ensure_indexes(engine, models.SQLModel.metadata)
    return engine


def ensure_indexes(engine: Engine, metadata: Any) -> None:
    """Indexes added since a ledger was created (``create_all`` adds tables, not their new indexes)."""
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, say when a transaction begins."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def write_transaction(engine: Engine, commit: bool = True) -> Iterator[Connection]:
    """One transaction for a whole import: all of it is written, or none.

    With ``commit=False`` (a dry run) everything is rolled back at the end.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        trans = conn.begin()
        try:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK})
            yield conn
        except BaseException:
            trans.rollback()
            raise
        if commit:
            trans.commit()
        else:
            trans.rollback()


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn
