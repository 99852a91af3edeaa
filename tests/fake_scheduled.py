"""The in-memory ScheduledChanges of tests/memory.py (kept apart so that module stays readable)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from licensing.model import ScheduledChange, ScheduledStatus

PENDING, RUNNING = ScheduledStatus.PENDING, ScheduledStatus.RUNNING


class _State(Protocol):
    scheduled: list[ScheduledChange]  # change n is scheduled[n - 1]
    customers: dict  # type: ignore[type-arg]


class _Txn(Protocol):
    def use(self) -> _State: ...


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("Refusing a naive datetime: say which timezone it is in.")
    return at.astimezone(UTC)


class FakeScheduledChanges:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def add(self, change: ScheduledChange) -> int:
        from tests.memory import Refused  # imported here: tests/memory.py imports this module

        s = self.t.use()
        if change.customer_id not in s.customers:
            raise Refused(f"No customer {change.customer_id} for a scheduled change")
        if change.key is not None and any(c.key == change.key and c.action is change.action for c in s.scheduled):
            raise Refused(f"A change is scheduled under {change.key} already")
        stored = replace(
            change,
            id=len(s.scheduled) + 1,
            status=PENDING,
            run_at=_utc(change.run_at),
            created_at=_utc(change.created_at),
            desired=dict(change.desired),
        )
        s.scheduled.append(stored)
        return stored.id

    def get(self, change_id: int) -> ScheduledChange | None:
        s = self.t.use()
        return s.scheduled[change_id - 1] if 1 <= change_id <= len(s.scheduled) else None

    def by_key(self, key: str) -> list[ScheduledChange]:
        return [c for c in self.t.use().scheduled if c.key == key]

    def set_thread(self, change_ids: Sequence[int], outbox_id: int) -> None:
        s = self.t.use()
        for i in change_ids:
            if (c := self.get(i)) is not None:
                s.scheduled[i - 1] = replace(c, thread=outbox_id)

    def claim_due(self, *, now: datetime, holder: str, until: datetime, limit: int) -> list[ScheduledChange]:
        s = self.t.use()
        due = [
            c
            for c in s.scheduled
            if (c.status is PENDING and c.run_at <= now)
            or (c.status is RUNNING and c.lease_until is not None and c.lease_until < now)
        ]
        claimed = []
        for c in sorted(due, key=lambda c: (c.run_at, c.id))[:limit]:
            s.scheduled[c.id - 1] = replace(c, status=RUNNING, lease_holder=holder, lease_until=_utc(until))
            claimed.append(s.scheduled[c.id - 1])
        return claimed

    def finish(self, change_id: int, *, holder: str, status: str, outcome: str, at: datetime) -> bool:
        c = self.get(change_id)
        if c is None or c.status is not RUNNING or c.lease_holder != holder:
            return False
        self.t.use().scheduled[change_id - 1] = replace(
            c, status=ScheduledStatus(status), outcome=outcome, finished_at=_utc(at), lease_until=None
        )
        return True

    def cancel(self, change_id: int, *, by: str, at: datetime) -> bool:
        c = self.get(change_id)
        if c is None or c.status is not PENDING:
            return False
        self.t.use().scheduled[change_id - 1] = replace(
            c, status=ScheduledStatus.CANCELLED, cancelled_by=by, cancelled_at=_utc(at)
        )
        return True

    def pending(self, only: frozenset[str] | None, *, offset: int, limit: int) -> tuple[list[ScheduledChange], int]:
        found = [c for c in self.t.use().scheduled if c.status is PENDING and (only is None or c.customer_id in only)]
        found.sort(key=lambda c: (c.run_at, c.id))
        return found[offset : offset + limit], len(found)
