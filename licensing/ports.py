"""What the use cases need from storage. `storage/` implements these; tests/fakes.py fakes them in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, Self

from licensing.model import Customer, Operator, Product, Subscription, User
from licensing.notifications import OutgoingThread
from licensing.results import AuditEntry, BatchResult


class CustomerRepository(Protocol):
    def get(self, customer_id: str) -> Customer | None: ...

    def lock(self, customer_id: str) -> Customer | None:
        """Take the customer's write lock for the rest of the transaction; must be the transaction's first call.

        Every writer of a customer's licenses or locations takes it, so a plan made under it is what gets applied.
        """
        ...

    def lock_all(self) -> None:
        """Take every customer's write lock (the importer)."""
        ...

    def search(self, query: str, *, only: frozenset[str] | None, limit: int) -> list[Customer]: ...

    def all_ids(self) -> list[str]: ...

    def upsert(self, customers: Sequence[Customer]) -> int:
        """Create or update; returns how many were created or changed."""
        ...


class ProductRepository(Protocol):
    def get_many(self, skus: Iterable[str]) -> dict[str, Product]: ...

    def all(self) -> dict[str, Product]: ...

    def upsert(self, products: Sequence[Product]) -> int: ...


class SubscriptionRepository(Protocol):
    def for_customer(self, customer_id: str) -> dict[str, Subscription]: ...

    def upsert(self, subscriptions: Sequence[Subscription]) -> int:
        """Create or update quantity and alert threshold; the assigned count is not taken from the input."""
        ...

    def recount(self, customer_ids: Iterable[str]) -> None:
        """Set each subscription's assigned count from the licenses actually held."""
        ...


class UserRepository(Protocol):
    def get_many(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, User]: ...

    def page(self, customer_id: str, *, query: str, offset: int, limit: int) -> tuple[list[User], int]:
        """Users sorted by name then id, filtered by a case-insensitive substring of name or id; and the total."""
        ...

    def all_for_customer(self, customer_id: str) -> Iterator[User]: ...

    def set_location(self, customer_id: str, user_ids: Sequence[str], country: str) -> None: ...

    def change_licenses(
        self, customer_id: str, grants: Sequence[tuple[str, str]], removals: Sequence[tuple[str, str]]
    ) -> None:
        """Add and remove (user_id, sku) pairs and move the seat counters with them.

        Storage refuses a counter above the quantity owned, whatever the caller decided.
        """
        ...

    def upsert(self, users: Sequence[User]) -> int:
        """Create or update users with exactly the licenses given; counters are fixed by `recount`."""
        ...


class OperatorRepository(Protocol):
    def get(self, slack_user_id: str) -> Operator | None: ...

    def upsert(self, operators: Sequence[Operator]) -> int: ...


class BatchRepository(Protocol):
    def get_by_key(self, key: str) -> tuple[str, BatchResult] | None:
        """The change fingerprint and result stored under an idempotency key."""
        ...

    def add(self, result: BatchResult, *, key: str | None, fingerprint: str) -> None: ...


class AuditLog(Protocol):
    def append(self, entries: Sequence[AuditEntry]) -> None: ...

    def for_batch(self, batch_id: str) -> list[AuditEntry]: ...


class PurchaseRequests(Protocol):
    def add(self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime) -> int:
        """Records a request for more licenses; returns its number."""
        ...


class Outbox(Protocol):
    def add_thread(self, thread: OutgoingThread) -> int:
        """Queues a parent message and its replies for delivery; returns the parent's outbox id."""
        ...


class UnitOfWork(Protocol):
    # Read-only properties, so implementations may declare their concrete repository types.
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def products(self) -> ProductRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def operators(self) -> OperatorRepository: ...
    @property
    def batches(self) -> BatchRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def purchases(self) -> PurchaseRequests: ...
    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
