"""The operator's view of the outbox: `licensebot outbox` lists what is undelivered, `outbox retry` sends it again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.db import write_transaction
from storage.outbox import lanes
from storage.outbox.rows import DEAD, PENDING, SENDING, OutboxRow, dm_lane


@dataclass(frozen=True)
class Undelivered:
    id: int
    parent_id: int | None
    status: str
    kind: str
    batch_id: str | None
    channel: str | None
    fallback_user: str
    attempts: int
    created_at: datetime
    next_at: datetime
    deadline: datetime
    last_error: str | None


def undelivered(session: Session, limit: int = 1000) -> list[Undelivered]:
    """Pending (including in flight) and dead messages, oldest first."""
    stmt = select(OutboxRow).where(OutboxRow.status.in_([PENDING, SENDING, DEAD])).order_by(OutboxRow.id).limit(limit)
    return [
        Undelivered(
            r.id,
            r.parent_id,
            r.status,
            r.kind,
            r.batch_id,
            r.lane or r.channel,
            r.fallback_user,
            r.attempts,
            r.created_at,
            r.next_at,
            r.deadline,
            r.last_error,
        )
        for r in session.scalars(stmt)
    ]


def requeue(session: Session, outbox_id: int, *, now: datetime, deadline: timedelta) -> list[int] | None:
    """Send a message again: back to pending with a fresh deadline, with the dead rest of its thread after it.

    None if there is no such message. A message already sent or on its way is left alone (returns []).
    """
    with write_transaction(session):
        row = session.get(OutboxRow, outbox_id)
        if row is None:
            return None
        if row.status != DEAD:
            return []
        if row.parent_id is None:
            scope = or_(OutboxRow.id == row.id, OutboxRow.parent_id == row.id)
        else:
            scope = and_(OutboxRow.parent_id == row.parent_id, OutboxRow.position >= row.position)
        values = {"status": PENDING, "next_at": now, "deadline": now + deadline, "last_error": None}
        if row.parent_id is None:  # from the start: the channel first, the DM only if it refuses again
            lane = row.channel or dm_lane(row.fallback_user)
            lanes.ensure(session, [lane])
            session.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(dm=row.channel is None, lane=lane))
        return sorted(
            session.scalars(
                update(OutboxRow).where(scope, OutboxRow.status == DEAD).values(values).returning(OutboxRow.id)
            )
        )
