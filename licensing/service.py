"""Use cases that change licenses. Each takes primitives plus a unit of work, and owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from licensing.countries import normalize_country
from licensing.errors import IdempotencyKeyReused, InvalidRequest, UnknownCustomer
from licensing.model import Change, Customer, Desired
from licensing.notifications import OutgoingThread
from licensing.planning import decide, forbidden_reason
from licensing.ports import UnitOfWork
from licensing.results import AuditEntry, BatchResult, ErrorCode, Problem, Status, UserOutcome
from licensing.rules import check_new_location

MAX_USERS_PER_CHANGE = 10_000
Clock = Callable[[], datetime]
# Renders what a change did into a message thread; runs inside the change's transaction, so the message is queued
# exactly when the change commits.
Notify = Callable[[BatchResult], OutgoingThread | None]


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_change(
    customer_id: str, user_ids: Iterable[str], *, assign: Iterable[str] = (), revoke: Iterable[str] = ()
) -> Change:
    """Validates the shape of a request: users given, something to do, no product both assigned and revoked."""
    users = tuple(dict.fromkeys(u.strip() for u in user_ids if u.strip()))
    assign, revoke = set(assign), set(revoke)
    if not users:
        raise InvalidRequest("Select at least one user.")
    if len(users) > MAX_USERS_PER_CHANGE:
        raise InvalidRequest(f"At most {MAX_USERS_PER_CHANGE:,} users can be changed at once.")
    if not assign and not revoke:
        raise InvalidRequest("Nothing to change: choose a product to assign or revoke.")
    if both := sorted(assign & revoke):
        raise InvalidRequest(f"A product cannot be assigned and revoked at once: {', '.join(both)}.")
    desired = {sku: Desired.ASSIGN for sku in assign} | {sku: Desired.REVOKE for sku in revoke}
    return Change(customer_id=customer_id, user_ids=users, desired=desired)


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
    """Applies each user's change all or nothing, records the audit, and returns every user's outcome.

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


def update_location(
    customer_id: str,
    user_ids: Iterable[str],
    country: str,
    *,
    actor: str,
    uow: UnitOfWork,
    clock: Clock = utcnow,
    notify: Notify | None = None,
) -> BatchResult:
    """Sets the usage location of users, refusing per user a country where a product they hold is unavailable."""
    country = normalize_country(country)
    ids = tuple(dict.fromkeys(u.strip() for u in user_ids if u.strip()))
    if not ids:
        raise InvalidRequest("Select at least one user.")
    with uow:
        customer = uow.customers.lock(customer_id)
        if customer is None:
            raise UnknownCustomer(customer_id)
        operator = uow.operators.get(actor)
        refusal = forbidden_reason(operator, actor, customer_id)
        if refusal is None and operator is not None and not operator.may_set_location:
            refusal = f"Your role ({operator.role.value}) cannot change usage locations."
        users = uow.users.get_many(customer_id, ids)
        catalogue = uow.products.all()
        outcomes: list[UserOutcome] = []
        for uid in sorted(ids, key=lambda u: users[u].sort_key if u in users else ("\uffff", u)):
            user = users.get(uid)
            problems = (
                [Problem(ErrorCode.FORBIDDEN, refusal)]
                if refusal
                else [Problem(ErrorCode.UNKNOWN_USER, f"No user '{uid}' in customer {customer_id}.")]
                if user is None
                else check_new_location(user, country, catalogue)
            )
            name = user.name if user else None
            if problems:
                outcomes.append(UserOutcome(uid, Status.FAILED, name, errors=tuple(problems)))
            elif user is not None and user.location == country:
                outcomes.append(UserOutcome(uid, Status.UNCHANGED, name))
            else:
                outcomes.append(UserOutcome(uid, Status.UPDATED, name))
        uow.users.set_location(customer_id, [o.user_id for o in outcomes if o.status is Status.UPDATED], country)
        result = BatchResult(uuid.uuid4().hex, customer.id, False, tuple(outcomes), actor, clock())
        uow.audit.append(
            [
                AuditEntry(
                    result.batch_id or "",
                    result.created_at or clock(),
                    actor,
                    customer_id,
                    o.user_id,
                    None,
                    f"set_location:{country}",
                    _outcome(o),
                    _reason(o),
                )
                for o in outcomes
                if o.status is not Status.UNCHANGED
            ]
        )
        _queue(result, notify, uow)
        uow.commit()
    return result


def _queue(result: BatchResult, notify: Notify | None, uow: UnitOfWork) -> None:
    thread = notify(result) if notify else None
    if thread is not None:
        uow.outbox.add_thread(thread)


def _decide(change: Change, customer: Customer, actor: str, uow: UnitOfWork) -> tuple[UserOutcome, ...]:
    refusal = forbidden_reason(uow.operators.get(actor), actor, customer.id)
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

    for o in result.results:
        if o.status is Status.UPDATED:
            entries += [entry(o, s, "assign") for s in o.assigned] + [entry(o, s, "revoke") for s in o.revoked]
        elif o.status is Status.FAILED:
            entries += [entry(o, sku, d.value) for sku, d in sorted(change.desired.items()) if d is not Desired.KEEP]
    return entries
