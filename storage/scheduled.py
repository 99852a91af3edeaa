"""SQL implementation of licensing.ports.ScheduledChanges: changes to run later, claimed with a lease."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from licensing.model import ScheduledAction, ScheduledChange, ScheduledStatus
from licensing.types import Desired
from storage.bulk import rowcount
from storage.db import begin_write
from storage.models import ScheduledChangeRow as Row

PENDING, RUNNING = ScheduledStatus.PENDING.value, ScheduledStatus.RUNNING.value


class SqlScheduledChanges:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, change: ScheduledChange) -> int:
        row = Row(
            customer_id=change.customer_id,
            user_ids=list(change.user_ids),
            desired={sku: d.value for sku, d in change.desired.items()},
            location=change.location,
            action=change.action.value,
            run_at=change.run_at,
            operator=change.operator,
            created_at=change.created_at,
            save_key=change.key,
            status=PENDING,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, change_id: int) -> ScheduledChange | None:
        row = self._session.get(Row, change_id, populate_existing=True)
        return None if row is None else _change(row)

    def by_key(self, key: str) -> list[ScheduledChange]:
        rows = self._session.scalars(select(Row).where(Row.save_key == key).order_by(Row.id))
        return [_change(r) for r in rows]

    def set_thread(self, change_ids: Sequence[int], outbox_id: int) -> None:
        self._session.execute(
            update(Row)
            .where(Row.id.in_(list(change_ids)))
            .values(outbox_id=outbox_id)
            .execution_options(synchronize_session=False)
        )

    def claim_due(self, *, now: datetime, holder: str, until: datetime, limit: int) -> list[ScheduledChange]:
        _writer(self._session)
        due = or_(and_(Row.status == PENDING, Row.run_at <= now), and_(Row.status == RUNNING, Row.lease_until < now))
        # SKIP LOCKED: a rival replica's claim passes over the rows this one locked (PostgreSQL; SQLite has one
        # writer at a time). The guard is repeated in the UPDATE, so a row claimed meanwhile is never taken twice.
        ids = list(
            self._session.scalars(
                select(Row.id).where(due).order_by(Row.run_at, Row.id).limit(limit).with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        self._session.execute(
            update(Row)
            .where(Row.id.in_(ids), due)
            .values(status=RUNNING, lease_holder=holder, lease_until=until)
            .execution_options(synchronize_session=False)
        )
        rows = self._session.scalars(
            select(Row)
            .where(Row.id.in_(ids), Row.lease_holder == holder, Row.status == RUNNING)
            .order_by(Row.run_at, Row.id)
            .execution_options(populate_existing=True)
        )
        return [_change(r) for r in rows]

    def finish(self, change_id: int, *, holder: str, status: str, outcome: str, at: datetime) -> bool:
        _writer(self._session)
        stmt = (
            update(Row)
            .where(Row.id == change_id, Row.status == RUNNING, Row.lease_holder == holder)
            .values(status=status, outcome=outcome, finished_at=at, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self._session.execute(stmt)) == 1

    def cancel(self, change_id: int, *, by: str, at: datetime) -> bool:
        stmt = (
            update(Row)
            .where(Row.id == change_id, Row.status == PENDING)
            .values(status=ScheduledStatus.CANCELLED.value, cancelled_by=by, cancelled_at=at)
            .execution_options(synchronize_session=False)
        )
        return rowcount(self._session.execute(stmt)) == 1

    def pending(self, only: frozenset[str] | None, *, offset: int, limit: int) -> tuple[list[ScheduledChange], int]:
        if only is not None and not only:
            return [], 0
        where = [Row.status == PENDING] + ([Row.customer_id.in_(sorted(only))] if only is not None else [])
        total = self._session.scalar(select(func.count()).select_from(Row).where(*where)) or 0
        rows = self._session.scalars(
            select(Row)
            .where(*where)
            .order_by(Row.run_at, Row.id)
            .offset(offset)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_change(r) for r in rows], total


def _writer(session: Session) -> None:
    """Claims and outcomes open their transaction (the job's): begun as the writer, as a customer lock would, so on
    SQLite replicas queue for the lock instead of failing to upgrade a read transaction."""
    if not session.in_transaction():
        begin_write(session)


def _change(row: Row) -> ScheduledChange:
    return ScheduledChange(
        row.id,
        row.customer_id,
        tuple(row.user_ids),
        {sku: Desired(d) for sku, d in row.desired.items()},
        ScheduledAction(row.action),
        row.run_at,
        row.operator,
        row.created_at,
        row.location,
        row.save_key,
        ScheduledStatus(row.status),
        row.outcome,
        row.outbox_id,
        row.lease_holder,
        row.lease_until,
        row.finished_at,
        row.cancelled_by,
        row.cancelled_at,
    )
