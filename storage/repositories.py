"""SQL implementations of the ports in licensing.ports, translating rows to and from the domain's dataclasses.

Every method works set-at-a-time: the number of statements depends on how many kinds of thing are touched, not
on how many users (see storage.bulk). Users live in storage.users; this module holds the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Integer, Select, bindparam, case, func, insert, select, text, update
from sqlalchemy.orm import Session

from licensing.model import Customer, Operator, Product, Role, Subscription
from licensing.results import BatchResult
from licensing.types import utcnow
from storage.bulk import Row, chunks, contains, least, upsert_rows
from storage.db import begin_write
from storage.models import (
    SEARCH_SEPARATOR,
    BatchRow,
    CustomerRow,
    OperatorRow,
    ProductRow,
    SubscriptionRow,
    UserLicenseRow,
    name_key,
    search_key,
    table,
)
from storage.users import SqlUserRepository

__all__ = [
    "SqlBatchRepository",
    "SqlCustomerRepository",
    "SqlOperatorRepository",
    "SqlProductRepository",
    "SqlSubscriptionRepository",
    "SqlUserRepository",
]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# Built once, with parameters: every click runs these, and building and keying a statement costs SQLAlchemy more than
# it costs SQLite to answer it (bench/bench_served.py). They run on the session's connection, in its transaction.
_c, _p, _o = table(CustomerRow), table(ProductRow), table(OperatorRow)
CUSTOMER = select(_c.c.id, _c.c.name).where(_c.c.id == bindparam("id"))
PRODUCTS = select(_p.c.sku, _p.c.name, _p.c.requires_one_of, _p.c.excludes, _p.c.unavailable_in)
PRODUCTS_AMONG = PRODUCTS.where(_p.c.sku.in_(bindparam("skus", expanding=True)))
_s = table(SubscriptionRow)
SUBSCRIPTIONS = select(
    _s.c.sku, _s.c.quantity, _s.c.assigned, _s.c.alert_below, _s.c.mirrored, _s.c.service_plans
).where(_s.c.customer_id == bindparam("customer"))
OPERATOR = select(_o.c.slack_user_id, _o.c.name, _o.c.role, _o.c.customers).where(_o.c.slack_user_id == bindparam("id"))


class SqlCustomerRepository:
    _table = _c
    _columns = ("name", "name_key", "search")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = _dialect(session)

    def get(self, customer_id: str) -> Customer | None:
        return self._one(CUSTOMER, customer_id)

    def lock(self, customer_id: str) -> Customer | None:
        begin_write(self._session)  # on SQLite, BEGIN IMMEDIATE is the lock
        return self._one(CUSTOMER.with_for_update() if self._dialect == "postgresql" else CUSTOMER, customer_id)

    def lock_all(self) -> None:
        begin_write(self._session)
        if self._dialect == "postgresql":
            # EXCLUSIVE conflicts with the ROW SHARE lock every `lock()` takes, but not with plain reads: the bot's
            # screens keep working while an import runs.
            self._session.execute(text("LOCK TABLE customers IN EXCLUSIVE MODE"))

    def search(self, query: str, *, only: frozenset[str] | None, limit: int) -> list[Customer]:
        if only is not None and not only:
            return []
        needle = query.casefold()
        if SEARCH_SEPARATOR in needle:
            return []
        stmt = select(CustomerRow.id, CustomerRow.name).order_by(CustomerRow.name_key, CustomerRow.id).limit(limit)
        if needle:
            stmt = stmt.where(contains(CustomerRow.search, needle, self._dialect))
        if only is not None:
            stmt = stmt.where(CustomerRow.id.in_(sorted(only)))
        return [Customer(id, name) for id, name in self._session.execute(stmt)]

    def all_ids(self) -> list[str]:
        return list(self._session.scalars(select(CustomerRow.id).order_by(CustomerRow.id)))

    def upsert(self, customers: Sequence[Customer]) -> int:
        rows = {
            c.id: {"id": c.id, "name": c.name, "name_key": name_key(c.name), "search": search_key(c.name, c.id)}
            for c in customers
        }
        new, changed = upsert_rows(self._session, self._table, rows.values(), keys=["id"], columns=self._columns)
        return len(new) + len(changed)

    def _one(self, stmt: Select[str, str], customer_id: str) -> Customer | None:
        row = self._session.connection().execute(stmt, {"id": customer_id}).one_or_none()
        return Customer(row.id, row.name) if row else None


class SqlProductRepository:
    _table = _p
    _columns = ("name", "requires_one_of", "excludes", "unavailable_in")

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        found: dict[str, Product] = {}
        for batch in chunks(dict.fromkeys(skus)):
            found |= self._select(PRODUCTS_AMONG, {"skus": batch})
        return found

    def all(self) -> dict[str, Product]:
        return self._select(PRODUCTS, {})

    def upsert(self, products: Sequence[Product]) -> int:
        rows = {
            p.sku: {
                "sku": p.sku,
                "name": p.name,
                # Sorted, so that the same set always compares (and is stored) the same.
                "requires_one_of": sorted(p.requires_one_of),
                "excludes": sorted(p.excludes),
                "unavailable_in": sorted(p.unavailable_in),
            }
            for p in products
        }
        new, changed = upsert_rows(self._session, self._table, rows.values(), keys=["sku"], columns=self._columns)
        return len(new) + len(changed)

    def _select(self, stmt: Select[Any], params: dict[str, Any]) -> dict[str, Product]:
        # Columns, not ORM entities: every users page names the products its users hold.
        return {
            r.sku: Product(
                r.sku, r.name, frozenset(r.requires_one_of), frozenset(r.excludes), frozenset(r.unavailable_in)
            )
            for r in self._session.connection().execute(stmt, params)
        }


class SqlSubscriptionRepository:
    _table = _s
    _keys = ("customer_id", "sku")
    _columns = ("quantity", "alert_below")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = _dialect(session)

    def for_customer(self, customer_id: str) -> dict[str, Subscription]:
        return {
            sku: Subscription(customer_id, sku, quantity, assigned, below, mirrored, _plans(plans))
            for sku, quantity, assigned, below, mirrored, plans in self._session.connection().execute(
                SUBSCRIPTIONS, {"customer": customer_id}
            )
        }

    def for_customers(self, only: frozenset[str] | None) -> list[Subscription]:
        stmt = select(
            SubscriptionRow.customer_id,
            SubscriptionRow.sku,
            SubscriptionRow.quantity,
            SubscriptionRow.assigned,
            SubscriptionRow.alert_below,
            SubscriptionRow.mirrored,
        ).order_by(SubscriptionRow.customer_id, SubscriptionRow.sku)
        if only is not None:
            if not only:
                return []
            stmt = stmt.where(SubscriptionRow.customer_id.in_(sorted(only)))
        return [Subscription(*row) for row in self._session.execute(stmt)]

    def upsert(self, subscriptions: Sequence[Subscription]) -> int:
        rows = {
            (s.customer_id, s.sku): {
                "customer_id": s.customer_id,
                "sku": s.sku,
                "quantity": s.quantity,
                "alert_below": s.alert_below,
            }
            for s in subscriptions
        }
        # Lowering the quantity below the seats counted would break the CHECK before `recount` can say what is
        # wrong; a local counter is capped here and recounted by the caller. A mirrored one is the tenant's count
        # (which may exceed the quantity): kept as it is, like its flag.
        t = self._table
        least_ = least(t.c.assigned, bindparam("v_quantity", type_=Integer), self._dialect)
        capped = {"assigned": case((t.c.mirrored, t.c.assigned), else_=least_)}
        new, changed = upsert_rows(
            self._session,
            t,
            rows.values(),
            keys=self._keys,
            columns=self._columns,
            on_insert={"assigned": 0},
            on_update=capped,
        )
        return len(new) + len(changed)

    def recount(self, customer_ids: Iterable[str]) -> None:
        """Set each local counter to its holders, capped at the quantity.

        Capping keeps the CHECK constraint from failing the import outright: the importer's invariant check then
        reports, in words, which customer holds more licenses than it owns, and rolls everything back. A mirrored
        counter is left alone: it is the tenant's consumedUnits (overuse included), not a count of the mirror's rows.
        """
        s, ul = self._table, table(UserLicenseRow)
        held = (
            select(func.count())
            .select_from(ul)
            .where(ul.c.customer_id == s.c.customer_id, ul.c.sku == s.c.sku)
            .scalar_subquery()
        )
        counted = least(held, s.c.quantity, self._dialect)
        for batch in chunks(dict.fromkeys(customer_ids)):
            # Only counters that are wrong are written: a recount of a correct directory changes nothing.
            self._session.execute(
                update(s)
                .where(s.c.customer_id.in_(batch), ~s.c.mirrored, s.c.assigned != counted)
                .values(assigned=counted)
            )


class SqlOperatorRepository:
    _table = _o
    _columns = ("name", "role", "customers")

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, slack_user_id: str) -> Operator | None:
        # Columns, not the ORM entity: every click asks, and loading an entity costs several times the query.
        row = self._session.connection().execute(OPERATOR, {"id": slack_user_id}).one_or_none()
        if row is None:
            return None
        customers = frozenset(row.customers) if row.customers is not None else None
        return Operator(row.slack_user_id, Role(row.role), row.name, customers)

    def upsert(self, operators: Sequence[Operator]) -> int:
        rows: dict[str, Row] = {
            o.slack_user_id: {
                "slack_user_id": o.slack_user_id,
                "name": o.name,
                "role": o.role.value,
                "customers": sorted(o.customers) if o.customers is not None else None,
            }
            for o in operators
        }
        new, changed = upsert_rows(
            self._session, self._table, rows.values(), keys=["slack_user_id"], columns=self._columns
        )
        return len(new) + len(changed)


class SqlBatchRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_by_key(self, key: str) -> tuple[str, BatchResult] | None:
        stmt = select(BatchRow.fingerprint, BatchRow.result).where(BatchRow.idempotency_key == key)
        row = self._session.execute(stmt).one_or_none()
        return (row.fingerprint, BatchResult.from_dict(row.result)) if row else None

    def add(self, result: BatchResult, *, key: str | None, fingerprint: str) -> None:
        if result.batch_id is None:
            raise ValueError("A dry run has no batch id and is not recorded.")
        self._session.execute(
            insert(BatchRow).values(
                id=result.batch_id,
                idempotency_key=key,
                fingerprint=fingerprint,
                customer_id=result.customer_id,
                operator=result.operator,
                created_at=result.created_at or utcnow(),
                result=result.to_dict(),
            )
        )


def _plans(stored: list[str] | None) -> tuple[str, ...] | None:
    return tuple(stored) if stored is not None else None
