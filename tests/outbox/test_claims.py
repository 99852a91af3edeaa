"""Claiming from the lanes table: what a claim takes, what it skips, and lanes that existed before it did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from storage.migrate import alembic_config, upgrade
from storage.outbox import claims, outcomes
from storage.outbox.rows import OutboxChannelRow, OutboxRow
from tests.outbox.helpers import Clock, Jitter, drain, enqueue, rows, texts, thread

DAY = timedelta(days=1)


def test_a_message_waiting_out_a_backoff_does_not_hold_up_the_next_thread_of_its_channel(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock, jitter: Jitter
) -> None:
    failing, next_one = enqueue(session_factory, thread("C1", "first"), thread("C1", "second"))
    fake.fail_http("chat.postMessage", 503, times=2)
    jitter.values = [0.5, 0.9]  # the first one backs off 0.5 s, then 1.8 s
    assert worker.run_once() == 1
    clock.advance(1)  # the lane is free again, and the first one (the oldest) is due again: it goes first
    assert worker.run_once() == 1
    clock.advance(1)  # the first has 0.8 s more to wait, but the second is due: it goes
    assert worker.run_once() == 1
    assert texts(fake, "C1") == ["second parent"]
    drain(worker, clock)
    assert texts(fake, "C1") == ["second parent", "first parent"]
    assert (rows(session_factory)[failing].attempts, rows(session_factory)[next_one].attempts) == (3, 1)


def test_a_claim_takes_at_most_limit_lanes_the_longest_idle_first(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    enqueue(session_factory, *(thread(f"C{i}", f"t{i}", batch=f"b{i}") for i in range(3)))
    with session_factory() as s:
        s.execute(update(OutboxChannelRow).where(OutboxChannelRow.channel == "C0").values(next_at=clock() - DAY))
        s.commit()
    with session_factory() as s:
        first = claims.claim(s, worker="w", now=clock(), lease=timedelta(seconds=60), limit=2)
    assert [m.lane for m in first] == ["C1", "C2"]  # never used (queued in this test) before C0 (used yesterday)
    with session_factory() as s:
        second = claims.claim(s, worker="w", now=clock(), lease=timedelta(seconds=60), limit=2)
    assert [m.lane for m in second] == ["C0"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite serializes claims instead
def test_a_claim_skips_the_lanes_another_worker_is_claiming_without_waiting(
    session_factory: sessionmaker[Session], engine: Engine, clock: Clock
) -> None:
    enqueue(session_factory, thread("C1", "one"), thread("C2", "two"))
    with engine.connect() as other:  # another worker, in the middle of its claim of C1
        other.execute(select(OutboxChannelRow).where(OutboxChannelRow.channel == "C1").with_for_update())
        with session_factory() as s:
            # Any wait for C1's lock fails the claim at once (LockNotAvailable), on a loaded machine as on an idle one:
            # no clock to read, and nothing else here to wait for.
            s.execute(text("SET lock_timeout = '10ms'"))
            s.commit()
            taken = claims.claim(s, worker="w", now=clock(), lease=timedelta(seconds=60), limit=10)
        assert [m.lane for m in taken] == ["C2"]
        other.rollback()


def test_lanes_queued_before_revision_0007_get_their_row_and_are_delivered(
    db_url: str, engine: Engine, session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        conn.commit()
    [parent] = enqueue(session_factory, thread("C1", "old", replies=1))
    with session_factory() as s:  # as revision 0004 left them: lanes got their row at the first claim only
        s.execute(delete(OutboxChannelRow))
        s.commit()
    upgrade(db_url)
    with session_factory() as s:
        assert list(s.scalars(select(OutboxChannelRow.channel))) == ["C1"]
    drain(worker, clock)
    assert texts(fake, "C1") == ["old parent", "old reply 1"]
    assert rows(session_factory)[parent].status == "sent"


def _claim_buffers(engine: Engine, now: datetime) -> int:
    """Shared buffers the claim's lane query touches, as PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) counts them."""
    compiled = claims.due_lanes(now, 50).compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled), compiled.params)
        buffers = int(plan.scalar_one()[0]["Plan"]["Shared Hit Blocks"])
        conn.rollback()  # the plan's FOR UPDATE took locks
    return buffers


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_claims_work_does_not_grow_with_the_backlog_while_its_statistics_lag_behind(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    """Each lane's head is a thread's second reply, so the claim checks its earlier siblings. On a backlog queued
    faster than autovacuum analyses it, PostgreSQL once answered that check by reading the whole index of undelivered
    messages for every lane (a claim of 50 from 10,000 messages read 7,900 buffers, 50 ms of the database's CPU);
    the index of undelivered messages by thread keeps it one probe."""

    def backlog(threads: int) -> int:
        with session_factory() as s:  # a fresh backlog each time: nothing left over, no statistics of it
            s.execute(delete(OutboxRow).where(OutboxRow.parent_id.is_not(None)))
            s.execute(delete(OutboxRow))
            s.commit()
        enqueue(session_factory, *(thread(f"C{i % 20}", f"t{i}", replies=4, batch=f"b{i}") for i in range(threads)))
        now = datetime.now(UTC) + timedelta(seconds=1)  # queuing takes a while: everything is due by now
        for _ in range(2):  # each lane's first thread sends its parent, then its first reply
            with session_factory() as s:
                taken = claims.claim(s, worker="w", now=now, lease=timedelta(seconds=60), limit=50)
                sent = [outcomes.Delivered(m, m.lane, f"{m.id}.0", now) for m in taken]
                outcomes.mark_sent(s, sent, worker="w")
            assert len(taken) == 20
        return _claim_buffers(engine, now)

    small, large = backlog(40), backlog(1_000)  # 200 and 5,000 messages over the same 20 lanes
    assert large < 3 * small, (small, large)
