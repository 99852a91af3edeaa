"""What every save records besides the licenses themselves: its audit lines and its queued confirmation.

Shared by the local save (licensing.service) and the connected one (licensing.connected.remote), so both audit alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from licensing.model import Change
from licensing.notifications import OutgoingThread
from licensing.ports import UnitOfWork
from licensing.results import AuditEntry, BatchResult, Status, UserOutcome
from licensing.services import plan_table
from licensing.types import Desired, Switch, utcnow

# Renders what a change did into a message thread; runs inside the change's transaction, so the message is queued
# exactly when the change commits.
Notify = Callable[[BatchResult], OutgoingThread | None]


# Records what follows from a save, in its transaction, once its confirmation is queued: the end dates of
# licensing/scheduled/schedule.py, which take the confirmation's outbox id (None: no message) so that their outcome
# is told in its thread.
FollowUp = Callable[[BatchResult, int | None, UnitOfWork], None]


def queue(result: BatchResult, notify: Notify | None, uow: UnitOfWork, follow_up: FollowUp | None = None) -> int | None:
    """Queues the confirmation, then runs `follow_up`; returns the confirmation's outbox id (None: no message)."""
    thread = notify(result) if notify else None
    outbox_id = uow.outbox.add_thread(thread) if thread is not None else None
    if follow_up is not None:
        follow_up(result, outbox_id, uow)
    return outbox_id


def _outcome(o: UserOutcome) -> str:
    return "applied" if o.status is Status.UPDATED else "failed"


def _reason(o: UserOutcome) -> str | None:
    return "; ".join(f"{e.code.value}: {e.message}" for e in o.errors) or None


def service_action(plan: str, on: bool) -> str:
    """An audit line's action for a service turned on or off: `service_on:TEAMS1`, `service_off:TEAMS1`."""
    return f"service_{'on' if on else 'off'}:{plan}"


def service_text(action: str, sku: str | None) -> str | None:
    """What a service line says to a reader ("Microsoft Teams off"); None for any other action."""
    verb, sep, plan = action.partition(":")
    if not sep or verb not in ("service_on", "service_off"):
        return None
    return f"{plan_table().title(sku or '', plan)} {verb.removeprefix('service_')}"


def audit_entries(result: BatchResult, change: Change, *, at: datetime | None = None) -> list[AuditEntry]:
    at = at or result.created_at or utcnow()
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
            entries += [entry(o, c.sku, service_action(c.plan, c.on)) for c in o.services]
        elif o.status is Status.FAILED:
            # A tenant can take the usage location and then refuse the licenses: the location did change.
            entries += [
                replace(entry(o, None, m), outcome="applied", reason=None) if o.location else entry(o, None, m)
                for m in moving
            ]
            entries += [entry(o, sku, d.value) for sku, d in sorted(change.desired.items()) if d is not Desired.KEEP]
            entries += [
                entry(o, sku, service_action(plan, s is Switch.ON))
                for sku, chosen in sorted(change.services.items())
                for plan, s in sorted(chosen.items())
                if s is not Switch.KEEP and sku not in o.not_held
            ]
    return entries
