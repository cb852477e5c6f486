"""Engines and transactions.

SQLite: one writer at a time. Every transaction starts with `BEGIN IMMEDIATE`, so the write lock is taken up
front and two writers never interleave (they wait on `busy_timeout` instead of failing with "database is
locked" half-way). PostgreSQL: READ COMMITTED plus row locks taken in a fixed order (see `db.stock`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from inden.config import Settings, get_settings

POOL_SIZE = 10


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`, configured for inden's concurrency rules."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_timeout", 30)
    # Errors and logs show the SQL but never its values: they carry customers' emails and key hashes.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", 0)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # A small fixed pool per process: a hot SKU's orders go in batches, one at a time (api.coalesce), so more
    # connections would only queue on its row lock; and several workers must stay under max_connections.
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    # No JIT: inden's queries are short, and a plan whose estimated cost crosses jit_above_cost spent 100-340 ms
    # compiling to save a few (the back office's counts over 100,000 waiting lines: 380 -> 110 ms, see
    # docs/benchmarks.md). Long analytics gain little from it here.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    # A connection the server dropped (a restart, a failover, an idle timeout) is replaced when it is checked out,
    # instead of failing the next request on it with a 503: one short round trip per transaction.
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A long read (a download) must not hold the write lock: it begins deferred and reads a WAL snapshot.
        read_only = connection.get_execution_options().get("inden_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """An engine, its session factory and the shop's settings. Services open one transaction per use case with
    `transaction()` and read the settings from here (`db.settings`) or, inside a transaction, from the
    session (`settings_of`): the edge that made the Database chose them, nothing reads the environment."""

    def __init__(self, url: str, *, settings: Settings | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        self.settings = settings or get_settings()
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def configured(self, settings: Settings) -> Database:
        """The same database (engine, pool) with other settings, e.g. a test's shop."""
        other = object.__new__(Database)
        other.url, other.settings, other.engine, other._sessions = self.url, settings, self.engine, self._sessions
        return other

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any exception."""
        with self._sessions(info={"settings": self.settings}) as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction for long streaming reads (CSV downloads): one consistent snapshot, and on
        SQLite no write lock, so orders keep flowing while it is read. Write nothing through it."""
        with self.engine.connect() as connection:
            connection.execution_options(inden_read_only=True)
            with connection.begin():
                yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def settings_of(session: Session) -> Settings:
    """The settings of the Database that opened this session's transaction."""
    settings: Settings = session.info["settings"]
    return settings
