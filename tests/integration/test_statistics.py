"""PostgreSQL's planner statistics and visibility map after a bulk load (storage.db.refresh_statistics)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from licensing.model import Customer, Subscription, User
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.databases import own_pg_database
from tests.world import E3, PRODUCTS


# SQLite's planner needs no statistics for these queries. In a database of its own: a transaction open elsewhere in
# the same database (another test, another run) keeps VACUUM from marking the new rows' pages all-visible.
@pytest.mark.postgres
def test_a_bulk_import_leaves_postgresql_statistics_current() -> None:
    with own_pg_database() as url:
        engine = make_engine(url)
        try:
            uow = SqlUnitOfWork(make_session_factory(engine))
            with uow:
                uow.products.upsert(PRODUCTS)
                uow.customers.upsert([Customer("contoso", "Contoso")])
                uow.subscriptions.upsert([Subscription("contoso", E3, 10)])
                uow.users.upsert([User("contoso", f"u{i:04}", f"User {i}", "US", frozenset({E3})) for i in range(1200)])
                uow.commit()
            with engine.connect() as conn:
                stats = conn.execute(
                    text(
                        "SELECT relname, reltuples, relallvisible > 0 FROM pg_class "
                        "WHERE relnamespace = current_schema()::regnamespace AND relname IN ('users', 'user_licenses')"
                    )
                ).all()
        finally:
            engine.dispose()
    # Never vacuumed nor analyzed, reltuples would be -1 and no page all-visible.
    assert sorted(tuple(r) for r in stats) == [("user_licenses", 1200, True), ("users", 1200, True)]
