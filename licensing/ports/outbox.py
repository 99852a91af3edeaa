"""Messages queued in the transaction that caused them, delivered after it commits."""

from __future__ import annotations

from typing import Protocol

from licensing.notifications import OutgoingReply, OutgoingThread


class Outbox(Protocol):
    def add_thread(self, thread: OutgoingThread) -> int:
        """Queues a parent message and its replies for delivery; returns the parent's outbox id."""
        ...

    def add_reply(self, reply: OutgoingReply) -> int:
        """Queues a reply at the end of a thread queued earlier (sent or not); returns its outbox id. If that thread
        can never be posted (its parent is dead or gone), the reply goes by itself to the thread's fallback user."""
        ...
