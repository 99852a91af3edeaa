"""One `backend` fixture, three implementations of licensing.ports: the in-memory fakes, SQLite and PostgreSQL.

Every test in this folder runs on each. Where the fake and SQL disagree, SQL is the truth and the fake is fixed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import StatementError

from storage.db import make_engine, make_session_factory
from storage.migrate import target_metadata, upgrade
from storage.uow import SqlUnitOfWork
from tests.contract.backends import Backend, queued
from tests.databases import empty_database
from tests.memory import FakeUnitOfWork, Refused, State
from tests.world import load_world


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating takes longer than most of these tests."""
    path = tmp_path_factory.mktemp("contract") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated PostgreSQL schema for the session; each test starts by emptying it."""
    with empty_database("postgresql", tmp_path_factory.mktemp("contract")) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "fake":
        state = State()
        yield Backend("fake", lambda: FakeUnitOfWork(state), Refused, lambda: list(state.outbox))
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'licensebot.db'}"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "licensebot.db")
    else:
        url = request.getfixturevalue("pg_schema")
    engine = make_engine(url)
    if request.param == "postgresql":
        _empty(engine)
    sessions = make_session_factory(engine)
    try:
        yield Backend(request.param, lambda: SqlUnitOfWork(sessions), StatementError, lambda: queued(sessions))
    finally:
        engine.dispose()


def _empty(engine: Engine) -> None:
    """Every table emptied. As a replica would, so the audit's append-only triggers let the test harness do it."""
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in reversed(target_metadata().sorted_tables):  # DELETE: TRUNCATE is slower on tables this small
            conn.execute(table.delete())


@pytest.fixture
def world(backend: Backend) -> Backend:
    """The backend holding tests/world.py's directory."""
    load_world(backend.uow())
    return backend
