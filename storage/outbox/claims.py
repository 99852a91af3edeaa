"""Claiming due messages: one transaction of its own, committed before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.db import begin_write
from storage.outbox.rows import PENDING, SENDING, UNDELIVERED, OutboxChannelRow, OutboxRow


@dataclass(frozen=True)
class Claimed:
    """A message this worker holds the lease on, with what is needed to send it."""

    id: int
    parent_id: int | None
    position: int
    batch_id: str | None
    channel: str | None  # parent: the channel asked for (None: DM); reply: the channel the parent landed in
    thread_ts: str | None  # reply: the parent's ts
    fallback_user: str
    payload: dict[str, Any]
    dm: bool  # going by DM to the fallback user (a reply: its parent went by DM)
    lane: str
    attempts: int  # including this one
    unsure: bool
    created_at: datetime
    deadline: datetime


def claim(session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Take up to `limit` due messages, at most one per lane, each on a lane free to send to now; commits.

    The claimed lanes stay blocked until the lease ends unless the outcome releases them sooner (it always does
    unless the worker dies), so no other worker sends to the same channel meanwhile.

    The claim starts from the lanes, not the messages: it costs one index probe per lane (outbox_channels is small)
    instead of grouping the whole backlog by lane, and workers claiming at the same time skip each other's lanes
    instead of computing the same candidates and then fighting over them.
    """
    begin_write(session)  # SQLite: BEGIN IMMEDIATE, the single writer lock that serializes claims
    heads = {message_id: lane for lane, message_id in session.execute(due_lanes(now, limit)).all()}
    if not heads:  # the idle poll: nothing due, one statement
        session.rollback()
        return []
    # Lock the messages by id alone (a condition on status would tempt the planner into the status index on a
    # freshly queued backlog); what changed since (an outcome of a worker whose lease ran out) is re-checked on the
    # rows as locked.
    rows = session.execute(
        select(OutboxRow).where(OutboxRow.id.in_(heads)).order_by(OutboxRow.id).with_for_update(skip_locked=True)
    ).scalars()
    taken = [row for row in rows if heads[row.id] == row.lane and _is_due(row, now)]
    if not taken:
        session.rollback()  # lanes locked but not taken are left as they were
        return []
    parents = _parent_ts(session, [r.parent_id for r in taken if r.parent_id is not None])
    claimed = [_claimed(row, parents) for row in taken]
    session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_([r.id for r in taken]))
        .values(
            status=SENDING,
            attempts=OutboxRow.attempts + 1,
            claimed_by=worker,
            lease_until=now + lease,
            # Recorded before the send: if this worker dies, the next one knows to look for the message first.
            # (SET expressions read the row as it was: `status` here is the status before this update.)
            unsure=or_(OutboxRow.unsure, OutboxRow.status == SENDING),
        )
        # What the worker needs was read above; matching the update against the loaded rows would only cost time.
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxChannelRow)
        .where(OutboxChannelRow.channel.in_([c.lane for c in claimed]))
        .values(next_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return claimed


def due_lanes(now: datetime, limit: int) -> Select[str, int]:
    """The lanes free now that have a message due, the longest idle first (a backlog in one channel never hides the
    other channels), each with its oldest due message; a lane another worker is claiming right now is skipped."""
    head = _head(now)
    return (
        select(OutboxChannelRow.channel, head)
        .where(OutboxChannelRow.next_at <= now, head.is_not(None))
        .order_by(OutboxChannelRow.next_at, OutboxChannelRow.channel)
        .limit(limit)
        .with_for_update(of=OutboxChannelRow, skip_locked=True)
    )


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxRow.status == PENDING, OutboxRow.next_at <= now),
        and_(OutboxRow.status == SENDING, OutboxRow.lease_until < now),  # its worker died or hung
    )


def _is_due(row: OutboxRow, now: datetime) -> bool:
    """`_due`, on a row already read."""
    if row.status == PENDING:
        return row.next_at <= now
    return row.status == SENDING and row.lease_until is not None and row.lease_until < now


def _head(now: datetime) -> ScalarSelect[int]:
    """For each lane row of the outer query: its oldest due message that may go now (NULL if none)."""
    earlier = aliased(OutboxRow)
    in_order = (
        ~select(earlier.id)
        # Replies go one after the other: no earlier sibling still to send. (A sibling that died took the pending
        # ones after it along; only a reply queued later than that may follow a dead one, and it goes.)
        .where(
            earlier.parent_id == OutboxRow.parent_id,
            earlier.position < OutboxRow.position,
            earlier.status.in_(UNDELIVERED),
        )
        .exists()
    )
    return (
        select(OutboxRow.id)
        .where(
            OutboxRow.lane == OutboxChannelRow.channel,
            OutboxRow.status.in_(UNDELIVERED),  # the partial index's condition, so the planner can use it
            _due(now),
            or_(OutboxRow.parent_id.is_(None), in_order),
        )
        .order_by(OutboxRow.id)
        .limit(1)
        .correlate(OutboxChannelRow)
        .scalar_subquery()
    )


Parents = dict[int, tuple[str | None, str | None, bool]]


def _parent_ts(session: Session, ids: Sequence[int]) -> Parents:
    """Where each parent landed, its ts, and whether it went by DM."""
    if not ids:
        return {}
    stmt = select(OutboxRow.id, OutboxRow.sent_channel, OutboxRow.ts, OutboxRow.dm).where(OutboxRow.id.in_(ids))
    return {i: (c, ts, dm) for i, c, ts, dm in session.execute(stmt)}


def _claimed(row: OutboxRow, parents: Parents) -> Claimed:
    channel, thread_ts, dm = (row.channel, None, row.dm) if row.parent_id is None else parents[row.parent_id]
    assert row.lane is not None
    return Claimed(
        id=row.id,
        parent_id=row.parent_id,
        position=row.position,
        batch_id=row.batch_id,
        channel=None if row.parent_id is None and row.dm else channel,
        thread_ts=thread_ts,
        fallback_user=row.fallback_user,
        payload=dict(row.payload),
        dm=dm,
        lane=row.lane,
        attempts=row.attempts + 1,
        unsure=row.unsure or row.status == SENDING,
        created_at=row.created_at,
        deadline=row.deadline,
    )
