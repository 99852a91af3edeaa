"""What a contract test is given: one implementation of licensing.ports, and how to read what it queued."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from licensing.notifications import OutgoingThread
from licensing.ports import UnitOfWork
from storage.outbox.rows import OutboxRow


@dataclass(frozen=True)
class Backend:
    name: str
    uow: Callable[[], UnitOfWork]  # a fresh unit of work on the backend's one store
    refused: type[Exception]  # what a write the database refuses raises
    queued: Callable[[], list[OutgoingThread]]  # the outbox as the delivery worker reads it, oldest first


def queued(sessions: sessionmaker[Session]) -> list[OutgoingThread]:
    with sessions() as s:
        rows = list(s.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    replies = {r.id: tuple(c.payload for c in rows if c.parent_id == r.id) for r in rows}
    return [
        OutgoingThread(r.channel, r.fallback_user, r.payload, replies[r.id], r.batch_id, r.kind)
        for r in rows
        if r.parent_id is None
    ]
