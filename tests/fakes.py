"""An in-memory unit of work that implements licensing.ports, for fast use-case tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Self

from licensing.model import Customer, Operator, Product, Subscription, User
from licensing.notifications import OutgoingThread
from licensing.results import AuditEntry, BatchResult


@dataclass
class State:
    products: dict[str, Product] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    users: dict[tuple[str, str], User] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    batches: dict[str, tuple[str | None, str, BatchResult]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    purchases: list[tuple[str, str, int, str]] = field(default_factory=list)
    outbox: list[OutgoingThread] = field(default_factory=list)

    def copy(self) -> State:
        return State(
            dict(self.products),
            dict(self.customers),
            dict(self.subscriptions),
            dict(self.users),
            dict(self.operators),
            dict(self.batches),
            list(self.audit),
            list(self.purchases),
            list(self.outbox),
        )


def _upsert(table: dict, key: object, value: object) -> int:  # type: ignore[type-arg]
    changed = table.get(key) != value
    table[key] = value
    return int(changed)


class FakeCustomers:
    def __init__(self, s: State) -> None:
        self.s = s
        self.locked: list[str] = []

    def get(self, customer_id: str) -> Customer | None:
        return self.s.customers.get(customer_id)

    def lock(self, customer_id: str) -> Customer | None:
        self.locked.append(customer_id)
        return self.get(customer_id)

    def lock_all(self) -> None:
        self.locked.append("*")

    def search(self, query: str, *, only: frozenset[str] | None, limit: int) -> list[Customer]:
        q = query.casefold()
        found = [
            c
            for c in self.s.customers.values()
            if (only is None or c.id in only) and (q in c.id.casefold() or q in c.name.casefold())
        ]
        return sorted(found, key=lambda c: (c.name.casefold(), c.id))[:limit]

    def all_ids(self) -> list[str]:
        return sorted(self.s.customers)

    def upsert(self, customers: Sequence[Customer]) -> int:
        return sum(_upsert(self.s.customers, c.id, c) for c in customers)


class FakeProducts:
    def __init__(self, s: State) -> None:
        self.s = s

    def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        return {k: p for k in skus if (p := self.s.products.get(k))}

    def all(self) -> dict[str, Product]:
        return dict(self.s.products)

    def upsert(self, products: Sequence[Product]) -> int:
        return sum(_upsert(self.s.products, p.sku, p) for p in products)


class FakeSubscriptions:
    def __init__(self, s: State) -> None:
        self.s = s

    def for_customer(self, customer_id: str) -> dict[str, Subscription]:
        return {sku: sub for (cid, sku), sub in self.s.subscriptions.items() if cid == customer_id}

    def upsert(self, subscriptions: Sequence[Subscription]) -> int:
        n = 0
        for sub in subscriptions:
            old = self.s.subscriptions.get((sub.customer_id, sub.sku))
            n += _upsert(
                self.s.subscriptions, (sub.customer_id, sub.sku), replace(sub, assigned=old.assigned if old else 0)
            )
        return n

    def recount(self, customer_ids: Iterable[str]) -> None:
        for cid in customer_ids:
            for sku, sub in self.for_customer(cid).items():
                held = sum(1 for (c, _), u in self.s.users.items() if c == cid and sku in u.licenses)
                self.s.subscriptions[(cid, sku)] = replace(sub, assigned=held)


class FakeUsers:
    def __init__(self, s: State) -> None:
        self.s = s

    def get_many(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, User]:
        return {uid: u for uid in user_ids if (u := self.s.users.get((customer_id, uid)))}

    def page(self, customer_id: str, *, query: str, offset: int, limit: int) -> tuple[list[User], int]:
        q = query.casefold()
        found = sorted(
            (
                u
                for (cid, _), u in self.s.users.items()
                if cid == customer_id and (q in u.name.casefold() or q in u.id.casefold())
            ),
            key=lambda u: u.sort_key,
        )
        return found[offset : offset + limit], len(found)

    def all_for_customer(self, customer_id: str) -> Iterator[User]:
        return iter([u for (cid, _), u in sorted(self.s.users.items()) if cid == customer_id])

    def set_location(self, customer_id: str, user_ids: Sequence[str], country: str) -> None:
        for uid in user_ids:
            self.s.users[(customer_id, uid)] = replace(self.s.users[(customer_id, uid)], location=country)

    def change_licenses(
        self, customer_id: str, grants: Sequence[tuple[str, str]], removals: Sequence[tuple[str, str]]
    ) -> None:
        for uid, sku in grants:
            self._move(customer_id, uid, sku, +1)
        for uid, sku in removals:
            self._move(customer_id, uid, sku, -1)

    def _move(self, customer_id: str, uid: str, sku: str, delta: int) -> None:
        user = self.s.users[(customer_id, uid)]
        sub = self.s.subscriptions[(customer_id, sku)]
        if not 0 <= sub.assigned + delta <= sub.quantity:  # the database's CHECK constraint, faked
            raise ValueError(f"seat counter for {sku} would leave 0..{sub.quantity}")
        self.s.subscriptions[(customer_id, sku)] = replace(sub, assigned=sub.assigned + delta)
        licenses = user.licenses | {sku} if delta > 0 else user.licenses - {sku}
        self.s.users[(customer_id, uid)] = replace(user, licenses=licenses)

    def upsert(self, users: Sequence[User]) -> int:
        return sum(_upsert(self.s.users, (u.customer_id, u.id), u) for u in users)


class FakeOperators:
    def __init__(self, s: State) -> None:
        self.s = s

    def get(self, slack_user_id: str) -> Operator | None:
        return self.s.operators.get(slack_user_id)

    def upsert(self, operators: Sequence[Operator]) -> int:
        return sum(_upsert(self.s.operators, o.slack_user_id, o) for o in operators)


class FakeBatches:
    def __init__(self, s: State) -> None:
        self.s = s

    def get_by_key(self, key: str) -> tuple[str, BatchResult] | None:
        for k, fingerprint, result in self.s.batches.values():
            if k == key:
                return fingerprint, result
        return None

    def add(self, result: BatchResult, *, key: str | None, fingerprint: str) -> None:
        assert result.batch_id is not None
        self.s.batches[result.batch_id] = (key, fingerprint, result)


class FakeAudit:
    def __init__(self, s: State) -> None:
        self.s = s

    def append(self, entries: Sequence[AuditEntry]) -> None:
        self.s.audit.extend(entries)

    def for_batch(self, batch_id: str) -> list[AuditEntry]:
        return [e for e in self.s.audit if e.batch_id == batch_id]


class FakePurchases:
    def __init__(self, s: State) -> None:
        self.s = s

    def add(self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime) -> int:
        self.s.purchases.append((customer_id, sku, quantity, operator))
        return len(self.s.purchases)


class FakeOutbox:
    def __init__(self, s: State) -> None:
        self.s = s

    def add_thread(self, thread: OutgoingThread) -> int:
        self.s.outbox.append(thread)
        return len(self.s.outbox)


class FakeUnitOfWork:
    """Works on a copy of the committed state; `commit` publishes it, anything else throws it away."""

    customers: FakeCustomers
    products: FakeProducts
    subscriptions: FakeSubscriptions
    users: FakeUsers
    operators: FakeOperators
    batches: FakeBatches
    audit: FakeAudit
    purchases: FakePurchases
    outbox: FakeOutbox

    def __init__(self, state: State | None = None) -> None:
        self.committed_state = state or State()
        self.commits = 0
        self.rollbacks = 0

    def __enter__(self) -> Self:
        self._work = self.committed_state.copy()
        s = self._work
        self.customers = FakeCustomers(s)
        self.products = FakeProducts(s)
        self.subscriptions = FakeSubscriptions(s)
        self.users = FakeUsers(s)
        self.operators = FakeOperators(s)
        self.batches = FakeBatches(s)
        self.audit = FakeAudit(s)
        self.purchases = FakePurchases(s)
        self.outbox = FakeOutbox(s)
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.committed_state = self._work.copy()
        self.commits += 1

    def rollback(self) -> None:
        self._work = self.committed_state.copy()
        self.rollbacks += 1

    @property
    def state(self) -> State:
        return self.committed_state
