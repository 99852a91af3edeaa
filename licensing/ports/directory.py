"""Who and what a partner manages: customers, products, their subscriptions, users and the operators."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from licensing.model import Customer, Operator, Product, Subscription, User


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

    def for_customers(self, only: frozenset[str] | None) -> list[Subscription]:
        """Every subscription of the customers named (None: of every customer), by customer then sku, in one read."""
        ...

    def upsert(self, subscriptions: Sequence[Subscription]) -> int:
        """Create or update quantity and alert threshold; the assigned count and `mirrored` are not taken from the
        input (a lowered quantity caps a local counter; a mirrored one is the tenant's, and is kept)."""
        ...

    def recount(self, customer_ids: Iterable[str]) -> None:
        """Set each local subscription's assigned count from the licenses actually held; a mirrored subscription keeps
        the count its tenant reported."""
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

    def set_disabled_plans(self, customer_id: str, lists: Sequence[tuple[str, str, frozenset[str]]]) -> None:
        """Replace the disabled service plans of (user_id, sku) licenses the users hold; an empty set turns every
        service of it on. A license the user does not hold is left alone (the caller decided from what is held)."""
        ...

    def upsert(self, users: Sequence[User]) -> int:
        """Create or update users with exactly the licenses given; counters are fixed by `recount`."""
        ...


class OperatorRepository(Protocol):
    def get(self, slack_user_id: str) -> Operator | None: ...

    def upsert(self, operators: Sequence[Operator]) -> int: ...
