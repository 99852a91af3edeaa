"""Alembic environment. `storage.migrate.upgrade` hands in an open connection; the alembic CLI
(`alembic -c storage/alembic.ini -x url=sqlite:///licensebot.db upgrade head`) names a database instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.migrate import include_object_for, target_metadata

config = context.config
metadata = target_metadata()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object_for(connection.dialect.name),
        # SQLite cannot ALTER most things, so later migrations rebuild tables there ("batch" mode). A rebuilt
        # audit table loses its append-only triggers: a migration that batch-alters `audit` must recreate them.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("Name the database: alembic -x url=sqlite:///licensebot.db ...")
    return url


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
