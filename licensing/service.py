"""Use cases that change licenses. Each takes primitives plus a unit of work, and owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace

from licensing.countries import normalize_country
from licensing.errors import IdempotencyKeyReused, InvalidRequest, UnknownCustomer
from licensing.model import Change, Customer
from licensing.notifications import OutgoingThread
from licensing.planning import decide, save_refusal
from licensing.ports import UnitOfWork
from licensing.results import AuditEntry, BatchResult, Status, UserOutcome
from licensing.types import Clock, Desired, utcnow

MAX_USERS_PER_CHANGE = 10_000
# Renders what a change did into a message thread; runs inside the change's transaction, so the message is queued
# exactly when the change commits.
Notify = Callable[[BatchResult], OutgoingThread | None]


def make_change(
    customer_id: str,
    user_ids: Iterable[str],
    *,
    assign: Iterable[str] = (),
    revoke: Iterable[str] = (),
    location: str | None = None,
) -> Change:
    """Validates the shape of a save: users given, something to do, no product both assigned and revoked, a real
    country code."""
    users = tuple(dict.fromkeys(u.strip() for u in user_ids if u.strip()))
    assign, revoke = set(assign), set(revoke)
    if not users:
        raise InvalidRequest("Select at least one user.")
    if len(users) > MAX_USERS_PER_CHANGE:
        raise InvalidRequest(f"At most {MAX_USERS_PER_CHANGE:,} users can be changed at once.")
    if not assign and not revoke and not location:
        raise InvalidRequest("Nothing to change: choose a product to assign or revoke, or a usage location.")
    if both := sorted(assign & revoke):
        raise InvalidRequest(f"A product cannot be assigned and revoked at once: {', '.join(both)}.")
    desired = {sku: Desired.ASSIGN for sku in assign} | {sku: Desired.REVOKE for sku in revoke}
    country = normalize_country(location) if location else None
    return Change(customer_id=customer_id, user_ids=users, desired=desired, location=country)


def plan(change: Change, *, actor: str, uow: UnitOfWork) -> BatchResult:
    """What `apply` would do now, without writing anything."""
    with uow:
        customer = uow.customers.get(change.customer_id)
        if customer is None:
            raise UnknownCustomer(change.customer_id)
        outcomes = _decide(change, customer, actor, uow)
    return BatchResult(None, customer.id, dry_run=True, results=outcomes, operator=actor)


def apply(
    change: Change,
    *,
    actor: str,
    uow: UnitOfWork,
    idempotency_key: str | None = None,
    clock: Clock = utcnow,
    notify: Notify | None = None,
) -> BatchResult:
    """Saves the change: each user's new usage location and licenses, all or nothing per user, in one transaction
    with its audit batch and (from `notify`) its confirmation; returns every user's outcome.

    A key already used returns the first result and changes nothing (and queues no second message).
    """
    with uow:
        customer = uow.customers.lock(change.customer_id)
        if customer is None:
            raise UnknownCustomer(change.customer_id)
        if idempotency_key and (prior := _replay(idempotency_key, change, uow)):
            return prior
        outcomes = _decide(change, customer, actor, uow)
        done = [o for o in outcomes if o.status is Status.UPDATED]
        if change.location:
            uow.users.set_location(customer.id, [o.user_id for o in done if o.location], change.location)
        uow.users.change_licenses(
            customer.id,
            grants=[(o.user_id, sku) for o in done for sku in o.assigned],
            removals=[(o.user_id, sku) for o in done for sku in o.revoked],
        )
        result = BatchResult(uuid.uuid4().hex, customer.id, False, outcomes, actor, clock())
        uow.audit.append(_audit_entries(result, change))
        uow.batches.add(result, key=idempotency_key, fingerprint=change.fingerprint())
        _queue(result, notify, uow)
        uow.commit()
    return result


def _queue(result: BatchResult, notify: Notify | None, uow: UnitOfWork) -> None:
    thread = notify(result) if notify else None
    if thread is not None:
        uow.outbox.add_thread(thread)


def _decide(change: Change, customer: Customer, actor: str, uow: UnitOfWork) -> tuple[UserOutcome, ...]:
    refusal = save_refusal(uow.operators.get(actor), actor, change)
    owned = uow.subscriptions.for_customer(customer.id)
    catalogue = uow.products.get_many(set(owned) | set(change.desired))
    referenced = {r for p in catalogue.values() for r in p.requires_one_of} - catalogue.keys()
    if referenced:  # only so messages can name the products a rule refers to
        catalogue |= uow.products.get_many(referenced)
    users = uow.users.get_many(customer.id, change.user_ids) if refusal is None else {}
    return decide(change, customer=customer, users=users, catalogue=catalogue, owned=owned, forbidden=refusal)


def _replay(key: str, change: Change, uow: UnitOfWork) -> BatchResult | None:
    stored = uow.batches.get_by_key(key)
    if stored is None:
        return None
    fingerprint, result = stored
    if fingerprint != change.fingerprint():
        raise IdempotencyKeyReused(key)
    return replace(result, replayed=True)


def _outcome(o: UserOutcome) -> str:
    return "applied" if o.status is Status.UPDATED else "failed"


def _reason(o: UserOutcome) -> str | None:
    return "; ".join(f"{e.code.value}: {e.message}" for e in o.errors) or None


def _audit_entries(result: BatchResult, change: Change) -> list[AuditEntry]:
    at = result.created_at or utcnow()
    entries: list[AuditEntry] = []

    def entry(o: UserOutcome, sku: str | None, action: str) -> AuditEntry:
        return AuditEntry(
            result.batch_id or "",
            at,
            result.operator,
            result.customer_id,
            o.user_id,
            sku,
            action,
            _outcome(o),
            _reason(o),
        )

    moving = [f"set_location:{change.location}"] if change.location else []
    for o in result.results:
        if o.status is Status.UPDATED:
            entries += [entry(o, None, m) for m in moving if o.location]
            entries += [entry(o, s, "assign") for s in o.assigned] + [entry(o, s, "revoke") for s in o.revoked]
        elif o.status is Status.FAILED:
            entries += [entry(o, None, m) for m in moving]
            entries += [entry(o, sku, d.value) for sku, d in sorted(change.desired.items()) if d is not Desired.KEEP]
    return entries
