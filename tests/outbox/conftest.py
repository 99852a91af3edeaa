"""Fixtures for the outbox: a migrated database (SQLite and PostgreSQL), a fake Slack, a clock the test drives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import Config, Worker, make_worker_client
from fakes.slack import FakeSlack
from licensing.notifications import OutgoingThread
from storage.outbox.rows import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.integration.conftest import db_url, engine, migrated_url, session_factory  # noqa: F401  (fixtures)

OPERATOR = "UOPER01"


@dataclass
class Clock:
    """The worker's `now()`: moves only when the test says so."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(wall_clock_ts=True) as fake:
        yield fake
        fake.assert_valid()


@pytest.fixture
def clock() -> Clock:
    # A second ahead of the real clock, so what is queued now is due at once.
    return Clock(datetime.now(UTC) + timedelta(seconds=1))


@pytest.fixture
def worker(session_factory: sessionmaker[Session], fake: FakeSlack, clock: Clock) -> Iterator[Worker]:  # noqa: F811
    w = Worker(session_factory, make_worker_client(fake.token, fake.url, 5), Config(), now=clock, name="test-worker")
    yield w
    w.close()


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
