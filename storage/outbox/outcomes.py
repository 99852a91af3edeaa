"""Recording what Slack answered: each outcome is its own short transaction, guarded by the lease holder, so a
worker that lost its lease changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.orm import Session

from storage.bulk import rowcount
from storage.db import write_transaction
from storage.outbox import lanes
from storage.outbox.claims import Claimed
from storage.outbox.rows import DEAD, PENDING, SENDING, SENT, OutboxRow, dm_lane


def _mine(message: Claimed, worker: str) -> Any:
    return and_(OutboxRow.id == message.id, OutboxRow.status == SENDING, OutboxRow.claimed_by == worker)


def mark_sent(
    session: Session, message: Claimed, *, worker: str, channel: str, ts: str, lane_free_at: datetime
) -> bool:
    """Record the delivery; False if the lease was lost (another worker took over and will find the message)."""
    with write_transaction(session):
        done = rowcount(
            session.execute(
                update(OutboxRow)
                .where(_mine(message, worker))
                .values(status=SENT, sent_channel=channel, ts=ts, claimed_by=None, lease_until=None, last_error=None)
            )
        )
        if done and message.parent_id is None:  # the replies may go now, into wherever the parent landed
            replies = session.execute(update(OutboxRow).where(OutboxRow.parent_id == message.id).values(lane=channel))
            if rowcount(replies):
                lanes.ensure(session, [channel])
        lanes.free_at(session, message.lane, lane_free_at)
    return bool(done)


def mark_retry(
    session: Session,
    message: Claimed,
    *,
    worker: str,
    at: datetime,
    unsure: bool,
    error: str,
    lane_free_at: datetime,
    fall_back_to_dm: bool = False,
) -> bool:
    values: dict[str, Any] = {
        "status": PENDING, "next_at": at, "unsure": unsure, "last_error": error, "claimed_by": None,
        "lease_until": None,
    }  # fmt: skip
    if fall_back_to_dm:
        values.update(dm=True, lane=dm_lane(message.fallback_user))
    with write_transaction(session):
        if fall_back_to_dm:
            lanes.ensure(session, [values["lane"]])
        done = rowcount(session.execute(update(OutboxRow).where(_mine(message, worker)).values(values)))
        lanes.free_at(session, message.lane, lane_free_at)
    return bool(done)


def release(session: Session, message: Claimed, *, worker: str, now: datetime) -> None:
    """Hand a claimed message back untried (the worker is stopping): as it was before the claim."""
    with write_transaction(session):
        session.execute(
            update(OutboxRow)
            .where(_mine(message, worker))
            .values(
                status=PENDING, attempts=message.attempts - 1, unsure=message.unsure, claimed_by=None, lease_until=None
            )
        )
        lanes.free_at(session, message.lane, now)


def mark_dead(session: Session, message: Claimed, *, worker: str, error: str, lane_free_at: datetime) -> list[int]:
    """Give up on the message, and on whatever of its thread can now never be sent in order; returns those ids."""
    with write_transaction(session):
        done = rowcount(
            session.execute(
                update(OutboxRow)
                .where(_mine(message, worker))
                .values(status=DEAD, last_error=error, claimed_by=None, lease_until=None)
            )
        )
        lanes.free_at(session, message.lane, lane_free_at)
        if not done:
            return []
        if message.parent_id is None:
            after = and_(OutboxRow.parent_id == message.id)
        else:
            after = and_(OutboxRow.parent_id == message.parent_id, OutboxRow.position > message.position)
        orphans = list(
            session.scalars(
                update(OutboxRow)
                .where(after, OutboxRow.status == PENDING)
                .values(status=DEAD, last_error=f"outbox id {message.id} before it is dead")
                .returning(OutboxRow.id)
            )
        )
    return [message.id, *orphans]

