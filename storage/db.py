"""Engines and sessions for SQLite (one file, the default) and PostgreSQL (psycopg 3).

Writers serialize per customer: the use cases open every write transaction with `CustomerRepository.lock()` or
`lock_all()`, which call `begin_write` here. On SQLite that means `BEGIN IMMEDIATE` (the database's single writer
lock, taken before anything is read, so a plan is never made from a snapshot another writer has already moved past);
on PostgreSQL the repositories lock rows or the customers table instead.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

# Execution option a connection carries when its transaction must begin as a writer.
WRITE_TRANSACTION = "licensebot_write_transaction"

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30.0
# A server that does not answer (a firewall dropping packets) would otherwise hold `licensebot` for minutes.
POSTGRESQL_CONNECT_TIMEOUT_S = 10
SUPPORTED = "sqlite:///FILE.db or postgresql+psycopg://USER:PASSWORD@HOST/DB"


class UnsupportedDatabase(ValueError):
    """DATABASE_URL names a database or driver licensebot cannot use; the message never shows the password."""


_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def make_engine(url: str, *, schema: str | None = None, durable: bool = True) -> Engine:
    """An engine for `sqlite:///path.db` or `postgresql+psycopg://...`.

    `schema` (PostgreSQL only) puts every table in that schema by making it the whole search_path; tests use it to
    give each test a fresh, private schema.

    `durable=False` is for what an open modal remembers, written by nearly every click: its commits do not wait for
    the disk (SQLite's `synchronous=NORMAL` under WAL, PostgreSQL's `synchronous_commit=off`). A power cut may lose
    the last few of them, never the database's consistency; and a commit by a durable engine still flushes them
    all. Waiting for the disk was the largest cost of a click (measured: ~1.6 ms to 5 ms a commit, bench_served).
    Licensing data, audit, intents and the outbox always go through a durable engine.
    """
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise UnsupportedDatabase(f"DATABASE_URL is not a database URL: use {SUPPORTED}") from None
    try:
        if backend == "sqlite":
            if schema is not None:
                raise ValueError("SQLite has no schemas; use a separate database file instead.")
            return _sqlite_engine(url, durable)
        if backend == "postgresql":
            return _postgresql_engine(url, schema, durable)
    except (ImportError, NoSuchModuleError):  # e.g. postgresql:// alone means psycopg2, which is not installed
        driver = make_url(url).drivername
        raise UnsupportedDatabase(
            f"DATABASE_URL names the driver '{driver}', which is not installed: use {SUPPORTED}"
        ) from None
    raise UnsupportedDatabase(f"DATABASE_URL names '{backend}', which licensebot does not support: use {SUPPORTED}")


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist yet (None otherwise): connecting would create it
    empty, so only `licensebot db upgrade` should."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # make_engine says what is wrong with it
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit is off: the repositories hand out plain dataclasses, never ORM objects, so there is nothing
    # to refresh, and a commit should not cost a reload.
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def begin_write(session: Session) -> Connection:
    """Begin the session's transaction as a writer; it must not have begun yet.

    Raising here rather than carrying on matters on SQLite: a transaction that began as a reader cannot become the
    writer without risking SQLITE_BUSY, and whatever it read before may already be stale.
    """
    if session.in_transaction():
        raise RuntimeError("Customer locks must be taken by the first statement of a write transaction.")
    return session.connection(execution_options={WRITE_TRANSACTION: True})


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """A write transaction begun as a writer (BEGIN IMMEDIATE on SQLite), committed at the end."""
    begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _sqlite_engine(url: str, durable: bool) -> Engine:
    # pysqlite's `timeout` is SQLite's busy timeout: a writer waits this long for another writer's lock.
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # isolation_level=None stops the sqlite3 module from issuing its own (deferred, DML-only) BEGIN, so that
        # `_on_begin` below decides how every transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL lets readers (the bot's screens) carry on while one writer holds the lock.
            cursor.execute("PRAGMA journal_mode=WAL")
            if not durable:
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_TRANSACTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgresql_engine(url: str, schema: str | None, durable: bool) -> Engine:
    # No server-side prepared statements: after a few runs PostgreSQL would switch to a generic plan that cannot see
    # a search's LIKE pattern, and picks the trigram index even for '%a%' (measured: 3-4x slower pages). Planning
    # these queries costs far less than that; and it keeps PgBouncer's transaction pooling usable.
    connect_args: dict[str, Any] = {"prepare_threshold": None}
    if "connect_timeout" not in make_url(url).query:
        connect_args["connect_timeout"] = POSTGRESQL_CONNECT_TIMEOUT_S
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"Invalid schema name: {schema!r}")
        connect_args["options"] = f"-csearch_path={schema}"
    # READ COMMITTED (the default) is what the locking relies on: a writer that waited for a customer's lock then
    # reads what the previous writer committed, where REPEATABLE READ would keep the snapshot from before the wait.
    # pool_pre_ping: the bot runs for weeks, and servers and proxies drop idle connections.
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if not durable:

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
            dbapi_connection.commit()  # a SET rolled back with its transaction would be undone

    return engine


# A commit that bulk-loaded at least this many rows into a table refreshes the table's statistics (see below).
BULK_LOAD_ROWS = 1_000
_BULK_LOADED = "licensebot_bulk_loaded"


def note_bulk_load(session: Session, table: str, rows: int) -> None:
    """Record that the session's transaction wrote `rows` rows of `table` from an import."""
    if rows:
        loaded: dict[str, int] = session.info.setdefault(_BULK_LOADED, {})
        loaded[table] = loaded.get(table, 0) + rows


def take_bulk_loads(session: Session) -> list[str]:
    """The tables the session bulk-loaded since last asked, and forget them."""
    loaded: dict[str, int] = session.info.pop(_BULK_LOADED, {})
    return sorted(t for t, n in loaded.items() if n >= BULK_LOAD_ROWS)


def refresh_statistics(engine: Engine, tables: list[str]) -> None:
    """After a bulk load, bring PostgreSQL's planner statistics and visibility map up to date.

    Autovacuum would, within a minute or so; until then the planner guesses from an empty table and the page
    index cannot be read without visiting every row, and the first searches after an import are several times
    slower than the target (measured on 100,000 users: 30-70 ms p95, against 8-16 ms once vacuumed). VACUUM cannot
    run inside a transaction, so this runs after the commit, on a connection of its own. SQLite's planner needs no
    statistics for these queries.
    """
    if not tables or engine.dialect.name != "postgresql":
        return
    names = ", ".join(engine.dialect.identifier_preparer.quote(t) for t in tables)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"VACUUM (ANALYZE) {names}")
    except DBAPIError:
        # The data is committed; slow first searches are no reason to report the import as failed.
        logger.warning("Could not VACUUM ANALYZE %s after a bulk load; autovacuum will catch up.", names, exc_info=True)
