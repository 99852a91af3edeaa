"""Saving for a connected customer: the tenant decides, and no transaction is held while it does.

Before deciding, `read_fresh` reads the selected users and the seats from the tenant (no transaction open): a save
plans against what the tenant holds now, never against a stale mirror, so it re-adds nothing a user already holds
(Graph would replace that license's disabled plans) and counts seats as the tenant does. T1 (in service.apply,
under the customer's lock) writes that read into the mirror, decides with the usual rules and records the intent:
the per-user operations and the idempotency key, held by this process under a lease, renewed as each part of the
call completes. The tenant is then called with no transaction open. Graph answers a change without the user's new
state, so the mirror records the state read before plus the change applied, or the user read back when the answer
was a refusal or none at all (a retried write may have landed already). T2, short, records each outcome, the
mirror's users and seats, the audit and the confirmation. A process that dies between the two leaves its batch
behind; once the lease ends, `reconcile` reads those users back from the tenant, records what really happened, and
says so in the confirmation. Reading users back and recording the outcome (T2) are in `outcomes`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from licensing.audit import FollowUp
from licensing.connected import outcomes
from licensing.connected.outcomes import OutcomeUnknown
from licensing.connected.sync import generation, write_seats, write_users, written_since
from licensing.errors import LicensingError
from licensing.model import Change, Customer, User
from licensing.notifications import OutgoingThread
from licensing.ports import TenantProvider, UnitOfWork
from licensing.results import BatchResult, ErrorCode, Status, UserOutcome
from licensing.services import disabled_lists
from licensing.tenants import (
    Operation,
    OperationResult,
    OperationStatus,
    PendingBatch,
    ProviderError,
    RemoteSku,
    RemoteUser,
    Tenant,
)
from licensing.types import Clock, utcnow

log = logging.getLogger("licensebot.remote")

# Renewed as each $batch of a save completes, so it need only outlast one $batch waiting out throttling (the client
# gives up after 2 minutes), with room to spare; a process that stops renewing it has died or hung.
LEASE = timedelta(minutes=10)


class Render(Protocol):
    """The confirmation for a save reconciled in another process than the one it was asked in."""

    def __call__(self, result: BatchResult, *, reply_to: Mapping[str, Any]) -> OutgoingThread | None: ...


INTERRUPTED = (
    "licensebot stopped while this save was with Microsoft 365; each user was read back from the tenant and the "
    "results below are what it holds now."
)


class TenantUnreadable(LicensingError):
    """The users could not be read from the tenant before the save: nothing was decided, nothing changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.user_message = f"{reason} Nothing was changed; try again in a few minutes."


@dataclass(frozen=True)
class Fresh:
    """The seats and the selected users as the tenant held them just before a save decided."""

    generation: int  # the mirror's generation before the read: users a save wrote since are newer than this read
    skus: tuple[RemoteSku, ...]
    users: dict[str, RemoteUser | None]  # by the id the save named; None: the tenant has no such user


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def read_fresh(change: Change, tenant: Tenant, *, provider: TenantProvider, uow: UnitOfWork) -> Fresh:
    """Reads the seats and the change's users from the tenant (no transaction open while it does)."""
    with uow:
        read_at = generation(change.customer_id, uow)
        ids = uow.mirror.object_ids(change.customer_id, change.user_ids)
    # Users the mirror does not know are looked up by userPrincipalName: one created since the last sync is found.
    keys = {uid: ids.get(uid, uid) for uid in change.user_ids if uid in ids or "@" in uid}
    try:
        skus = provider.skus(tenant.tenant_id)
        found = provider.read_users(tenant.tenant_id, list(dict.fromkeys(keys.values())))
    except ProviderError as e:
        raise TenantUnreadable(f"licensebot could not read these users from Microsoft 365: {e.message}") from None
    return Fresh(read_at, skus, {uid: found.get(key) for uid, key in keys.items()})


def write_fresh(customer_id: str, fresh: Fresh, uow: UnitOfWork) -> None:
    """T1's first writes, under the customer's lock: the mirror takes what the tenant was just read to hold."""
    current = not written_since(customer_id, fresh.generation, uow)  # else a save since wrote newer seats
    if current:
        write_seats(customer_id, fresh.skus, uow)
    uow.mirror.remove_users(customer_id, [uid for uid, user in fresh.users.items() if user is None])
    present = [user for user in fresh.users.values() if user is not None]
    write_users(
        customer_id,
        fresh.skus if current else (),
        present,
        uow,
        complete=False,
        stamp=uow.mirror.bump(customer_id),
        fence=fresh.generation,
    )


def record_intent(
    change: Change,
    customer: Customer,
    tenant: Tenant,
    decided: Sequence[UserOutcome],
    *,
    actor: str,
    key: str | None,
    batch_id: str,
    clock: Clock,
    reply_to: Mapping[str, Any],
    uow: UnitOfWork,
) -> PendingBatch:
    """T1's writes, in the caller's transaction: the batch, held by this process for LEASE."""
    updated = [o for o in decided if o.status is Status.UPDATED]
    ids = uow.mirror.object_ids(customer.id, [o.user_id for o in updated])
    # The users as `write_fresh` just wrote them from the tenant's fresh read: their disabled lists are the tenant's.
    users = uow.users.get_many(customer.id, [o.user_id for o in updated if o.services])
    ops = tuple(_operation(o, ids.get(o.user_id, o.user_id), users.get(o.user_id)) for o in updated)
    now = clock()
    batch = PendingBatch(
        batch_id,
        customer.id,
        tenant.tenant_id,
        actor,
        now,
        key,
        change.fingerprint(),
        change,
        tuple(decided),
        ops,
        dict(reply_to),
    )
    uow.remote.add(batch, holder=holder_name(), lease_until=now + LEASE)
    return batch


def _operation(outcome: UserOutcome, object_id: str, user: User | None) -> Operation:
    """One user's change for the tenant; a product whose services change is sent (again) with its whole new list."""
    lists = disabled_lists(user, outcome.services) if user is not None else {}
    disabled = {sku: tuple(sorted(plans)) for sku, plans in sorted(lists.items())}
    add = tuple(sorted({*outcome.assigned, *disabled}))
    return Operation(outcome.user_id, object_id, add, outcome.revoked, outcome.location, disabled)


def execute(
    batch: PendingBatch,
    *,
    provider: TenantProvider,
    uow: UnitOfWork,
    notify: Callable[[BatchResult], Any] | None,
    clock: Clock = utcnow,
    follow_up: FollowUp | None = None,
    before: Mapping[str, RemoteUser | None] | None = None,
) -> BatchResult:
    """Calls the tenant for a batch this process holds, then records the outcome (T2). `before`: the users as read
    just before the save decided (read_fresh), from which the mirror learns their state after the change."""
    me = holder_name()
    renew = _renewer(batch, uow, me, clock)
    try:
        results = provider.apply(batch.tenant_id, batch.operations, renew)
    except ProviderError as e:
        if e.sent:  # some users may have changed: only reading them back can tell
            results = outcomes.read_back(batch, provider, batch.operations)
        else:
            results = [_failed_whole(op, e) for op in batch.operations]
    # Reading back and retrying the unsure ones can take a while too; and a process that lost the batch to another
    # (which reads the users back and records them) must send nothing more.
    if not renew():
        raise OutcomeUnknown()
    results = outcomes.settle(batch, provider, results)
    done = outcomes.record(
        batch,
        results,
        _seats(provider, batch.tenant_id),
        uow=uow,
        holder=me,
        notify=notify,
        clock=clock,
        note=None,
        follow_up=follow_up,
        before=before or {},
    )
    if done is None:  # our lease ran out and another process recorded it: theirs is the result
        raise OutcomeUnknown()
    return done


def reconcile(
    *, provider: TenantProvider, uow: UnitOfWork, render: Render | None, clock: Clock = utcnow, me: str | None = None
) -> list[str]:
    """Finishes every batch whose process died mid-save: reads its users back and records what the tenant holds.
    `me` names this process as a lease holder (default: host and pid)."""
    with uow:
        expired = uow.remote.expired(clock())
    finished = []
    me = me or holder_name()
    for batch_id in expired:
        with uow:
            now = clock()
            batch = uow.remote.claim(batch_id, holder=me, now=now, lease_until=now + LEASE)
            uow.commit()
        if batch is None:
            continue
        try:
            results = outcomes.read_back(batch, provider, batch.operations)
        except OutcomeUnknown:
            log.warning("batch=%s could not be read back from %s; will try again", batch.id, batch.tenant_id)
            continue
        notify = partial(render, reply_to=batch.reply_to) if render else None
        if outcomes.record(
            batch,
            results,
            _seats(provider, batch.tenant_id),
            uow=uow,
            holder=me,
            notify=notify,
            clock=clock,
            note=INTERRUPTED,
        ):
            log.info("batch=%s customer=%s reconciled from the tenant", batch.id, batch.customer_id)
            finished.append(batch.id)
    return finished


def _renewer(batch: PendingBatch, uow: UnitOfWork, holder: str, clock: Clock) -> Callable[[], bool]:
    """Renews the lease as each part of the call completes, so a long save is never reconciled while it runs; False
    once another process has taken the batch over (this one then sends nothing more)."""
    lock = threading.Lock()  # parts complete on the client's threads; the unit of work is one at a time

    def renew() -> bool:
        with lock, uow:
            kept = uow.remote.renew(batch.id, holder=holder, until=clock() + LEASE)
            uow.commit()
        if not kept:
            log.warning("batch=%s was taken over by another process; sending no more of it", batch.id)
        return kept

    return renew


def _seats(provider: TenantProvider, tenant: str) -> Sequence[RemoteSku] | None:
    """The counts after the change, in one more read; without them the mirror's counts wait for the next sync."""
    try:
        return provider.skus(tenant)
    except ProviderError as e:
        log.warning("could not read the seats of %s after a save: %s", tenant, e.message)
        return None


def _failed_whole(op: Operation, e: ProviderError) -> OperationResult:
    code = ErrorCode.PROVIDER_UNAVAILABLE if e.unavailable else ErrorCode.PROVIDER_ERROR
    return OperationResult(op.user_id, OperationStatus.FAILED, code=code, message=e.message)
