"""What each user of a connected save ended with (licensing.connected.remote): read back from the tenant when its
answer was a refusal or none at all, then recorded with the mirror, the audit and the confirmation in one short
transaction (T2). Apart from the save's flow so that each reads on its own; the lease stays with the flow."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from licensing import alerts
from licensing.audit import FollowUp, audit_entries, queue
from licensing.connected.sync import write_seats, write_users
from licensing.errors import LicensingError
from licensing.ports import TenantProvider, UnitOfWork
from licensing.results import BatchResult, ErrorCode, Problem, Status, UserOutcome
from licensing.rules import Catalogue, name_of
from licensing.tenants import (
    Operation,
    OperationResult,
    OperationStatus,
    PendingBatch,
    ProviderError,
    RemoteSku,
    RemoteUser,
)
from licensing.types import Clock


class OutcomeUnknown(LicensingError):
    """The tenant did not answer and could not be read back; the batch is reconciled later."""

    user_message = (
        "Microsoft 365 did not answer. licensebot will read these users back and post the outcome in the thread."
    )


def read_back(batch: PendingBatch, provider: TenantProvider, ops: Sequence[Operation]) -> list[OperationResult]:
    """What the tenant holds for each user now: applied if the change shows, else failed (it did not happen)."""
    try:
        found = provider.read_users(batch.tenant_id, [op.object_id for op in ops])
    except ProviderError as e:
        raise OutcomeUnknown() from e
    results = []
    for op in ops:
        user = found.get(op.object_id)
        if op.landed(user):
            results.append(OperationResult(op.user_id, OperationStatus.APPLIED, user))
        else:
            msg = "Microsoft 365 did not confirm this change and reading the user back shows it was not applied."
            results.append(
                OperationResult(
                    op.user_id,
                    OperationStatus.FAILED,
                    user,
                    ErrorCode.PROVIDER_UNAVAILABLE,
                    msg,
                    location_set=op.moved(user),
                )
            )
    return results


def settle(batch: PendingBatch, provider: TenantProvider, results: list[OperationResult]) -> list[OperationResult]:
    """Every user whose change was refused or went unanswered is read back before anything else: a write retried
    after a lost answer may have landed already (and its retry been refused), and a location set before a refused
    license did change. Changes that did not land and got no answer are sent once more; whatever is still unknown
    then is read back for the last word."""
    ops = {op.user_id: op for op in batch.operations}
    # Results that carry a user were read back already (the whole call failed): theirs is the last word.
    unsure = [ops[r.user_id] for r in results if r.status != OperationStatus.APPLIED and r.user is None]
    if not unsure:
        return results
    by_user = {r.user_id: r for r in results}
    try:
        found = provider.read_users(batch.tenant_id, [op.object_id for op in unsure])
    except ProviderError as e:
        if any(by_user[op.user_id].status is OperationStatus.UNKNOWN for op in unsure):
            raise OutcomeUnknown() from e
        return results  # refusals stand as the tenant gave them; the next sync brings the mirror up to date
    retry = []
    for op in unsure:
        got, user = by_user[op.user_id], found.get(op.object_id)
        if op.landed(user):
            by_user[op.user_id] = OperationResult(
                op.user_id, OperationStatus.APPLIED, user, location_set=op.location is not None
            )
        elif got.status == OperationStatus.FAILED:
            by_user[op.user_id] = replace(got, user=user, location_set=got.location_set or op.moved(user))
        else:
            retry.append(op)
    if retry:
        try:
            again = provider.apply(batch.tenant_id, retry)
        except ProviderError:
            again = [OperationResult(op.user_id, OperationStatus.UNKNOWN) for op in retry]
        still = [op for op, r in zip(retry, again, strict=True) if r.status is OperationStatus.UNKNOWN]
        by_user |= {r.user_id: r for r in again if r.status is not OperationStatus.UNKNOWN}
        by_user |= {r.user_id: r for r in (read_back(batch, provider, still) if still else [])}
    return [by_user[op.user_id] for op in batch.operations]


def record(
    batch: PendingBatch,
    results: Sequence[OperationResult],
    skus: Sequence[RemoteSku] | None,
    *,
    uow: UnitOfWork,
    holder: str,
    notify: Callable[[BatchResult], Any] | None,
    clock: Clock,
    note: str | None,
    follow_up: FollowUp | None = None,
    before: Mapping[str, RemoteUser | None] | None = None,
) -> BatchResult | None:
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
        users = _mirrored(batch, by_user, before or {})
        gone = [r.user_id for r in results if r.code is ErrorCode.UNKNOWN_USER]  # the tenant has no such user
        uow.mirror.remove_users(batch.customer_id, gone)
        write_users(batch.customer_id, skus or (), users, uow, complete=False, stamp=uow.mirror.bump(batch.customer_id))
        result = BatchResult(batch.id, batch.customer_id, False, outcomes, batch.operator, batch.created_at, note=note)
        uow.audit.append(audit_entries(result, batch.change, at=clock()))
        uow.batches.add(result, key=batch.key, fingerprint=batch.fingerprint)
        queue(result, notify, uow, follow_up)
        alerts.check(batch.customer_id, uow, actor=batch.operator, seats=skus or (), clock=clock)
        uow.commit()
    return result


def _mirrored(
    batch: PendingBatch, by_user: Mapping[str, OperationResult], before: Mapping[str, RemoteUser | None]
) -> list[RemoteUser]:
    """Each changed user as the tenant holds them now: as read back, else as read before plus what landed."""
    users = []
    for op in batch.operations:
        got, was = by_user.get(op.user_id), before.get(op.user_id)
        if got is not None and got.user is not None:
            users.append(got.user)
        elif was is not None and got is not None and got.status == OperationStatus.APPLIED:
            users.append(op.after(was))
        elif was is not None and got is not None and got.location_set:
            users.append(replace(was, location=op.location))
    return users


def _final(planned: UserOutcome, got: OperationResult | None, catalogue: Catalogue) -> UserOutcome:
    if planned.status is not Status.UPDATED or got is None:
        return planned
    if got.status == OperationStatus.APPLIED:
        return planned
    code = got.code or ErrorCode.PROVIDER_ERROR
    problem = Problem(code, plain_message(code, planned, got, catalogue), got.sku)
    # The tenant took the usage location, then refused the licenses: the location stays changed, and is said.
    moved = planned.location if got.location_set else None
    return replace(
        planned, status=Status.FAILED, assigned=(), revoked=(), services=(), location=moved, errors=(problem,)
    )


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
        # The provider's words already name the services (both, for a dependency).
        ErrorCode.SERVICE_DEPENDENCY: f"{said}.",
        ErrorCode.UNKNOWN_SERVICE: f"{said}.",
        ErrorCode.UNKNOWN_USER: f"Microsoft 365 has no user {planned.user_id} any more.",
        ErrorCode.FORBIDDEN: "Microsoft 365 refused licensebot: check the app's admin consent and GDAP roles.",
        ErrorCode.PROVIDER_UNAVAILABLE: "Microsoft 365 was busy or unavailable; nothing changed for this user. "
        "Try again in a few minutes.",
    }
    return texts.get(code) or f"Microsoft 365 refused the change: {said}."
