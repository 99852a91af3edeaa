"""Messages a use case leaves for delivery, written in the same transaction as the change they report.

The domain does not know Slack: a payload is an opaque dict the bot rendered (text, blocks); the outbox worker
delivers it. A thread is a parent and its replies, delivered in order, replies only once the parent exists. A reply
can also be queued later, under a parent queued earlier (an outcome in the thread of the request that led to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

# A message not delivered this long after it was queued is given up on (dead) and listed for an operator.
DELIVERY_DEADLINE = timedelta(hours=24)


@dataclass(frozen=True)
class OutgoingThread:
    channel: str | None  # None: straight to the operator by direct message
    fallback_user: str  # who gets it by direct message when the channel refuses it
    parent: dict[str, Any]
    replies: tuple[dict[str, Any], ...] = ()
    batch_id: str | None = None
    kind: str = "confirmation"


@dataclass(frozen=True)
class OutgoingReply:
    """A reply to a thread queued earlier: `parent` is the outbox id `Outbox.add_thread` returned for it."""

    parent: int
    payload: dict[str, Any]
    kind: str = "reply"
