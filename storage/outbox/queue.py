"""Queueing a thread: rows written in the caller's transaction, so the message exists exactly when the change does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from licensing.notifications import DELIVERY_DEADLINE, OutgoingThread
from licensing.types import utcnow
from storage.outbox import lanes
from storage.outbox.rows import PENDING, OutboxRow, dm_lane


class SqlOutbox:
    """Implements `licensing.ports.Outbox`: queues inside the caller's transaction, commits nothing."""

    def __init__(self, session: Session, *, deadline: timedelta = DELIVERY_DEADLINE) -> None:
        self._session = session
        self._deadline = deadline

    def add_thread(self, thread: OutgoingThread) -> int:
        now = utcnow()
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
        lanes.ensure(self._session, [lane])
        parent_id = int(self._session.execute(insert(OutboxRow).values(parent).returning(OutboxRow.id)).scalar_one())
        if thread.replies:
            rows = [
                {**common, "position": i, "payload": p, "parent_id": parent_id, "lane": None}
                for i, p in enumerate(thread.replies, start=1)
            ]
            self._session.execute(insert(OutboxRow), rows)
        return parent_id
