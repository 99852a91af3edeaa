"""Customers connected to Microsoft 365: the mirror of each tenant, saves in flight, and the tenant itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from licensing.model import Subscription, User
from licensing.tenants import (
    Operation,
    OperationResult,
    PendingBatch,
    RemoteSku,
    RemoteUser,
    Tenant,
    TenantSnapshot,
)


class TenantMirror(Protocol):
    """Connected customers: which tenant each is, and the mirror of its seats and users."""

    def get(self, customer_id: str) -> Tenant | None: ...

    def all(self) -> list[Tenant]: ...

    def upsert(self, tenants: Sequence[Tenant]) -> int:
        """Connect customers (from the directory file); their sync times are kept."""
        ...

    def mark_synced(self, customer_id: str, at: datetime, *, users: bool) -> None:
        """Seats were read at `at` (and, with `users`, every user too)."""
        ...

    def set_seats(self, customer_id: str, subscriptions: Sequence[Subscription]) -> int:
        """The tenant's subscriptions, quantity and assigned exactly as given (assigned above the quantity when the
        tenant is overused), marked mirrored; others are dropped with the licenses of them held."""
        ...

    def set_users(
        self,
        customer_id: str,
        users: Sequence[User],
        *,
        object_ids: dict[str, str],
        complete: bool,
        stamp: int | None = None,
        fence: int | None = None,
    ) -> int:
        """Create or update users with exactly their licenses (and disabled plans) and Graph object ids; with
        `complete`, users not given are removed. A save's writes pass `stamp`, the generation they were written at;
        a sync passes `fence`, the generation its snapshot began at, and users stamped after it are left as they are
        (the save's state of them is newer). Returns how many users were created, changed or removed."""
        ...

    def remove_users(self, customer_id: str, user_ids: Sequence[str]) -> int:
        """Users the tenant no longer has leave the mirror, with their licenses; returns how many were there."""
        ...

    def bump(self, customer_id: str) -> int:
        """The tenant's next generation, for a save's writes to the mirror (call under the customer's lock)."""
        ...

    def object_ids(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, str]: ...

    def take_lease(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Hold the named job until `until` if no one else holds it now (one replica runs the sync at a time)."""
        ...


class RemoteBatches(Protocol):
    """Connected saves between their intent (recorded before any call) and their outcome."""

    def add(self, batch: PendingBatch, *, holder: str, lease_until: datetime) -> None: ...

    def get_by_key(self, key: str) -> PendingBatch | None: ...

    def claim(self, batch_id: str, *, holder: str, now: datetime, lease_until: datetime) -> PendingBatch | None:
        """Take the batch if its lease ended before `now` (its process died or hung); None if someone holds it."""
        ...

    def expired(self, now: datetime) -> list[str]:
        """Batches whose lease ended before `now`, oldest first."""
        ...

    def renew(self, batch_id: str, *, holder: str, until: datetime) -> bool:
        """Extend `holder`'s lease while its save is still running; False if it no longer holds the batch."""
        ...

    def finish(self, batch_id: str, *, holder: str) -> bool:
        """Remove the batch if `holder` still holds it; False if another process took it over (it records it)."""
        ...


class TenantProvider(Protocol):
    """A customer's Microsoft 365 tenant (providers/graph implements it). Never called inside a transaction."""

    def snapshot(self, tenant: str) -> TenantSnapshot:
        """Every user product with its seats, and every user with their licenses."""
        ...

    def skus(self, tenant: str) -> tuple[RemoteSku, ...]: ...

    def apply(
        self, tenant: str, operations: Sequence[Operation], progress: Callable[[], bool] | None = None
    ) -> list[OperationResult]:
        """One result per operation, in order; raises ProviderError when the whole call failed. A result never
        carries the user's new state (the tenant does not answer with it). `progress` is called as each part of a
        long call completes; when it returns False, the parts not yet sent are not sent."""
        ...

    def read_users(self, tenant: str, object_ids: Sequence[str]) -> dict[str, RemoteUser | None]:
        """Users as the tenant has them now, by object id or userPrincipalName (None: no such user)."""
        ...
