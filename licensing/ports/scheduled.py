"""Changes to run later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from licensing.model import ScheduledChange


class ScheduledChanges(Protocol):
    """Changes to run later (licensing/scheduled/): pending until due, then claimed by one replica with a lease."""

    def add(self, change: ScheduledChange) -> int:
        """Records a pending change (its id and status are ignored); returns its id."""
        ...

    def get(self, change_id: int) -> ScheduledChange | None: ...

    def by_key(self, key: str) -> list[ScheduledChange]:
        """The changes a save with this idempotency key scheduled (their `key` starts with it), by id."""
        ...

    def set_thread(self, change_ids: Sequence[int], outbox_id: int) -> None: ...

    def claim_due(self, *, now: datetime, holder: str, until: datetime, limit: int) -> list[ScheduledChange]:
        """Up to `limit` changes pending with `run_at` <= `now`, or running with a lease that ended before `now`,
        by run_at then id: marked running, held by `holder` until `until`. Rivals never claim the same change."""
        ...

    def finish(self, change_id: int, *, holder: str, status: str, outcome: str, at: datetime) -> bool:
        """Record the run's outcome if `holder` still holds the running change; False if another took it over."""
        ...

    def cancel(self, change_id: int, *, by: str, at: datetime) -> bool:
        """Cancel a change still pending (a guarded update); False when it ran, runs or was cancelled already."""
        ...

    def pending(self, only: frozenset[str] | None, *, offset: int, limit: int) -> tuple[list[ScheduledChange], int]:
        """A page of the pending changes of the customers named (None: every customer) by run_at then id, and how
        many there are."""
        ...
