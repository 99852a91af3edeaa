"""Claiming due messages: one transaction of its own, committed before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.db import begin_write
from storage.outbox.rows import PENDING, SENDING, SENT, OutboxChannelRow, OutboxRow


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
    dm: bool
    lane: str
    attempts: int  # including this one
    unsure: bool
    created_at: datetime
    deadline: datetime


def claim(session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Take up to `limit` due messages, at most one per lane, each on a lane free to send to now; commits.

    The claimed lanes stay blocked until the lease ends unless the outcome releases them sooner (it always does
    unless the worker dies), so no other worker sends to the same channel meanwhile.
    """
    begin_write(session)  # SQLite: BEGIN IMMEDIATE, the single writer lock that serializes claims
    earlier = aliased(OutboxRow)
    due = or_(
        and_(OutboxRow.status == PENDING, OutboxRow.next_at <= now),
        and_(OutboxRow.status == SENDING, OutboxRow.lease_until < now),  # its worker died or hung
    )
    in_order = (
        ~select(earlier.id)
        .where(  # replies go one after the other: every earlier sibling sent
            earlier.parent_id == OutboxRow.parent_id, earlier.position < OutboxRow.position, earlier.status != SENT
        )
        .exists()
    )
    lane_free = (
        ~select(OutboxChannelRow.channel)
        .where(OutboxChannelRow.channel == OutboxRow.lane, OutboxChannelRow.next_at > now)
        .exists()
    )
    # The oldest due message of each free lane: a backlog in one channel never hides the other channels.
    first = (
        select(func.min(OutboxRow.id))
        .where(due, OutboxRow.lane.is_not(None), or_(OutboxRow.parent_id.is_(None), in_order), lane_free)
        .group_by(OutboxRow.lane)
        .order_by(func.min(OutboxRow.id))
        .limit(limit * 2)  # some may be taken by another worker between this and the lock below
    )
    ids = list(session.scalars(first))
    if not ids:
        session.rollback()
        return []
    # Lock them, skipping what another worker holds; the status test is re-checked on the row as locked.
    rows = session.execute(
        select(OutboxRow).where(OutboxRow.id.in_(ids), due).order_by(OutboxRow.id).with_for_update(skip_locked=True)
    ).scalars()
    by_lane: dict[str, OutboxRow] = {}
    for row in rows:
        assert row.lane is not None
        by_lane.setdefault(row.lane, row)
    lanes = _lock_lanes(session, list(by_lane), now)[:limit]
    taken = [by_lane[lane] for lane in lanes]
    if not taken:
        session.rollback()
        return []
    parents = _parent_ts(session, [r.parent_id for r in taken if r.parent_id is not None])
    claimed = []
    for row in taken:
        claimed.append(_claimed(row, parents))
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row.id)
            .values(
                status=SENDING,
                attempts=row.attempts + 1,
                claimed_by=worker,
                lease_until=now + lease,
                # Recorded before the send: if this worker dies, the next one knows to look for the message first.
                unsure=row.unsure or row.status == SENDING,
            )
        )
    session.execute(update(OutboxChannelRow).where(OutboxChannelRow.channel.in_(lanes)).values(next_at=now + lease))
    session.commit()
    return claimed


def _lock_lanes(session: Session, lanes: Sequence[str], now: datetime) -> list[str]:
    """The lanes, among those given, this transaction now holds and that are free to send to now."""
    if not lanes:
        return []
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    past = datetime(2000, 1, 1, tzinfo=UTC)
    # Sorted: two workers creating the same new lanes wait for each other in the same order, never in a cycle.
    new = [{"channel": c, "next_at": past} for c in sorted(lanes)]
    session.execute(ins(OutboxChannelRow).values(new).on_conflict_do_nothing())
    stmt = (
        select(OutboxChannelRow.channel)
        .where(OutboxChannelRow.channel.in_(lanes), OutboxChannelRow.next_at <= now)
        .with_for_update(skip_locked=True)
    )
    free = set(session.scalars(stmt))
    return [lane for lane in lanes if lane in free]


def _parent_ts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    if not ids:
        return {}
    stmt = select(OutboxRow.id, OutboxRow.sent_channel, OutboxRow.ts).where(OutboxRow.id.in_(ids))
    return {i: (c, ts) for i, c, ts in session.execute(stmt)}


def _claimed(row: OutboxRow, parents: dict[int, tuple[str | None, str | None]]) -> Claimed:
    channel, thread_ts = (row.channel, None) if row.parent_id is None else parents[row.parent_id]
    assert row.lane is not None
    return Claimed(
        id=row.id,
        parent_id=row.parent_id,
        position=row.position,
        batch_id=row.batch_id,
        channel=None if row.dm else channel,
        thread_ts=thread_ts,
        fallback_user=row.fallback_user,
        payload=dict(row.payload),
        dm=row.dm,
        lane=row.lane,
        attempts=row.attempts + 1,
        unsure=row.unsure or row.status == SENDING,
        created_at=row.created_at,
        deadline=row.deadline,
    )
