"""An in-memory unit of work that implements licensing.ports, for fast use-case tests.

It behaves as storage/ does, down to what the database refuses: tests/contract runs the same tests against both.
Where SQL raises sqlalchemy's StatementError (an IntegrityError for a broken constraint), the fake raises `Refused`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

from licensing.alert_types import AlertState, AlertWatch
from licensing.model import Customer, Operator, Product, Purchase, PurchaseStatus, ScheduledChange, Subscription, User
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.partner import Order
from licensing.results import AuditEntry, AuditQuery, AuditRecord, BatchResult
from licensing.tenants import PendingBatch, Tenant
from tests.fake_orders import FakePartnerOrders
from tests.fake_scheduled import FakeScheduledChanges

K = TypeVar("K")
V = TypeVar("V")


class Refused(Exception):
    """A write the database would refuse: a missing row a foreign key needs, a duplicate key, a CHECK."""


@dataclass
class State:
    products: dict[str, Product] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    users: dict[tuple[str, str], User] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    # batch id -> (idempotency key, fingerprint, the result as stored: its dict)
    batches: dict[str, tuple[str | None, str, dict[str, Any]]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)  # request n is purchases[n - 1]
    orders: dict[int, Order] = field(default_factory=dict)  # by purchase id
    outbox: list[OutgoingThread] = field(default_factory=list)
    tenants: dict[str, Tenant] = field(default_factory=dict)
    object_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    generations: dict[tuple[str, str], int] = field(default_factory=dict)  # the generation a save wrote a user at
    remote: dict[str, tuple[PendingBatch, str, datetime]] = field(default_factory=dict)  # id -> (batch, holder, until)
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    alerts: dict[tuple[str, str], AlertState] = field(default_factory=dict)
    scheduled: list[ScheduledChange] = field(default_factory=list)  # change n is scheduled[n - 1]

    def copy(self) -> State:
        return State(**{f.name: copy(getattr(self, f.name)) for f in fields(self)})

    def publish(self, work: State) -> None:
        """Become a copy of `work`, in place, so every unit of work sharing this state sees the commit."""
        fresh = work.copy()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))


class _Txn:
    """One transaction's working copy, and whether a statement has run in it yet (a lock must come first)."""

    def __init__(self, committed: State) -> None:
        self.work = committed.copy()
        self.begun = False

    def use(self) -> State:
        self.begun = True
        return self.work


def _upsert(table: dict[K, V], rows: dict[K, V]) -> int:
    """Create or replace each row; how many were new or different. One row per key: the last given wins."""
    changed = sum(table.get(k) != v for k, v in rows.items())
    table.update(rows)
    return changed


def _utc(at: datetime) -> datetime:
    """An instant as storage keeps it: refused without a timezone, read back in UTC."""
    if at.tzinfo is None:
        raise Refused("Refusing a naive datetime: say which timezone it is in.")
    return at.astimezone(UTC)


class FakeCustomers:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get(self, customer_id: str) -> Customer | None:
        return self.t.use().customers.get(customer_id)

    def lock(self, customer_id: str) -> Customer | None:
        self._first()
        return self.get(customer_id)

    def lock_all(self) -> None:
        self._first()
        self.t.use()

    def search(self, query: str, *, only: frozenset[str] | None, limit: int) -> list[Customer]:
        q = query.casefold()
        found = [
            c
            for c in self.t.use().customers.values()
            if (only is None or c.id in only) and (q in c.id.casefold() or q in c.name.casefold())
        ]
        return sorted(found, key=lambda c: (c.name.casefold(), c.id))[:limit]

    def all_ids(self) -> list[str]:
        return sorted(self.t.use().customers)

    def upsert(self, customers: Sequence[Customer]) -> int:
        return _upsert(self.t.use().customers, {c.id: c for c in customers})

    def _first(self) -> None:
        if self.t.begun:
            raise RuntimeError("Customer locks must be taken by the first statement of a write transaction.")


class FakeProducts:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        products = self.t.use().products
        return {k: p for k in skus if (p := products.get(k))}

    def all(self) -> dict[str, Product]:
        return dict(self.t.use().products)

    def upsert(self, products: Sequence[Product]) -> int:
        return _upsert(self.t.use().products, {p.sku: p for p in products})


class FakeSubscriptions:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def for_customer(self, customer_id: str) -> dict[str, Subscription]:
        subs = self.t.use().subscriptions
        return {sku: sub for (cid, sku), sub in subs.items() if cid == customer_id}

    def for_customers(self, only: frozenset[str] | None) -> list[Subscription]:
        subs = self.t.use().subscriptions
        return [subs[k] for k in sorted(subs) if only is None or k[0] in only]

    def upsert(self, subscriptions: Sequence[Subscription]) -> int:
        s = self.t.use()
        rows: dict[tuple[str, str], Subscription] = {}
        for sub in subscriptions:
            if sub.customer_id not in s.customers or sub.sku not in s.products:
                raise Refused(f"No customer {sub.customer_id} or product {sub.sku} for a subscription")
            if sub.quantity < 0:
                raise Refused(f"A negative quantity of {sub.sku}")
            old = s.subscriptions.get((sub.customer_id, sub.sku))
            # The counter and the flag are never taken from the input; a lowered quantity caps a local counter, as
            # storage does (a mirrored one is the tenant's, kept as it is).
            if old is None:
                rows[(sub.customer_id, sub.sku)] = replace(sub, assigned=0, mirrored=False)
            else:
                kept = old.assigned if old.mirrored else min(old.assigned, sub.quantity)
                rows[(sub.customer_id, sub.sku)] = replace(sub, assigned=kept, mirrored=old.mirrored)
        return _upsert(s.subscriptions, rows)

    def recount(self, customer_ids: Iterable[str]) -> None:
        s = self.t.use()
        held = Counter((cid, sku) for (cid, _), u in s.users.items() for sku in u.licenses)
        for cid in set(customer_ids):
            for sku, sub in self.for_customer(cid).items():
                if not sub.mirrored:  # a mirrored counter is the tenant's, not a count of the mirror's licenses
                    s.subscriptions[(cid, sku)] = replace(sub, assigned=min(held[(cid, sku)], sub.quantity))


class FakeUsers:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get_many(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, User]:
        users = self.t.use().users
        return {uid: u for uid in user_ids if (u := users.get((customer_id, uid)))}

    def page(self, customer_id: str, *, query: str, offset: int, limit: int) -> tuple[list[User], int]:
        q = query.casefold()
        found = sorted(
            (
                u
                for (cid, _), u in self.t.use().users.items()
                if cid == customer_id and (q in u.name.casefold() or q in u.id.casefold())
            ),
            key=lambda u: u.sort_key,
        )
        offset, limit = max(0, offset), max(0, limit)
        return found[offset : offset + limit], len(found)

    def all_for_customer(self, customer_id: str) -> Iterator[User]:
        return iter([u for (cid, _), u in sorted(self.t.use().users.items()) if cid == customer_id])

    def set_location(self, customer_id: str, user_ids: Sequence[str], country: str) -> None:
        users = self.t.use().users
        for uid in user_ids:
            if user := users.get((customer_id, uid)):  # like an UPDATE: an unknown id matches no row
                users[(customer_id, uid)] = replace(user, location=country)

    def change_licenses(
        self, customer_id: str, grants: Sequence[tuple[str, str]], removals: Sequence[tuple[str, str]]
    ) -> None:
        s = self.t.use()
        grants, removals = list(dict.fromkeys(grants)), list(dict.fromkeys(removals))
        licenses = {uid: set(u.licenses) for (cid, uid), u in s.users.items() if cid == customer_id}
        held = [(uid, sku) for uid, sku in removals if sku in licenses.get(uid, ())]
        if len(held) != len(removals):
            raise RuntimeError(f"Asked to remove {len(removals)} licenses of {customer_id}, but {len(held)} were held.")
        for uid, sku in removals:
            licenses[uid].discard(sku)
        for uid, sku in grants:
            if uid not in licenses or (customer_id, sku) not in s.subscriptions:
                raise Refused(f"No user {uid} or subscription of {sku} in {customer_id}")
            if sku in licenses[uid]:
                raise Refused(f"{uid} already holds {sku}")
            licenses[uid].add(sku)
        deltas: Counter[str] = Counter(sku for _, sku in grants)
        deltas.subtract(sku for _, sku in removals)
        for sku, delta in deltas.items():
            sub = s.subscriptions[(customer_id, sku)]
            after = sub.assigned + delta  # the database's CHECK constraints (a mirrored counter may exceed it)
            if after < 0 or (after > sub.quantity and not sub.mirrored):
                raise Refused(f"The seat counter of {sku} would leave 0..{sub.quantity}")
        for sku, delta in deltas.items():
            sub = s.subscriptions[(customer_id, sku)]
            s.subscriptions[(customer_id, sku)] = replace(sub, assigned=sub.assigned + delta)
        for uid in {uid for uid, _ in (*grants, *removals)}:
            user = s.users[(customer_id, uid)]
            # A license removed takes its disabled service plans with it, as its row does in the database.
            disabled = {sku: p for sku, p in user.disabled_plans.items() if sku in licenses[uid]}
            s.users[(customer_id, uid)] = replace(user, licenses=frozenset(licenses[uid]), disabled_plans=disabled)

    def set_disabled_plans(self, customer_id: str, lists: Sequence[tuple[str, str, frozenset[str]]]) -> None:
        s = self.t.use()
        for uid, sku, plans in lists:
            user = s.users.get((customer_id, uid))
            if user is None or sku not in user.licenses:
                continue  # as the database's UPDATE matches no row
            disabled = {k: v for k, v in user.disabled_plans.items() if k != sku} | ({sku: plans} if plans else {})
            s.users[(customer_id, uid)] = replace(user, disabled_plans=disabled)

    def upsert(self, users: Sequence[User]) -> int:
        s = self.t.use()
        for u in users:
            if u.customer_id not in s.customers:
                raise Refused(f"No customer {u.customer_id} for user {u.id}")
            if missing := sorted(sku for sku in u.licenses if (u.customer_id, sku) not in s.subscriptions):
                raise Refused(f"{u.customer_id} has no subscription of {', '.join(missing)} for {u.id}")
        return _upsert(s.users, {(u.customer_id, u.id): u for u in users})


class FakeOperators:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get(self, slack_user_id: str) -> Operator | None:
        return self.t.use().operators.get(slack_user_id)

    def upsert(self, operators: Sequence[Operator]) -> int:
        return _upsert(self.t.use().operators, {o.slack_user_id: o for o in operators})


class FakeBatches:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get_by_key(self, key: str) -> tuple[str, BatchResult] | None:
        for k, fingerprint, result in self.t.use().batches.values():
            if k == key:
                return fingerprint, BatchResult.from_dict(result)
        return None

    def add(self, result: BatchResult, *, key: str | None, fingerprint: str) -> None:
        s = self.t.use()
        if result.batch_id is None:
            raise ValueError("A dry run has no batch id and is not recorded.")
        if result.batch_id in s.batches or (key is not None and any(k == key for k, _, _ in s.batches.values())):
            raise Refused(f"A batch with id {result.batch_id} or idempotency key {key} is already recorded")
        if result.customer_id not in s.customers:
            raise Refused(f"No customer {result.customer_id} for batch {result.batch_id}")
        if result.created_at is not None:
            _utc(result.created_at)
        s.batches[result.batch_id] = (key, fingerprint, result.to_dict())  # stored as JSON is, read back the same


class FakeAudit:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def append(self, entries: Sequence[AuditEntry]) -> None:
        self.t.use().audit.extend(replace(e, at=_utc(e.at)) for e in entries)

    def for_batch(self, batch_id: str) -> list[AuditEntry]:
        return [e for e in self.t.use().audit if e.batch_id == batch_id]

    def page(
        self,
        query: AuditQuery,
        *,
        before: tuple[datetime, int] | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int,
    ) -> list[AuditRecord]:
        rows = self._matching(query)
        if after is not None:
            return [r for r in rows if r.key > after][:limit][::-1]
        return [r for r in reversed(rows) if before is None or r.key < before][:limit]

    def export(self, query: AuditQuery, *, chunk: int) -> Iterator[AuditRecord]:
        yield from self._matching(query)

    def _matching(self, query: AuditQuery) -> list[AuditRecord]:
        """Matching lines in (at, id) order; ids count from 1 in the order appended, as SQL's do."""
        rows = [AuditRecord(i, e) for i, e in enumerate(self.t.use().audit, start=1)]
        return sorted(
            (
                r
                for r in rows
                if (query.customers is None or r.entry.customer_id in query.customers)
                and (query.user_id is None or r.entry.user_id == query.user_id)
                and (query.since is None or r.entry.at >= query.since)
                and (query.until is None or r.entry.at < query.until)
            ),
            key=lambda r: r.key,
        )


class FakePurchases:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def add(
        self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime, note: str | None = None
    ) -> int:
        s = self.t.use()
        if customer_id not in s.customers or sku not in s.products:
            raise Refused(f"No customer {customer_id} or product {sku} for a purchase request")
        s.purchases.append(Purchase(len(s.purchases) + 1, customer_id, sku, quantity, operator, _utc(at), note))
        return len(s.purchases)

    def get(self, request_id: int) -> Purchase | None:
        s = self.t.use()
        return s.purchases[request_id - 1] if 1 <= request_id <= len(s.purchases) else None

    def decide(
        self,
        request_id: int,
        *,
        status: str,
        by: str,
        at: datetime,
        reason: str | None = None,
        target: int | None = None,
        message: tuple[str, str] | None = None,
    ) -> bool:
        p = self.get(request_id)
        if p is None or p.status is not PurchaseStatus.REQUESTED:
            return False
        channel, ts = message or (None, None)
        self.t.use().purchases[request_id - 1] = replace(
            p,
            status=PurchaseStatus(status),
            decided_by=by,
            decided_at=_utc(at),
            reason=reason,
            target=target,
            message_channel=channel,
            message_ts=ts,
        )
        return True

    def reopen(self, request_id: int) -> bool:
        p = self.get(request_id)
        if p is None or p.status is not PurchaseStatus.APPROVED:
            return False
        self.t.use().purchases[request_id - 1] = replace(
            p,
            status=PurchaseStatus.REQUESTED,
            decided_by=None,
            decided_at=None,
            target=None,
            message_channel=None,
            message_ts=None,
        )
        return True

    def approved_for(self, customer_id: str) -> list[Purchase]:
        return [
            p for p in self.t.use().purchases if p.customer_id == customer_id and p.status is PurchaseStatus.APPROVED
        ]

    def pending(self, only: frozenset[str] | None, *, limit: int) -> list[Purchase]:
        waiting = PurchaseStatus.REQUESTED
        found = [p for p in self.t.use().purchases if p.status is waiting and (only is None or p.customer_id in only)]
        return sorted(found, key=lambda p: (p.at, p.id))[:limit]

    def set_thread(self, request_id: int, outbox_id: int) -> None:
        s = self.t.use()
        if (p := self.get(request_id)) is not None:
            s.purchases[request_id - 1] = replace(p, thread=outbox_id)

    def fulfil(self, request_ids: Sequence[int]) -> None:
        s = self.t.use()
        for i in request_ids:
            if (p := self.get(i)) is not None and p.status is PurchaseStatus.APPROVED:
                s.purchases[i - 1] = replace(p, status=PurchaseStatus.FULFILLED)


class FakeOutbox:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def add_thread(self, thread: OutgoingThread) -> int:
        s = self.t.use()
        s.outbox.append(thread)
        return len(s.outbox)

    def add_reply(self, reply: OutgoingReply) -> int:
        """Appended to its thread (thread n is outbox[n - 1]); its id is one no thread will have."""
        s = self.t.use()
        if not 1 <= reply.parent <= len(s.outbox):
            raise LookupError(f"no outbox thread {reply.parent} to reply to")
        parent = s.outbox[reply.parent - 1]
        s.outbox[reply.parent - 1] = replace(parent, replies=(*parent.replies, reply.payload))
        return -sum(len(t.replies) for t in s.outbox)


class FakeTenants:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def get(self, customer_id: str) -> Tenant | None:
        return self.t.use().tenants.get(customer_id)

    def all(self) -> list[Tenant]:
        return [t for _, t in sorted(self.t.use().tenants.items())]

    def upsert(self, tenants: Sequence[Tenant]) -> int:
        s = self.t.use()
        rows: dict[str, Tenant] = {}
        for t in tenants:
            if t.customer_id not in s.customers:
                raise Refused(f"No customer {t.customer_id} for a tenant")
            old = s.tenants.get(t.customer_id)
            rows[t.customer_id] = replace(old, tenant_id=t.tenant_id) if old else Tenant(t.customer_id, t.tenant_id)
        return _upsert(s.tenants, rows)

    def mark_synced(self, customer_id: str, at: datetime, *, users: bool) -> None:
        s = self.t.use()
        if old := s.tenants.get(customer_id):
            at = _utc(at)
            s.tenants[customer_id] = replace(old, seats_at=at, synced_at=at if users else old.synced_at)

    def set_seats(self, customer_id: str, subscriptions: Sequence[Subscription]) -> int:
        s = self.t.use()
        wanted = {
            sub.sku: replace(sub, alert_below=None, mirrored=True) for sub in subscriptions
        }  # exactly, overuse too
        stored = {sku: sub for (cid, sku), sub in s.subscriptions.items() if cid == customer_id}
        gone = stored.keys() - wanted.keys()
        for (cid, uid), user in list(s.users.items()):
            if cid == customer_id and user.licenses & gone:
                s.users[(cid, uid)] = replace(
                    user, licenses=user.licenses - gone, group_licenses=user.group_licenses - gone
                )
        for sku in gone:
            del s.subscriptions[(customer_id, sku)]
        changed = 0
        for sku, sub in wanted.items():
            if sku not in s.products:
                raise Refused(f"No product {sku} for a subscription")
            old = stored.get(sku)
            sub = replace(sub, alert_below=old.alert_below) if old else sub
            changed += old is None or (old.quantity, old.assigned, old.mirrored, old.plans or ()) != (
                sub.quantity,
                sub.assigned,
                True,
                sub.plans or (),
            )
            s.subscriptions[(customer_id, sku)] = sub
        return len(gone) + changed

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
        s = self.t.use()
        newer = {
            uid for (cid, uid), n in s.generations.items() if cid == customer_id and fence is not None and n > fence
        }
        users = [u for u in users if u.id not in newer]
        touched = FakeUsers(self.t).upsert(users)
        for uid, oid in object_ids.items():
            if (customer_id, uid) in s.users and uid not in newer:
                s.object_ids[(customer_id, uid)] = oid
        if stamp is not None:
            s.generations |= {(customer_id, u.id): stamp for u in users}
        removed = 0
        if complete:
            keep = {u.id for u in users} | newer
            removed = self.remove_users(
                customer_id, [uid for cid, uid in s.users if cid == customer_id and uid not in keep]
            )
        return touched + removed

    def remove_users(self, customer_id: str, user_ids: Sequence[str]) -> int:
        s = self.t.use()
        removed = 0
        for uid in dict.fromkeys(user_ids):
            if s.users.pop((customer_id, uid), None) is not None:
                removed += 1
            s.object_ids.pop((customer_id, uid), None)
            s.generations.pop((customer_id, uid), None)
        return removed

    def bump(self, customer_id: str) -> int:
        s = self.t.use()
        old = s.tenants[customer_id]
        s.tenants[customer_id] = replace(old, generation=old.generation + 1)
        return old.generation + 1

    def object_ids(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        ids = self.t.use().object_ids
        return {uid: oid for uid in user_ids if (oid := ids.get((customer_id, uid)))}

    def take_lease(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        leases = self.t.use().leases
        current = leases.get(name)
        if current is not None and current[0] != holder and current[1] > _utc(now):
            return False
        leases[name] = (holder, _utc(until))
        return True


class FakeRemoteBatches:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def add(self, batch: PendingBatch, *, holder: str, lease_until: datetime) -> None:
        s = self.t.use()
        if batch.id in s.remote or (batch.key and any(b.key == batch.key for b, _, _ in s.remote.values())):
            raise Refused(f"A connected batch with id {batch.id} or key {batch.key} is already recorded")
        if batch.customer_id not in s.customers:
            raise Refused(f"No customer {batch.customer_id} for batch {batch.id}")
        s.remote[batch.id] = (_stored(batch), holder, _utc(lease_until))

    def get_by_key(self, key: str) -> PendingBatch | None:
        return next((b for b, _, _ in self.t.use().remote.values() if b.key == key), None)

    def claim(self, batch_id: str, *, holder: str, now: datetime, lease_until: datetime) -> PendingBatch | None:
        s = self.t.use()
        found = s.remote.get(batch_id)
        if found is None or found[2] >= _utc(now):
            return None
        s.remote[batch_id] = (found[0], holder, _utc(lease_until))
        return found[0]

    def expired(self, now: datetime) -> list[str]:
        s = self.t.use()
        due = [(b.created_at, b.id) for b, _, until in s.remote.values() if until < _utc(now)]
        return [bid for _, bid in sorted(due)]

    def renew(self, batch_id: str, *, holder: str, until: datetime) -> bool:
        s = self.t.use()
        found = s.remote.get(batch_id)
        if found is None or found[1] != holder:
            return False
        s.remote[batch_id] = (found[0], holder, _utc(until))
        return True

    def finish(self, batch_id: str, *, holder: str) -> bool:
        s = self.t.use()
        found = s.remote.get(batch_id)
        if found is None or found[1] != holder:
            return False
        del s.remote[batch_id]
        return True


def _stored(batch: PendingBatch) -> PendingBatch:
    """The batch as storage reads it back: through its JSON."""
    b = batch
    return PendingBatch.from_dict(
        b.to_dict(),
        id=b.id,
        customer_id=b.customer_id,
        tenant_id=b.tenant_id,
        operator=b.operator,
        created_at=_utc(b.created_at),
        key=b.key,
        fingerprint=b.fingerprint,
    )


class FakeLicenseAlerts:
    def __init__(self, t: _Txn, watch: AlertWatch | None) -> None:
        self.t = t
        self._watch = watch

    @property
    def watch(self) -> AlertWatch | None:
        return self._watch

    def for_customer(self, customer_id: str) -> dict[str, AlertState]:
        return {sku: a for (cid, sku), a in sorted(self.t.use().alerts.items()) if cid == customer_id}

    def for_customers(self, only: frozenset[str] | None) -> list[AlertState]:
        return [a for (cid, _), a in sorted(self.t.use().alerts.items()) if only is None or cid in only]

    def save(self, state: AlertState) -> None:
        s = self.t.use()
        if state.customer_id not in s.customers or state.sku not in s.products:
            raise Refused(f"No customer {state.customer_id} or product {state.sku} for an alert")
        s.alerts[(state.customer_id, state.sku)] = replace(
            state,
            since=_utc(state.since),
            next_reminder_at=_utc(state.next_reminder_at),
            last_reminded_at=_utc(state.last_reminded_at) if state.last_reminded_at else None,
        )

    def clear(self, customer_id: str, sku: str) -> None:
        self.t.use().alerts.pop((customer_id, sku), None)

    def due(self, now: datetime) -> list[AlertState]:
        return [a for _, a in sorted(self.t.use().alerts.items()) if a.next_reminder_at <= now]

    def claim_reminder(self, customer_id: str, sku: str, *, now: datetime, next_at: datetime) -> bool:
        s = self.t.use()
        a = s.alerts.get((customer_id, sku))
        if a is None or a.next_reminder_at > now:
            return False
        s.alerts[(customer_id, sku)] = replace(a, next_reminder_at=_utc(next_at), last_reminded_at=_utc(now))
        return True


class FakeUnitOfWork:
    """Works on a copy of the committed state; `commit` publishes it, anything else throws it away.

    Like SqlUnitOfWork: reusable, one `with` block at a time, and units of work given the same `State` share it as
    connections share a database.
    """

    customers: FakeCustomers
    products: FakeProducts
    subscriptions: FakeSubscriptions
    users: FakeUsers
    operators: FakeOperators
    batches: FakeBatches
    audit: FakeAudit
    purchases: FakePurchases
    orders: FakePartnerOrders
    outbox: FakeOutbox
    mirror: FakeTenants
    remote: FakeRemoteBatches
    alerts: FakeLicenseAlerts
    scheduled: FakeScheduledChanges

    def __init__(self, state: State | None = None, *, alerts: AlertWatch | None = None) -> None:
        self.committed_state = state if state is not None else State()
        self.alert_watch = alerts
        self.commits = 0
        self._txn: _Txn | None = None

    def __enter__(self) -> Self:
        if self._txn is not None:
            raise RuntimeError("This unit of work is already in use; nested `with` blocks are not supported.")
        t = self._txn = _Txn(self.committed_state)
        self.customers = FakeCustomers(t)
        self.products = FakeProducts(t)
        self.subscriptions = FakeSubscriptions(t)
        self.users = FakeUsers(t)
        self.operators = FakeOperators(t)
        self.batches = FakeBatches(t)
        self.audit = FakeAudit(t)
        self.purchases = FakePurchases(t)
        self.orders = FakePartnerOrders(t)
        self.outbox = FakeOutbox(t)
        self.mirror = FakeTenants(t)
        self.remote = FakeRemoteBatches(t)
        self.alerts = FakeLicenseAlerts(t, self.alert_watch)
        self.scheduled = FakeScheduledChanges(t)
        return self

    def __exit__(self, *exc: object) -> None:
        self._active()
        self._txn = None

    def commit(self) -> None:
        t = self._active()
        self.committed_state.publish(t.work)
        t.begun = False
        self.commits += 1

    def rollback(self) -> None:
        t = self._active()
        t.work, t.begun = self.committed_state.copy(), False

    def _active(self) -> _Txn:
        if self._txn is None:
            raise RuntimeError("Use the unit of work inside a `with` block.")
        return self._txn

    @property
    def state(self) -> State:
        return self.committed_state
