"""Recording what Slack answered: each outcome is its own short transaction, guarded by the lease holder, so a
worker that lost its lease changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, update
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
            if rowcount(replies) and channel != message.lane:  # a DM: the lane was "@user", the channel is new
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


def move_thread_to_dm(
    session: Session,
    message: Claimed,
    *,
    worker: str,
    error: str,
    now: datetime,
    lane_free_at: datetime,
    copy_parent: Callable[[dict[str, Any]], dict[str, Any]],
) -> int | None:
    """The channel refused a reply after its parent was posted there: the reply and the rest of its thread go to
    the fallback user by DM instead, threaded under a copy of the parent queued first (a message of its own, with
    its own outbox id, so it is delivered exactly like any parent). `copy_parent` makes the copy's payload from the
    parent's. Returns the copy's id; None if the lease was lost (nothing changes)."""
    assert message.parent_id is not None
    with write_transaction(session):
        done = rowcount(
            session.execute(
                update(OutboxRow)
                .where(_mine(message, worker))
                .values(status=PENDING, unsure=False, last_error=error, claimed_by=None, lease_until=None)
            )
        )
        lanes.free_at(session, message.lane, lane_free_at)
        if not done:
            return None
        parent = session.get_one(OutboxRow, message.parent_id)
        lane = dm_lane(parent.fallback_user)
        lanes.ensure(session, [lane])
        copy = {
            "position": 0, "kind": parent.kind, "batch_id": parent.batch_id, "channel": None,
            "fallback_user": parent.fallback_user, "payload": copy_parent(dict(parent.payload)), "status": PENDING,
            "attempts": 0, "unsure": False, "dm": True, "lane": lane, "created_at": now, "deadline": message.deadline,
            "next_at": now,
        }  # fmt: skip
        copy_id = int(session.execute(insert(OutboxRow).values(copy).returning(OutboxRow.id)).scalar_one())
        # The rest of the thread, from this reply on (the later ones are all pending: replies go one at a time),
        # waits for the copy: no lane until the copy is sent, as for any new thread.
        session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.parent_id == message.parent_id,
                OutboxRow.position >= message.position,
                OutboxRow.status == PENDING,
            )
            .values(parent_id=copy_id, lane=None, next_at=now)
        )
    return copy_id
