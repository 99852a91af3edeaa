"""Fixtures for the outbox: a migrated database (SQLite and PostgreSQL), a fake Slack, a clock the test drives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.config import Config
from bot.outbox.worker import Worker, make_worker_client
from fakes.slack import FakeSlack
from tests.outbox.helpers import Clock, Jitter


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
def jitter() -> Jitter:
    # Half the backoff ceiling unless a test says otherwise: retries land at a known time.
    return Jitter([0.5])


@pytest.fixture
def worker(session_factory: sessionmaker[Session], fake: FakeSlack, clock: Clock, jitter: Jitter) -> Iterator[Worker]:
    client = make_worker_client(fake.token, fake.url, 5)
    w = Worker(session_factory, client, Config(), now=clock, rng=jitter, name="test-worker")
    yield w
    w.close()
