"""Saving for a connected customer: the tenant decides, and no transaction is held while it does.

T1 (in service.apply, under the customer's lock) decides with the usual rules and records the intent: the
per-user operations and the idempotency key, held by this process under a lease. The tenant is then called with no
transaction open. T2, short, records each outcome, the mirror's users and seats, the audit and the confirmation.
A process that dies between the two leaves its batch behind; once the lease ends, `reconcile` reads those users back
from the tenant, records what really happened, and says so in the confirmation.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from licensing import alerts
from licensing.audit import FollowUp, audit_entries, queue
from licensing.errors import LicensingError
from licensing.model import Change, Customer
from licensing.notifications import OutgoingThread
from licensing.ports import TenantProvider, UnitOfWork
from licensing.results import BatchResult, ErrorCode, Problem, Status, UserOutcome
from licensing.rules import Catalogue, name_of
from licensing.sync import write_seats, write_users
from licensing.tenants import (
    APPLIED,
    FAILED,
    Operation,
    OperationResult,
    PendingBatch,
    ProviderError,
    RemoteSku,
    Tenant,
)
from licensing.types import Clock, utcnow

log = logging.getLogger("licensebot.remote")

# Longer than any one save's calls can take (the client gives up waiting out throttling after 2 minutes a call).
LEASE = timedelta(minutes=10)


class Render(Protocol):
    """The confirmation for a save reconciled in another process than the one it was asked in."""

    def __call__(self, result: BatchResult, *, reply_to: Mapping[str, Any]) -> OutgoingThread | None: ...


INTERRUPTED = (
    "licensebot stopped while this save was with Microsoft 365; each user was read back from the tenant and the "
    "results below are what it holds now."
)


class OutcomeUnknown(LicensingError):
    """The tenant did not answer and could not be read back; the batch is reconciled later."""

    user_message = (
        "Microsoft 365 did not answer. licensebot will read these users back and post the outcome in the thread."
    )


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_intent(
    change: Change, customer: Customer, tenant: Tenant, decided: Sequence[UserOutcome], *, actor: str,
    key: str | None, batch_id: str, clock: Clock, reply_to: Mapping[str, Any], uow: UnitOfWork,
) -> PendingBatch:  # fmt: skip
    """T1's writes, in the caller's transaction: the batch, held by this process for LEASE."""
    updated = [o for o in decided if o.status is Status.UPDATED]
    ids = uow.tenants.object_ids(customer.id, [o.user_id for o in updated])
    ops = tuple(Operation(o.user_id, ids.get(o.user_id, o.user_id), o.assigned, o.revoked, o.location) for o in updated)
    now = clock()
    batch = PendingBatch(batch_id, customer.id, tenant.tenant_id, actor, now, key, change.fingerprint(), change,
                         tuple(decided), ops, dict(reply_to))  # fmt: skip
    uow.remote.add(batch, holder=holder_name(), lease_until=now + LEASE)
    return batch


def execute(
    batch: PendingBatch, *, provider: TenantProvider, uow: UnitOfWork, notify: Callable[[BatchResult], Any] | None,
    clock: Clock = utcnow, follow_up: FollowUp | None = None,
) -> BatchResult:  # fmt: skip
    """Calls the tenant for a batch this process holds, then records the outcome (T2)."""
    try:
        results = provider.apply(batch.tenant_id, batch.operations)
    except ProviderError as e:
        if e.sent:  # some users may have changed: only reading them back can tell
            results = _read_back(batch, provider, batch.operations)
        else:
            results = [_failed_whole(op, e) for op in batch.operations]
    results = _settle(batch, provider, results)
    done = _record(batch, results, _seats(provider, batch.tenant_id), uow=uow, holder=holder_name(), notify=notify,
                   clock=clock, note=None, follow_up=follow_up)  # fmt: skip
    if done is None:  # our lease ran out and another process recorded it: theirs is the result
        raise OutcomeUnknown()
    return done


def reconcile(*, provider: TenantProvider, uow: UnitOfWork, render: Render | None, clock: Clock = utcnow) -> list[str]:
    """Finishes every batch whose process died mid-save: reads its users back and records what the tenant holds."""
    with uow:
        expired = uow.remote.expired(clock())
    finished = []
    me = holder_name()
    for batch_id in expired:
        with uow:
            now = clock()
            batch = uow.remote.claim(batch_id, holder=me, now=now, lease_until=now + LEASE)
            uow.commit()
        if batch is None:
            continue
        try:
            results = _read_back(batch, provider, batch.operations)
        except OutcomeUnknown:
            log.warning("batch=%s could not be read back from %s; will try again", batch.id, batch.tenant_id)
            continue
        notify = partial(render, reply_to=batch.reply_to) if render else None
        if _record(batch, results, _seats(provider, batch.tenant_id), uow=uow, holder=me, notify=notify,
                   clock=clock, note=INTERRUPTED):  # fmt: skip
            log.info("batch=%s customer=%s reconciled from the tenant", batch.id, batch.customer_id)
            finished.append(batch.id)
    return finished


def _read_back(batch: PendingBatch, provider: TenantProvider, ops: Sequence[Operation]) -> list[OperationResult]:
    """What the tenant holds for each user now: applied if the change shows, else failed (it did not happen)."""
    try:
        found = provider.read_users(batch.tenant_id, [op.object_id for op in ops])
    except ProviderError as e:
        raise OutcomeUnknown() from e
    results = []
    for op in ops:
        user = found.get(op.object_id)
        if op.landed(user):
            results.append(OperationResult(op.user_id, APPLIED, user))
        else:
            msg = "Microsoft 365 did not confirm this change and reading the user back shows it was not applied."
            results.append(OperationResult(op.user_id, FAILED, user, ErrorCode.PROVIDER_UNAVAILABLE.value, msg))
    return results


def _settle(batch: PendingBatch, provider: TenantProvider, results: list[OperationResult]) -> list[OperationResult]:
    """Users with no answer are read back before anything is retried: a change that landed is not sent again.
    Those that did not land are sent once more; whatever is still unknown then is read back for the last word."""
    unknown = [op for op, r in zip(batch.operations, results, strict=True) if r.status not in (APPLIED, FAILED)]
    if not unknown:
        return results
    by_user = {r.user_id: r for r in results}
    first = _read_back(batch, provider, unknown)
    by_user |= {r.user_id: r for r in first if r.status == APPLIED}
    retry = [op for op, r in zip(unknown, first, strict=True) if r.status != APPLIED]
    if retry:
        try:
            again = provider.apply(batch.tenant_id, retry)
        except ProviderError:
            again = [OperationResult(op.user_id, "unknown") for op in retry]
        still = [op for op, r in zip(retry, again, strict=True) if r.status not in (APPLIED, FAILED)]
        by_user |= {r.user_id: r for r in again if r.status in (APPLIED, FAILED)}
        by_user |= {r.user_id: r for r in (_read_back(batch, provider, still) if still else [])}
    return [by_user[op.user_id] for op in batch.operations]


def _seats(provider: TenantProvider, tenant: str) -> Sequence[RemoteSku] | None:
    """The counts after the change, in one more read; without them the mirror's counts wait for the next sync."""
    try:
        return provider.skus(tenant)
    except ProviderError as e:
        log.warning("could not read the seats of %s after a save: %s", tenant, e.message)
        return None


def _record(
    batch: PendingBatch, results: Sequence[OperationResult], skus: Sequence[RemoteSku] | None, *, uow: UnitOfWork,
    holder: str, notify: Callable[[BatchResult], Any] | None, clock: Clock, note: str | None,
    follow_up: FollowUp | None = None,
) -> BatchResult | None:  # fmt: skip
    """T2: the outcome of every user, the mirror, the audit and the confirmation, in one short transaction."""
    by_user = {r.user_id: r for r in results}
    with uow:
        uow.customers.lock(batch.customer_id)
        if not uow.remote.finish(batch.id, holder=holder):
            return None
        catalogue = uow.products.get_many({s for op in batch.operations for s in (*op.add, *op.remove)})
        outcomes = tuple(_final(o, by_user.get(o.user_id), catalogue) for o in batch.decided)
        if skus is not None:
            write_seats(batch.customer_id, skus, uow)
        returned = [r.user for r in results if r.user is not None]
        write_users(batch.customer_id, skus or (), returned, uow, complete=False)
        result = BatchResult(batch.id, batch.customer_id, False, outcomes, batch.operator, batch.created_at, note=note)
        uow.audit.append(audit_entries(result, batch.change, at=clock()))
        uow.batches.add(result, key=batch.key, fingerprint=batch.fingerprint)
        queue(result, notify, uow, follow_up)
        alerts.check(batch.customer_id, uow, actor=batch.operator, seats=skus or (), clock=clock)
        uow.commit()
    return result


def _final(planned: UserOutcome, got: OperationResult | None, catalogue: Catalogue) -> UserOutcome:
    if planned.status is not Status.UPDATED or got is None:
        return planned
    if got.status == APPLIED:
        return planned
    codes = {c.value: c for c in ErrorCode}
    code = codes.get(got.code or "", ErrorCode.PROVIDER_ERROR)
    problem = Problem(code, plain_message(code, planned, got, catalogue), got.sku)
    return replace(planned, status=Status.FAILED, assigned=(), revoked=(), location=None, errors=(problem,))


def _failed_whole(op: Operation, e: ProviderError) -> OperationResult:
    code = ErrorCode.PROVIDER_UNAVAILABLE if e.unavailable else ErrorCode.PROVIDER_ERROR
    return OperationResult(op.user_id, FAILED, code=code.value, message=e.message)


def plain_message(code: ErrorCode, planned: UserOutcome, got: OperationResult, catalogue: Catalogue) -> str:
    """Graph's refusals in the words of the local rules, naming products; Graph's own text where we have no better."""
    who = planned.name or planned.user_id
    product = name_of(got.sku, catalogue) if got.sku else "the product"
    said = (got.message or "").rstrip(".")
    texts = {
        ErrorCode.INSUFFICIENT_LICENSES: f"No {product} license left in Microsoft 365.",
        ErrorCode.USAGE_LOCATION_MISSING: f"{who} has no usage location in Microsoft 365; set one before assigning "
        "licenses.",
        ErrorCode.LOCATION_NOT_ALLOWED: f"{product} is not available in {who}'s usage location.",
        ErrorCode.MUTUALLY_EXCLUSIVE: f"Microsoft 365 refused: {product} cannot be held with a product the user has.",
        ErrorCode.DEPENDENCY_MISSING: f"Microsoft 365 refused: {product} needs a product the user does not have.",
        ErrorCode.DEPENDENCY_IN_USE: f"Microsoft 365 refused: another product of the user still needs {product}.",
        ErrorCode.GROUP_ASSIGNED: f"{who} gets {product} through a group in Microsoft 365; remove them from the group"
        " instead.",
        ErrorCode.UNKNOWN_USER: f"Microsoft 365 has no user {planned.user_id} any more.",
        ErrorCode.FORBIDDEN: "Microsoft 365 refused licensebot: check the app's admin consent and GDAP roles.",
        ErrorCode.PROVIDER_UNAVAILABLE: "Microsoft 365 was busy or unavailable; nothing changed for this user. "
        "Try again in a few minutes.",
    }  # fmt: skip
    return texts.get(code) or f"Microsoft 365 refused the change: {said}."
