"""Queueing a thread: rows written in the caller's transaction, so the message exists exactly when the change does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from licensing.notifications import DELIVERY_DEADLINE, OutgoingReply, OutgoingThread
from licensing.types import utcnow
from storage.outbox import lanes
from storage.outbox.rows import DEAD, PENDING, SENT, OutboxRow, dm_lane


class SqlOutbox:
    """Implements `licensing.ports.Outbox`: queues inside the caller's transaction, commits nothing."""

    def __init__(self, session: Session, *, deadline: timedelta = DELIVERY_DEADLINE) -> None:
        self._session = session
        self._deadline = deadline

    def add_thread(self, thread: OutgoingThread) -> int:
        common = self._common(thread.kind, thread.batch_id, thread.channel, thread.fallback_user)
        lane = thread.channel or dm_lane(thread.fallback_user)
        parent = {**common, "position": 0, "payload": thread.parent, "lane": lane, "dm": thread.channel is None}
        lanes.ensure(self._session, [lane])
        parent_id = int(self._session.execute(insert(OutboxRow).values(parent).returning(OutboxRow.id)).scalar_one())
        if thread.replies:
            rows = [
                {**common, "position": i, "payload": p, "parent_id": parent_id, "lane": None}
                for i, p in enumerate(thread.replies, start=1)
            ]
            self._session.execute(insert(OutboxRow), rows)
        return parent_id

    def add_reply(self, reply: OutgoingReply) -> int:
        # The parent row locked: two replies added at once get distinct positions, and a parent being marked sent
        # right now either gave its lane to the replies before this one (then this one takes it from the row) or
        # gives it to this one too.
        parent = self._session.scalars(
            select(OutboxRow).where(OutboxRow.id == reply.parent).with_for_update()
        ).one_or_none()
        if parent is None:
            raise LookupError(f"no outbox thread {reply.parent} to reply to")
        if parent.status == DEAD:  # the thread will never be posted: the reply alone, to whoever would have had it
            return self.add_thread(OutgoingThread(None, parent.fallback_user, reply.payload, kind=reply.kind))
        last = self._session.scalar(select(func.max(OutboxRow.position)).where(OutboxRow.parent_id == parent.id))
        lane = parent.sent_channel if parent.status == SENT else None  # else mark_sent gives it when it lands
        if lane is not None:
            lanes.ensure(self._session, [lane])
        common = self._common(reply.kind, parent.batch_id, parent.channel, parent.fallback_user)
        row = {**common, "position": (last or 0) + 1, "payload": reply.payload, "parent_id": parent.id, "lane": lane}
        return int(self._session.execute(insert(OutboxRow).values(row).returning(OutboxRow.id)).scalar_one())

    def _common(self, kind: str, batch_id: str | None, channel: str | None, fallback_user: str) -> dict[str, Any]:
        now = utcnow()
        return {
            "kind": kind,
            "batch_id": batch_id,
            "channel": channel,
            "fallback_user": fallback_user,
            "status": PENDING,
            "attempts": 0,
            "unsure": False,
            "dm": False,
            "created_at": now,
            "deadline": now + self._deadline,
            "next_at": now,
        }
