"""Bringing a database's schema up to date, from code: works from an installed package and from any directory."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Index, MetaData

from storage.db import WRITE_TRANSACTION, make_engine
from storage.models import USER_SEARCH_TRGM_INDEX, metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Modules that register tables on the shared metadata besides storage.models (imported here already).
TABLE_MODULES = ("storage.modal_store", "storage.orders", "storage.outbox.rows")

# Indexes only one database has; autogenerate must not ask to create them elsewhere.
_DIALECT_ONLY_INDEXES = {USER_SEARCH_TRGM_INDEX: "postgresql"}


def target_metadata() -> MetaData:
    """Every table the migrations must create. Tables register on the shared metadata when their module is
    imported, so each module defining tables is imported here: what autogenerate compares must not depend on what
    happened to be imported first."""
    for module in TABLE_MODULES:
        importlib.import_module(module)

    return metadata


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, *, schema: str | None = None, revision: str = "head") -> frozenset[str]:
    """Apply every migration not yet applied to the database at `url` (in `schema`, on PostgreSQL); returns where
    the schema stood before (empty: a new database)."""
    engine = make_engine(url, schema=schema)
    try:
        with engine.connect() as connection:
            before = current_revisions(connection)
            connection.rollback()  # the read's transaction, so that the upgrade begins its own as a writer
            config = alembic_config()
            # Begun as a writer, so a concurrent writer on SQLite makes this wait rather than fail midway.
            config.attributes["connection"] = connection.execution_options(**{WRITE_TRANSACTION: True})
            command.upgrade(config, revision)
        return before
    finally:
        engine.dispose()


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The migrations shipped with this code (read once: they cannot change while the process runs)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """Where the database's schema stands (empty for a database never migrated)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def is_current(connection: Connection) -> bool:
    """Whether the database's schema is at the latest migration (False for an empty or older database)."""
    return current_revisions(connection) == head_revisions()


def include_object_for(dialect_name: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` hook: leave out schema objects the given database does not have."""

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "index" and isinstance(obj, Index) and name in _DIALECT_ONLY_INDEXES:
            return _DIALECT_ONLY_INDEXES[name] == dialect_name
        return True

    return include_object
