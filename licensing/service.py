"""Use cases that change licenses. Each takes primitives plus a unit of work, and owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from licensing import alerts
from licensing.audit import FollowUp, Notify, audit_entries, queue
from licensing.connected import remote
from licensing.countries import normalize_country
from licensing.errors import IdempotencyKeyReused, InvalidRequest, LicensingError, UnknownCustomer
from licensing.model import Change, Customer
from licensing.planning import decide, save_refusal
from licensing.ports import TenantProvider, UnitOfWork
from licensing.results import BatchResult, Status, UserOutcome
from licensing.services import Switches, check_known_services, disabled_lists, plan_table
from licensing.types import Clock, Desired, Switch, utcnow

MAX_USERS_PER_CHANGE = 10_000


class NotConnected(LicensingError):
    user_message = (
        "This customer is connected to Microsoft 365, but licensebot has no Graph credentials: set "
        "LICENSEBOT_GRAPH_CLIENT_ID and LICENSEBOT_GRAPH_CLIENT_SECRET (or LICENSEBOT_GRAPH_CERTIFICATE)."
    )


class SaveInProgress(LicensingError):
    user_message = "This save is still being applied in Microsoft 365; its result will follow in the thread."


def make_change(
    customer_id: str,
    user_ids: Iterable[str],
    *,
    assign: Iterable[str] = (),
    revoke: Iterable[str] = (),
    location: str | None = None,
    services: Switches | None = None,
) -> Change:
    """Validates the shape of a save: users given, something to do, no product both assigned and revoked, a real
    country code."""
    users = tuple(dict.fromkeys(u.strip() for u in user_ids if u.strip()))
    assign, revoke = set(assign), set(revoke)
    if not users:
        raise InvalidRequest("Select at least one user.")
    if len(users) > MAX_USERS_PER_CHANGE:
        raise InvalidRequest(f"At most {MAX_USERS_PER_CHANGE:,} users can be changed at once.")
    switched = {sku: dict(c) for sku, chosen in (services or {}).items() if (c := _switched(chosen))}
    if not assign and not revoke and not location and not switched:
        raise InvalidRequest(
            "Nothing to change: choose a product to assign or revoke, a service to turn on or off, or a usage location."
        )
    if both := sorted(assign & revoke):
        raise InvalidRequest(f"A product cannot be assigned and revoked at once: {', '.join(both)}.")
    desired = {sku: Desired.ASSIGN for sku in assign} | {sku: Desired.REVOKE for sku in revoke}
    country = normalize_country(location) if location else None
    if unknown := check_known_services(switched, plans := plan_table()):
        raise InvalidRequest(" ".join(p.message for p in unknown))
    switched = {sku: {plans.canonical(sku, p): s for p, s in chosen.items()} for sku, chosen in switched.items()}
    if gone := sorted(set(switched) & revoke):
        raise InvalidRequest(f"Services of a product being revoked cannot be changed: {', '.join(gone)}.")
    return Change(customer_id=customer_id, user_ids=users, desired=desired, location=country, services=switched)


def _switched(chosen: Mapping[str, Switch]) -> dict[str, Switch]:
    return {plan: s for plan, s in chosen.items() if s is not Switch.KEEP}


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
    provider: TenantProvider | None = None,
    reply_to: Mapping[str, Any] | None = None,
    follow_up: FollowUp | None = None,
) -> BatchResult:
    """Saves the change: each user's new usage location and licenses, all or nothing per user, in one transaction
    with its audit batch and (from `notify`) its confirmation; returns every user's outcome. A key already used
    returns the first result and changes nothing (and queues no second message).

    For a customer connected to Microsoft 365 the tenant decides (licensing.connected.remote): `reply_to` is kept
    with the intent so that a save reconciled after a crash can still be confirmed where it was asked for.
    `follow_up` records what follows from the save (a scheduled end) where its result is recorded.
    """
    how = _How(actor, idempotency_key, clock, notify, follow_up)
    fresh = _read_fresh(change, actor=actor, uow=uow, provider=provider, idempotency_key=idempotency_key)
    with uow:
        customer = uow.customers.lock(change.customer_id)
        if customer is None:
            raise UnknownCustomer(change.customer_id)
        if idempotency_key and (prior := _replay(idempotency_key, change, uow)):
            return prior
        tenant = uow.mirror.get(customer.id)
        if tenant is not None and fresh is not None:
            remote.write_fresh(customer.id, fresh, uow)
        outcomes = _decide(change, customer, actor, uow)
        if tenant is None or not any(o.status is Status.UPDATED for o in outcomes):
            return _apply_locally(change, customer, outcomes, how, uow)  # the database is the truth
        if provider is None:
            raise NotConnected()
        batch = remote.record_intent(
            change,
            customer,
            tenant,
            outcomes,
            actor=actor,
            key=idempotency_key,
            batch_id=uuid.uuid4().hex,
            clock=clock,
            reply_to=reply_to or {},
            uow=uow,
        )
        uow.commit()
    before = fresh.users if fresh is not None else None
    return remote.execute(
        batch, provider=provider, uow=uow, notify=notify, clock=clock, follow_up=follow_up, before=before
    )


@dataclass(frozen=True)
class _How:
    """Who saves, under which key and clock, and what is queued with the result."""

    actor: str
    key: str | None
    clock: Clock
    notify: Notify | None
    follow_up: FollowUp | None


def _apply_locally(
    change: Change, customer: Customer, outcomes: tuple[UserOutcome, ...], how: _How, uow: UnitOfWork
) -> BatchResult:
    """Inside `apply`'s transaction, under the customer's lock: writes the decided outcomes, the audit and the
    confirmation, checks the alerts, and commits."""
    done = [o for o in outcomes if o.status is Status.UPDATED]
    if change.location:
        uow.users.set_location(customer.id, [o.user_id for o in done if o.location], change.location)
    uow.users.change_licenses(
        customer.id,
        grants=[(o.user_id, sku) for o in done for sku in o.assigned],
        removals=[(o.user_id, sku) for o in done for sku in o.revoked],
    )
    _write_services(customer.id, done, uow)
    result = BatchResult(uuid.uuid4().hex, customer.id, False, outcomes, how.actor, how.clock())
    uow.audit.append(audit_entries(result, change))
    uow.batches.add(result, key=how.key, fingerprint=change.fingerprint())
    queue(result, how.notify, uow, how.follow_up)
    alerts.check(customer.id, uow, actor=how.actor, clock=how.clock)
    uow.commit()
    return result


def _write_services(customer_id: str, done: list[UserOutcome], uow: UnitOfWork) -> None:
    """Each changed user's new disabled lists, from their lists as held (the change's products are granted by now)."""
    changed = [o for o in done if o.services]
    if not changed:
        return
    users = uow.users.get_many(customer_id, [o.user_id for o in changed])
    uow.users.set_disabled_plans(
        customer_id,
        [
            (o.user_id, sku, plans)
            for o in changed
            for sku, plans in sorted(disabled_lists(users[o.user_id], o.services).items())
        ],
    )


def _read_fresh(
    change: Change, *, actor: str, uow: UnitOfWork, provider: TenantProvider | None, idempotency_key: str | None
) -> remote.Fresh | None:
    """For a connected customer, its seats and the change's users as the tenant holds them now (read with no
    transaction open); None for a local customer, a save that is a replay, or one that may not be made at all."""
    if provider is None:
        return None
    with uow:
        tenant = uow.mirror.get(change.customer_id)
        if tenant is None or (idempotency_key and _replay(idempotency_key, change, uow)):
            return None
        if save_refusal(uow.operators.get(actor), change) is not None:
            return None  # refused whoever holds what: the tenant need not be asked
    return remote.read_fresh(change, tenant, provider=provider, uow=uow)


def _decide(change: Change, customer: Customer, actor: str, uow: UnitOfWork) -> tuple[UserOutcome, ...]:
    refusal = save_refusal(uow.operators.get(actor), change)
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
        pending = uow.remote.get_by_key(key)
        if pending is None:
            return None
        if pending.fingerprint != change.fingerprint():
            raise IdempotencyKeyReused(key)
        raise SaveInProgress()
    fingerprint, result = stored
    if fingerprint != change.fingerprint():
        raise IdempotencyKeyReused(key)
    return replace(result, replayed=True)
