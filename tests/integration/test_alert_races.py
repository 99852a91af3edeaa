"""Two replicas, each with its own engine, released together by a barrier: a Save and the daily job racing, and
two daily jobs racing, send each alert and each reminder once (on both databases; PostgreSQL is what replicas use).

Threads rather than processes: each replica's work is the database's to serialize (the customer's lock and the
guarded reminder claim), and threads release the two at the same moment just as well.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from licensing import alerts
from licensing.alert_types import Alert, AlertPolicy, AlertWatch
from licensing.service import apply, make_change
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.contract.backends import queued
from tests.world import ADMIN, E3, VISIO, load_world, uid

CHANNEL = "CALERTS"
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POLICY = AlertPolicy(default_below=1, exclude=frozenset({VISIO}))


class Texts:
    def raised(self, a: Alert) -> dict[str, Any]:
        return {"text": f"low: {a.product_name} {a.available} left"}

    def reminder(self, a: Alert) -> dict[str, Any]:
        return {"text": f"reminder: {a.product_name}"}

    def recovered(self, a: Alert) -> dict[str, Any]:
        return {"text": f"back above: {a.product_name}"}


WATCH = AlertWatch(POLICY, CHANNEL, Texts())


@pytest.fixture
def replicas(migrated_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two replicas' sessions, each on an engine (and so a connection pool) of its own; the world loaded."""
    engines = [make_engine(migrated_url) for _ in range(2)]
    for e in engines:
        with e.connect():  # connecting is not part of the race
            pass
    sessions = [make_session_factory(e) for e in engines]
    load_world(uow(sessions[0]))
    yield sessions
    for e in engines:
        e.dispose()


def uow(sessions: sessionmaker[Session]) -> SqlUnitOfWork:
    return SqlUnitOfWork(sessions, alerts=WATCH)


def race(*work: Callable[[], object]) -> list[object]:
    """Run each in its own thread, released together; returns what each returned (or raised)."""
    start = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(i: int, fn: Callable[[], object]) -> None:
        start.wait(timeout=30)
        try:
            results[i] = fn()
        except Exception as exc:  # reported: the test asserts none failed
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def texts(sessions: sessionmaker[Session]) -> list[tuple[str, list[str]]]:
    """Every alert thread queued: its parent's text and its replies'."""
    return [(t.parent["text"], [r["text"] for r in t.replies]) for t in queued(sessions) if t.kind == "license_alert"]


def take_last_e3(sessions: sessionmaker[Session]) -> object:
    change = make_change("contoso", [uid("bob")], assign=[E3])
    return apply(change, actor=ADMIN, uow=uow(sessions), clock=lambda: MONDAY_10).results[0].status.value


def test_a_save_and_the_daily_check_racing_send_one_alert(replicas: list[sessionmaker[Session]]) -> None:
    one, two = replicas
    results = race(lambda: take_last_e3(one), lambda: alerts.check_all(uow(two), clock=lambda: MONDAY_10))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert results[0] == "updated"
    assert texts(one) == [("low: Office 365 E3 0 left", [])]


def test_two_daily_jobs_racing_send_one_alert_and_then_one_reminder(replicas: list[sessionmaker[Session]]) -> None:
    one, two = replicas
    with uow(one) as changing:  # a change made outside the bot: no alert yet
        changing.users.change_licenses("contoso", grants=[(uid("bob"), E3)], removals=[])
        changing.commit()
    first = race(*[lambda s=s: alerts.check_all(uow(s), clock=lambda: MONDAY_10) for s in replicas])
    assert sorted(first) == [0, 1]  # type: ignore[type-var]
    later = TUESDAY_9 + timedelta(seconds=1)
    assert sorted(race(*[lambda s=s: alerts.remind_due(uow(s), clock=lambda: later) for s in replicas])) == [0, 1]  # type: ignore[type-var]
    assert texts(one) == [("low: Office 365 E3 0 left", ["reminder: Office 365 E3"])]
