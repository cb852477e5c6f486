"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when INDEN_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import text

from inden.db.migrate import upgrade
from inden.db.models import Base
from inden.db.session import Database

# The machine running the suite is shared: a wall-clock deadline per example only measures the neighbours.
settings.register_profile("inden", deadline=None)
settings.load_profile("inden")

PG_URL = os.environ.get("INDEN_TEST_DATABASE_URL")
E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test (a real server, SMTP server or browser) is `slow`: `pytest -m "not slow"` is the
    quick loop of unit and fast integration tests; the plain `pytest` of the README and CI runs everything."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating every time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "inden.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[Database]:
    if not PG_URL:
        pytest.skip("INDEN_TEST_DATABASE_URL is not set")
    db = Database(PG_URL)
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    yield db
    db.dispose()


def truncate_all(db: Database) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if backend == "postgresql":
        db: Database = request.getfixturevalue("pg_database")
        truncate_all(db)
        return db
    path = tmp_path / "inden.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database; each test runs once per backend."""
    database = make_database(request.param, request, tmp_path)
    yield database
    if request.param == "sqlite":
        database.dispose()
