"""Running scheduled changes when they are due, exactly once however many replicas run the job.

A run claims due changes (a guarded update, `FOR UPDATE SKIP LOCKED` on PostgreSQL) with a lease, applies each
through licensing.service — the Save's own use case, so the same rules, roles, audit and Microsoft 365 path — with
the idempotency key `scheduled-<id>`, then records the outcome and queues it as a reply in the save's confirmation
thread, in one transaction guarded by the lease. A replica that dies after the apply and before that record leaves
the change running; once its lease ends another replica claims it, and `apply` with the same key returns the first
result without changing anything again, so the change is applied once and told once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from licensing import service
from licensing.connected import remote
from licensing.errors import LicensingError
from licensing.model import ScheduledChange, ScheduledStatus
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.ports import TenantProvider, UnitOfWork
from licensing.results import BatchResult, Status
from licensing.scheduled.schedule import audit, describe
from licensing.types import Clock, utcnow

log = logging.getLogger("licensebot.schedule")

LEASE = timedelta(minutes=10)  # longer than any save takes; a replica that died holds a change no longer than that
BATCH = 20  # changes claimed per run; the job runs again soon for the rest
OUTCOME_MAX = 2000

# The reply told in the save's thread: the change, and what the run did (a result) or why it could not (an error).
Render = Callable[[ScheduledChange, BatchResult | None, str | None], dict[str, Any]]


def key_of(change_id: int) -> str:
    return f"scheduled-{change_id}"


def run_due(
    *,
    uow: UnitOfWork,
    render: Render,
    provider: TenantProvider | None = None,
    clock: Clock = utcnow,
    holder: str | None = None,
    limit: int = BATCH,
    lease: timedelta = LEASE,
) -> list[int]:
    """Runs what is due now (and what a dead replica left running); returns the ids this run finished."""
    holder = holder or remote.holder_name()
    now = clock()
    with uow:
        claimed = uow.scheduled.claim_due(now=now, holder=holder, until=now + lease, limit=limit)
        uow.commit()
    return [c.id for c in claimed if run_one(c, uow=uow, render=render, provider=provider, clock=clock, holder=holder)]


def run_one(
    change: ScheduledChange,
    *,
    uow: UnitOfWork,
    render: Render,
    provider: TenantProvider | None,
    clock: Clock,
    holder: str,
) -> bool:
    """Applies one claimed change and records its outcome; False if it is left for a later run (a connected save
    still in flight, or another replica took it over)."""
    result: BatchResult | None = None
    error: str | None = None
    try:
        result = service.apply(
            change.change,
            actor=change.operator,
            uow=uow,
            idempotency_key=key_of(change.id),
            clock=clock,
            provider=provider,
        )
    except service.SaveInProgress:  # a crash interrupted the tenant call: the sync reconciles it, then we finish
        log.info("scheduled change %d waits for its interrupted save to be reconciled", change.id)
        return False
    except LicensingError as e:
        error = e.user_message
    failed = [o for o in result.results if o.status is Status.FAILED] if result else []
    status = ScheduledStatus.FAILED if error or failed else ScheduledStatus.DONE
    outcome = error or summary(result)
    at = clock()
    with uow:
        if not uow.scheduled.finish(change.id, holder=holder, status=status.value, outcome=outcome, at=at):
            log.info("scheduled change %d was taken over by another replica", change.id)
            return False
        told = render(change, result, error)
        if change.thread is not None:
            uow.outbox.add_reply(OutgoingReply(change.thread, told, kind="scheduled_outcome"))
        else:
            uow.outbox.add_thread(OutgoingThread(None, change.operator, told, kind="scheduled_outcome"))
        audit(uow, change.id, at, change.operator, change.customer_id, status.value, f"{describe(change)}: {outcome}")
        uow.commit()
    log.info("scheduled change %d %s: %s", change.id, status.value, outcome)
    return True


def summary(result: BatchResult | None) -> str:
    """ "2 updated, 1 failed: carol@contoso.com: insufficient_licenses" (the stored outcome; the reply says more)."""
    if result is None:
        return ""
    counts = {s: sum(o.status is s for o in result.results) for s in Status}
    text = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    errors = [f"{o.user_id}: {', '.join(e.code.value for e in o.errors)}" for o in result.results if o.errors]
    text += f": {'; '.join(errors)}" if errors else ""
    return text[:OUTCOME_MAX]
