"""What the outbox tests share: a clock the test drives, threads to queue, and reading back rows and messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from licensing.notifications import OutgoingThread
from storage.outbox.rows import OutboxRow
from storage.uow import SqlUnitOfWork

OPERATOR = "UOPER01"


@dataclass
class Clock:
    """The worker's `now()`: moves only when the test says so."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class Jitter:
    """The worker's random source: hands out `values` in turn, then keeps repeating the last one."""

    values: list[float]

    def __call__(self) -> float:
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


def drain(worker: Worker, clock: Clock, *, step: float = 1.0, rounds: int = 50) -> None:
    """Run the worker, moving the clock on between rounds, until nothing more is due for a while."""
    idle = 0
    for _ in range(rounds):
        idle = 0 if worker.run_once() else idle + 1
        if idle >= 3:
            return
        clock.advance(step)


def payload(text: str) -> dict[str, Any]:
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def thread(channel: str | None, name: str, replies: int = 0, batch: str = "b1") -> OutgoingThread:
    replies_ = tuple(payload(f"{name} reply {i}") for i in range(1, replies + 1))
    return OutgoingThread(channel, OPERATOR, payload(f"{name} parent"), replies_, batch_id=batch)


def enqueue(sessions: sessionmaker[Session], *threads: OutgoingThread) -> list[int]:
    with SqlUnitOfWork(sessions) as uow:
        ids = [uow.outbox.add_thread(t) for t in threads]
        uow.commit()
    return ids


def rows(sessions: sessionmaker[Session]) -> dict[int, OutboxRow]:
    with sessions() as s:
        return {r.id: r for r in s.scalars(select(OutboxRow).order_by(OutboxRow.id))}


def texts(fake: FakeSlack, channel: str) -> list[str]:
    return [m["text"] for m in fake.messages(channel)]


def outbox_ids(fake: FakeSlack, channel: str) -> list[int]:
    return [m["metadata"]["event_payload"]["outbox_id"] for m in fake.messages(channel)]
