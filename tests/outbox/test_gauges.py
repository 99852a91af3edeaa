"""The outbox gauges, read from the database at scrape time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import generate_latest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings
from licensing.types import utcnow
from storage.outbox.rows import DEAD, SENDING, OutboxRow
from tests.outbox.helpers import enqueue, thread
from tests.scrape import Samples, parse, value


def scrape(url: str) -> Samples:
    deps = bootstrap(Settings(database_url=url))  # type: ignore[call-arg]
    try:
        return parse(generate_latest(deps.metrics.registry).decode())
    finally:
        deps.close()


def test_an_empty_outbox_reads_zero_everywhere(migrated_url: str) -> None:
    m = scrape(migrated_url)
    gauges = (
        "licensebot_outbox_up",
        "licensebot_outbox_pending",
        "licensebot_outbox_dead",
        "licensebot_outbox_oldest_pending_age_seconds",
    )
    assert {g: value(m, g) for g in gauges} == dict.fromkeys(gauges, 0) | {"licensebot_outbox_up": 1}
    assert ("licensebot_outbox_pending", frozenset()) in m  # present and zero, not missing


def test_pending_in_flight_and_dead_messages_and_the_oldest_wait(
    migrated_url: str, session_factory: sessionmaker[Session]
) -> None:
    first, second, third = enqueue(session_factory, thread("C1", "a", replies=1), thread("C2", "b"), thread("C3", "c"))
    an_hour_ago, a_day_ago = utcnow() - timedelta(hours=1), utcnow() - timedelta(days=1)
    with session_factory() as s, s.begin():
        s.execute(update(OutboxRow).where(OutboxRow.id == first).values(created_at=an_hour_ago))
        s.execute(update(OutboxRow).where(OutboxRow.id == second).values(status=SENDING))
        s.execute(update(OutboxRow).where(OutboxRow.id == third).values(status=DEAD, created_at=a_day_ago))
    m = scrape(migrated_url)
    assert value(m, "licensebot_outbox_pending") == 3  # a's parent and reply, b in flight; c is dead, not waiting
    assert value(m, "licensebot_outbox_dead") == 1
    age = value(m, "licensebot_outbox_oldest_pending_age_seconds")
    assert 3600 <= age < 3600 + 300  # a's parent, not the older dead one
