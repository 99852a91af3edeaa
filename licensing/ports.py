"""What the use cases need from storage. `storage/` implements these; tests/fakes.py fakes them in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol, Self

from licensing.alert_types import AlertState, AlertWatch
from licensing.model import Customer, Operator, Product, Purchase, ScheduledChange, Subscription, User
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.results import AuditEntry, AuditQuery, AuditRecord, BatchResult
from licensing.tenants import Operation, OperationResult, PendingBatch, RemoteSku, RemoteUser, Tenant, TenantSnapshot


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

    def page(
        self,
        query: AuditQuery,
        *,
        before: tuple[datetime, int] | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int,
    ) -> list[AuditRecord]:
        """Up to `limit` lines newest first, by (at, id) descending: those just older than `before`, or with `after`
        those just newer than it (still newest first), or else the newest."""
        ...

    def export(self, query: AuditQuery, *, chunk: int) -> Iterator[AuditRecord]:
        """Every matching line oldest first, by (at, id); holds at most about `chunk` rows in memory at a time."""
        ...


class PurchaseRequests(Protocol):
    def add(
        self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime, note: str | None = None
    ) -> int:
        """Records a request for more licenses; returns its number."""
        ...

    def get(self, request_id: int) -> Purchase | None: ...

    def set_thread(self, request_id: int, outbox_id: int) -> None:
        """Records the outbox thread the request is posted in (its decision is told there)."""
        ...

    def decide(
        self, request_id: int, *, status: str, by: str, at: datetime, reason: str | None = None,
        target: int | None = None, message: tuple[str, str] | None = None,
    ) -> bool:  # fmt: skip
        """Approve or decline a request still 'requested' (a guarded update); False when it was decided already, by
        this transaction's rival or earlier. `message` is the (channel, ts) of the posted request decided on."""
        ...

    def approved_for(self, customer_id: str) -> list[Purchase]:
        """The customer's approved requests not yet fulfilled, oldest first."""
        ...

    def pending(self, only: frozenset[str] | None, *, limit: int) -> list[Purchase]:
        """Up to `limit` requests still requested or approved (not declined, not fulfilled) of the customers named
        (None: of every customer), oldest first."""
        ...

    def fulfil(self, request_ids: Sequence[int]) -> None:
        """Mark approved requests fulfilled (the tenant has the quantity approved)."""
        ...


class ScheduledChanges(Protocol):
    """Changes to run later (licensing/schedule.py): pending until due, then claimed by one replica with a lease."""

    def add(self, change: ScheduledChange) -> int:
        """Records a pending change (its id and status are ignored); returns its id."""
        ...

    def get(self, change_id: int) -> ScheduledChange | None: ...

    def by_key(self, key: str) -> list[ScheduledChange]:
        """The changes a save with this idempotency key scheduled (their `key` starts with it), by id."""
        ...

    def set_thread(self, change_ids: Sequence[int], outbox_id: int) -> None: ...

    def claim_due(self, *, now: datetime, holder: str, until: datetime, limit: int) -> list[ScheduledChange]:
        """Up to `limit` changes pending with `run_at` <= `now`, or running with a lease that ended before `now`,
        by run_at then id: marked running, held by `holder` until `until`. Rivals never claim the same change."""
        ...

    def finish(self, change_id: int, *, holder: str, status: str, outcome: str, at: datetime) -> bool:
        """Record the run's outcome if `holder` still holds the running change; False if another took it over."""
        ...

    def cancel(self, change_id: int, *, by: str, at: datetime) -> bool:
        """Cancel a change still pending (a guarded update); False when it ran, runs or was cancelled already."""
        ...

    def pending(self, only: frozenset[str] | None, *, offset: int, limit: int) -> tuple[list[ScheduledChange], int]:
        """A page of the pending changes of the customers named (None: every customer) by run_at then id, and how
        many there are."""
        ...


class Outbox(Protocol):
    def add_thread(self, thread: OutgoingThread) -> int:
        """Queues a parent message and its replies for delivery; returns the parent's outbox id."""
        ...

    def add_reply(self, reply: OutgoingReply) -> int:
        """Queues a reply at the end of a thread queued earlier (sent or not); returns its outbox id. If that thread
        can never be posted (its parent is dead or gone), the reply goes by itself to the thread's fallback user."""
        ...


class LicenseAlerts(Protocol):
    """Each subscription's alert state (licensing/alerts.py), and how alerts are set up for this process."""

    @property
    def watch(self) -> AlertWatch | None:
        """The alert settings (None: alerts are off, e.g. a unit of work built without them)."""
        ...

    def for_customer(self, customer_id: str) -> dict[str, AlertState]:
        """The customer's alert states, by sku."""
        ...

    def for_customers(self, only: frozenset[str] | None) -> list[AlertState]:
        """The alert states of the customers named (None: of every customer), by customer then sku, in one read."""
        ...

    def save(self, state: AlertState) -> None:
        """Create or replace the state of (customer_id, sku)."""
        ...

    def clear(self, customer_id: str, sku: str) -> None: ...

    def due(self, now: datetime) -> list[AlertState]:
        """States whose next reminder is at or before `now`, by customer then sku."""
        ...

    def claim_reminder(self, customer_id: str, sku: str, *, now: datetime, next_at: datetime) -> bool:
        """A guarded update: moves a reminder still due at `now` on to `next_at` (and records `now` as the last one);
        False when it was not due (another replica claimed it first)."""
        ...


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
        self, customer_id: str, users: Sequence[User], *, object_ids: dict[str, str], complete: bool,
        stamp: int | None = None, fence: int | None = None,
    ) -> int:  # fmt: skip
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
    @property
    def tenants(self) -> TenantMirror: ...
    @property
    def remote(self) -> RemoteBatches: ...
    @property
    def alerts(self) -> LicenseAlerts: ...
    @property
    def scheduled(self) -> ScheduledChanges: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
