"""The outbox: messages written in the same transaction as the change they report, delivered later by a worker.

A thread is a parent row (position 0) and its reply rows (position 1..n, `parent_id` set). Each row moves
pending -> sending -> sent, or ends dead. The delivery logic (what to do with Slack's answer) lives in bot/outbox.py;
this module owns the rows and the claim.

Claiming is safe with any number of workers on one PostgreSQL: candidate rows are locked `FOR UPDATE SKIP LOCKED`,
and so are the per-channel rows in `outbox_channels`, so two workers never take the same message, nor two messages
for the same channel at once. On SQLite the claim runs under `BEGIN IMMEDIATE`, which serializes claims; one worker
process is the supported shape there.

A "lane" is what the per-channel pacing is keyed by: the channel a message goes to, or `@<user>` for a direct
message whose D-channel is not known until conversations.open answers. Replies get their lane (the channel the
parent landed in) when the parent is marked sent; until then they cannot be claimed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from licensing.notifications import OutgoingThread
from storage.bulk import rowcount
from storage.db import begin_write
from storage.models import Base
from storage.types import AutoId, UTCDateTime

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
DEFAULT_DEADLINE = timedelta(hours=24)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "parent_id", "position"),  # a reply's earlier siblings; a parent's replies
        Index(None, "status", "next_at"),  # what is due
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)
    batch_id: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str | None] = mapped_column(String)  # where the thread was meant to go; NULL: by DM
    fallback_user: Mapped[str] = mapped_column(String)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String)
    attempts: Mapped[int] = mapped_column(Integer)
    # A previous attempt may have reached Slack (timeout, reset, 5xx, or a crash while 'sending'): look first.
    unsure: Mapped[bool] = mapped_column(Boolean)
    dm: Mapped[bool] = mapped_column(Boolean)  # a parent going (or gone) to the fallback user by DM
    lane: Mapped[str | None] = mapped_column(String)  # NULL for a reply whose parent is not sent yet
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_channel: Mapped[str | None] = mapped_column(String)
    ts: Mapped[str | None] = mapped_column(String)
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxChannelRow(Base):
    """When each lane may next be sent to: shared by every worker, so replicas pace a channel together."""

    __tablename__ = "outbox_channels"

    channel: Mapped[str] = mapped_column(String, primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)


@contextmanager
def _write(session: Session) -> Iterator[None]:
    """A write transaction begun as a writer (BEGIN IMMEDIATE on SQLite), committed at the end."""
    begin_write(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SqlOutbox:
    """Implements `licensing.ports.Outbox`: queues inside the caller's transaction, commits nothing."""

    def __init__(self, session: Session, *, deadline: timedelta = DEFAULT_DEADLINE) -> None:
        self._session = session
        self._deadline = deadline

    def add_thread(self, thread: OutgoingThread) -> int:
        now = _utcnow()
        common = {
            "kind": thread.kind,
            "batch_id": thread.batch_id,
            "channel": thread.channel,
            "fallback_user": thread.fallback_user,
            "status": PENDING,
            "attempts": 0,
            "unsure": False,
            "dm": False,
            "created_at": now,
            "deadline": now + self._deadline,
            "next_at": now,
        }
        lane = thread.channel or dm_lane(thread.fallback_user)
        parent = {**common, "position": 0, "payload": thread.parent, "lane": lane, "dm": thread.channel is None}
        parent_id = int(self._session.execute(insert(OutboxRow).values(parent).returning(OutboxRow.id)).scalar_one())
        if thread.replies:
            rows = [
                {**common, "position": i, "payload": p, "parent_id": parent_id, "lane": None}
                for i, p in enumerate(thread.replies, start=1)
            ]
            self._session.execute(insert(OutboxRow), rows)
        return parent_id


def dm_lane(user: str) -> str:
    return f"@{user}"


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


# --- outcomes: each its own short transaction, guarded by the lease holder ----------------------------------------


def _mine(message: Claimed, worker: str) -> Any:
    return and_(OutboxRow.id == message.id, OutboxRow.status == SENDING, OutboxRow.claimed_by == worker)


def _release_lane(session: Session, lane: str, until: datetime) -> None:
    session.execute(update(OutboxChannelRow).where(OutboxChannelRow.channel == lane).values(next_at=until))


def mark_sent(
    session: Session, message: Claimed, *, worker: str, channel: str, ts: str, lane_free_at: datetime
) -> bool:
    """Record the delivery; False if the lease was lost (another worker took over and will find the message)."""
    with _write(session):
        done = rowcount(
            session.execute(
                update(OutboxRow)
                .where(_mine(message, worker))
                .values(status=SENT, sent_channel=channel, ts=ts, claimed_by=None, lease_until=None, last_error=None)
            )
        )
        if done and message.parent_id is None:  # the replies may go now, into wherever the parent landed
            session.execute(update(OutboxRow).where(OutboxRow.parent_id == message.id).values(lane=channel))
        _release_lane(session, message.lane, lane_free_at)
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
    with _write(session):
        done = rowcount(session.execute(update(OutboxRow).where(_mine(message, worker)).values(values)))
        _release_lane(session, message.lane, lane_free_at)
    return bool(done)


def release(session: Session, message: Claimed, *, worker: str, now: datetime) -> None:
    """Hand a claimed message back untried (the worker is stopping): as it was before the claim."""
    with _write(session):
        session.execute(
            update(OutboxRow)
            .where(_mine(message, worker))
            .values(
                status=PENDING, attempts=message.attempts - 1, unsure=message.unsure, claimed_by=None, lease_until=None
            )
        )
        _release_lane(session, message.lane, now)


def mark_dead(session: Session, message: Claimed, *, worker: str, error: str, lane_free_at: datetime) -> list[int]:
    """Give up on the message, and on whatever of its thread can now never be sent in order; returns those ids."""
    with _write(session):
        done = rowcount(
            session.execute(
                update(OutboxRow)
                .where(_mine(message, worker))
                .values(status=DEAD, last_error=error, claimed_by=None, lease_until=None)
            )
        )
        _release_lane(session, message.lane, lane_free_at)
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


# --- the operator's view: `licensebot outbox` ----------------------------------------------------------------------


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
        )  # fmt: skip
        for r in session.scalars(stmt)
    ]


def requeue(session: Session, outbox_id: int, *, now: datetime, deadline: timedelta) -> list[int] | None:
    """Send a message again: back to pending with a fresh deadline, with the dead rest of its thread after it.

    None if there is no such message. A message already sent or on its way is left alone (returns []).
    """
    with _write(session):
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
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id)
                .values(dm=row.channel is None, lane=row.channel or dm_lane(row.fallback_user))
            )
        return sorted(
            session.scalars(
                update(OutboxRow).where(scope, OutboxRow.status == DEAD).values(values).returning(OutboxRow.id)
            )
        )
