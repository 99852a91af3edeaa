"""The outbox tables: one row per message of a thread, and the per-lane pacing shared by every worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import AutoId, UTCDateTime

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
UNDELIVERED = (PENDING, SENDING)  # what a claim looks at


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index(None, "parent_id", "position"),  # a parent's replies, whatever became of them
        Index(None, "status", "next_at"),  # what is due
        # A lane's undelivered messages, oldest first: a claim's one probe per lane. Partial, so delivered history
        # never makes it bigger.
        Index(
            None,
            "lane",
            "id",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
        # A reply's earlier siblings still to send (a claim's in-order check), and a parent's replies waiting for
        # it; partial for the same reason.
        Index(
            "ix_outbox_parent_id_position_undelivered",
            "parent_id",
            "position",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
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


def dm_lane(user: str) -> str:
    return f"@{user}"
