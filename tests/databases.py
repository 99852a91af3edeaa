"""Fixtures that run a test on SQLite and on PostgreSQL, each time in a database migrated from empty.

A pytest plugin (tests/conftest.py loads it), so every folder under tests/ can ask for these fixtures.

PostgreSQL runs when LICENSEBOT_TEST_PG_URL names a server (CI: postgresql+psycopg://postgres@127.0.0.1:5432/test);
every test gets its own schema, dropped afterwards, so runs and tests never see each other's rows. With
LICENSEBOT_REQUIRE_PG=1 a missing URL fails the run instead of skipping, so CI cannot silently test SQLite only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork

PG_URL_ENV = "LICENSEBOT_TEST_PG_URL"
REQUIRE_PG_ENV = "LICENSEBOT_REQUIRE_PG"

UowFactory = Callable[[], SqlUnitOfWork]


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'licensebot.db'}"


def pg_base_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    if os.environ.get(REQUIRE_PG_ENV) == "1":
        pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_URL_ENV} is not set: PostgreSQL tests cannot run.")
    pytest.skip(f"set {PG_URL_ENV} to run the PostgreSQL tests")


def with_search_path(url: str, schema: str) -> str:
    """The URL, connecting with `schema` as its only search_path: plain strings reach spawned processes too."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def _ensure_pg_trgm(admin: Engine) -> None:
    # Installed once, in public: if a test's migration installed it into its own schema, dropping that schema
    # would take the extension, and every other live schema's trigram index, with it.
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except (IntegrityError, ProgrammingError):
        # Two runs creating it at the same moment: one loses the race, and the extension exists either way.
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")) == 1


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"), dropped afterwards."""
    if kind == "sqlite":
        yield sqlite_url(tmp_path)
        return
    base = pg_base_url()
    schema = f"licensebot_test_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        _ensure_pg_trgm(admin)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield with_search_path(base, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def own_pg_database() -> Iterator[str]:
    """The URL of a PostgreSQL database of its own, migrated, dropped afterwards. For what depends on every
    transaction open in the database, not only in the schema: VACUUM marks a page all-visible only once no open
    transaction might still not see its rows, and other tests and runs share the server's database."""
    base = make_url(pg_base_url())
    name = f"licensebot_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = base.set(database=name).render_as_string(False)
            upgrade(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh PostgreSQL schema."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_url(db_url: str) -> str:
    upgrade(db_url)
    return db_url


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow_factory(session_factory: sessionmaker[Session]) -> UowFactory:
    return lambda: SqlUnitOfWork(session_factory)


@pytest.fixture
def uow(uow_factory: UowFactory) -> SqlUnitOfWork:
    return uow_factory()
