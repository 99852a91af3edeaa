"""Recording what Slack answered, guarded by the lease holder, so a worker that lost its lease changes nothing.

Deliveries are recorded a claim's worth at a time (`mark_sent`); the rarer outcomes (retry, dead, DM fallback,
release) each in a short transaction of their own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, insert, update
from sqlalchemy.orm import Session

from storage.bulk import rowcount
from storage.db import write_transaction
from storage.outbox import lanes
from storage.outbox.claims import Claimed
from storage.outbox.rows import DEAD, PENDING, SENDING, SENT, OutboxRow, dm_lane


def _mine(message: Claimed, worker: str) -> Any:
    return and_(OutboxRow.id == message.id, OutboxRow.status == SENDING, OutboxRow.claimed_by == worker)


@dataclass(frozen=True)
class Delivered:
    """A message Slack took (or that was found there): where it landed, its ts, and when its lane may go again."""

    message: Claimed
    channel: str
    ts: str
    lane_free_at: datetime


def mark_sent(session: Session, delivered: Sequence[Delivered], *, worker: str) -> set[int]:
    """Record deliveries, all in one transaction; returns the ids recorded.

    A message whose lease passed to another worker is left alone, lane included (that worker holds the lane now and
    will find the message in Slack). One statement per table whatever the number of messages: a worker records a
    claim's deliveries together, so recording costs the database a few statements per claim, not per message.
    """
    if not delivered:
        return set()
    by_id = {d.message.id: d for d in delivered}
    with write_transaction(session):
        done = set(
            session.scalars(
                update(OutboxRow)
                .where(OutboxRow.id.in_(by_id), OutboxRow.status == SENDING, OutboxRow.claimed_by == worker)
                .values(
                    status=SENT,
                    sent_channel=case({i: d.channel for i, d in by_id.items()}, value=OutboxRow.id),
                    ts=case({i: d.ts for i, d in by_id.items()}, value=OutboxRow.id),
                    claimed_by=None,
                    lease_until=None,
                    last_error=None,
                )
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
        )
        recorded = [by_id[i] for i in sorted(done)]
        # The replies may go now, into wherever their parent landed.
        parents = {d.message.id: d.channel for d in recorded if d.message.parent_id is None}
        if parents:
            landed = set(
                session.scalars(
                    update(OutboxRow)
                    .where(OutboxRow.parent_id.in_(parents))
                    .values(lane=case(parents, value=OutboxRow.parent_id))
                    .returning(OutboxRow.lane)
                    .execution_options(synchronize_session=False)
                )
            )
            # A DM's lane was "@user" and the channel it landed in is new: its replies need that lane's row.
            claimed = {d.message.lane for d in recorded}
            lanes.ensure(session, [lane for lane in landed if lane is not None and lane not in claimed])
        lanes.free_all(session, {d.message.lane: d.lane_free_at for d in recorded})
    return done


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
        "status": PENDING,
        "next_at": at,
        "unsure": unsure,
        "last_error": error,
        "claimed_by": None,
        "lease_until": None,
    }
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
            "position": 0,
            "kind": parent.kind,
            "batch_id": parent.batch_id,
            "channel": None,
            "fallback_user": parent.fallback_user,
            "payload": copy_parent(dict(parent.payload)),
            "status": PENDING,
            "attempts": 0,
            "unsure": False,
            "dm": True,
            "lane": lane,
            "created_at": now,
            "deadline": message.deadline,
            "next_at": now,
        }
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
