"""Engines for the store: one code path for SQLite and PostgreSQL.

SQLite gets what it needs to be a safe multi-threaded store inside one process:
WAL mode (readers never block the writer), a busy timeout, foreign keys, explicit ``BEGIN`` /
``BEGIN IMMEDIATE`` (pysqlite's own transaction handling starts transactions late, so a read-then-
write could interleave), and a process-wide write lock per database file so that writers queue up
in Python instead of failing with "database is locked". PostgreSQL needs none of this.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from petitions.errors import StoreUnavailableError

SQLITE_BUSY_TIMEOUT_S = 30.0
# Connection execution option: this connection's transactions write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "petitions_write"

_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def redact_url(url: str | URL) -> str:
    """The URL with its password masked: the only form that may appear in messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable database URL>"


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def is_sqlite_memory(url: URL) -> bool:
    return is_sqlite(url) and url.database in (None, "", ":memory:")


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a malformed URL or a missing driver raises StoreUnavailableError."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailableError(
            "The database URL cannot be parsed: check PETITIONS_DB_URL "
            "(e.g. sqlite:///var/petitions.db or postgresql+psycopg://user@host/db)."
        ) from exc
    serializer = partial(json.dumps, ensure_ascii=False)
    try:
        if is_sqlite(parsed):
            kwargs: dict[str, Any] = {
                "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
            }
            if is_sqlite_memory(parsed):
                kwargs["poolclass"] = StaticPool  # one shared in-memory database
            engine = create_engine(parsed, json_serializer=serializer, **kwargs)
            _install_sqlite_hooks(engine, wal=not is_sqlite_memory(parsed))
            return engine
        return create_engine(parsed, json_serializer=serializer, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreUnavailableError(
            f"No database driver for {redact_url(parsed)}: use sqlite:/// or postgresql+psycopg://."
        ) from exc


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver stops managing transactions; see _on_begin
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if wal:
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def write_lock(url: URL) -> AbstractContextManager[Any]:
    """The process-wide lock for writers to this database (SQLite only; a no-op elsewhere)."""
    if not is_sqlite(url):
        return nullcontext()
    key = ":memory:" if is_sqlite_memory(url) else os.path.realpath(url.database or "")
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())
