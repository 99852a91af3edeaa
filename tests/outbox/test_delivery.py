"""The worker against a fake Slack, on SQLite and PostgreSQL, with a driven clock: no test sleeps for Slack."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.backoff import backoff_s
from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from tests.outbox.helpers import OPERATOR, Clock, Jitter, drain, enqueue, outbox_ids, rows, texts, thread


def test_a_thread_is_delivered_in_order_into_its_channel(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=2))
    drain(worker, clock)
    stored = rows(session_factory)
    assert texts(fake, "C1") == ["t parent", "t reply 1", "t reply 2"]
    assert outbox_ids(fake, "C1") == [parent, parent + 1, parent + 2]
    assert [r.status for r in stored.values()] == ["sent"] * 3
    parent_ts = stored[parent].ts
    assert [m.get("thread_ts") for m in fake.messages("C1")[1:]] == [parent_ts, parent_ts]
    assert [m["ts"] for m in fake.messages("C1")] == [r.ts for r in stored.values()]


def test_a_429_burst_waits_exactly_as_long_as_slack_says(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t"))
    fake.fail_http("chat.postMessage", 429, retry_after=7, times=2)
    assert worker.run_once() == 1  # 429: wait 7 s
    clock.advance(6.999)
    assert worker.run_once() == 0
    clock.advance(0.001)
    assert worker.run_once() == 1  # 429 again
    clock.advance(6.9)
    assert worker.run_once() == 0
    clock.advance(0.1)
    assert worker.run_once() == 1
    assert texts(fake, "C1") == ["t parent"]
    assert len(fake.calls("chat.postMessage")) == 3
    assert fake.calls("conversations.history") == []  # a 429 is a clear "no": nothing to look for
    assert rows(session_factory)[mid].status == "sent"


def test_500s_back_off_exponentially_with_full_jitter_and_deliver_once(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock, jitter: Jitter
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t"))
    fake.fail_http("chat.postMessage", 500, times=6)
    jitter.values = [0.5, 0.9, 0.1, 0.75, 0.0, 0.999]
    waits = []
    for _ in range(6):
        assert worker.run_once() == 1
        row = rows(session_factory)[mid]
        waits.append((row.next_at - clock()).total_seconds())
        # Never before the lane's pacing (1 s) nor before the jittered wait, and not a moment later than both.
        ready = max(waits[-1], 1.0)
        clock.advance(ready - 0.01)
        assert worker.run_once() == 0
        clock.advance(0.01)
    # A random share of the ceiling 1, 2, 4, 8, 16, 32 s.
    assert waits == pytest.approx([0.5, 1.8, 0.4, 6.0, 0.0, 31.968])
    assert worker.run_once() == 1
    assert texts(fake, "C1") == ["t parent"]
    row = rows(session_factory)[mid]
    assert (row.status, row.attempts, row.ts) == ("sent", 7, fake.messages("C1")[0]["ts"])


def test_backoff_is_a_random_share_of_a_doubling_ceiling_capped() -> None:
    assert [backoff_s(n, base_s=1, cap_s=300, rng=lambda: 0.5) for n in (1, 2, 3, 9, 10, 20)] == [
        0.5,
        1,
        2,
        128,
        150,
        150,
    ]
    assert backoff_s(4, base_s=2, cap_s=300, rng=lambda: 0.0) == 0


def test_a_connection_reset_after_slack_stored_the_message_sends_no_duplicate(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t", replies=1))
    fake.drop_after("chat.postMessage")  # the parent is stored, the answer never arrives
    assert worker.run_once() == 1
    assert rows(session_factory)[mid].unsure
    fake.drop_after("chat.postMessage")  # ...and once more, for the reply
    drain(worker, clock)
    assert texts(fake, "C1") == ["t parent", "t reply 1"]
    assert len(fake.calls("chat.postMessage")) == 2
    assert len(fake.calls("conversations.history")) == 1 and len(fake.calls("conversations.replies")) == 1
    stored = rows(session_factory)
    assert [(r.status, r.ts) for r in stored.values()] == [("sent", m["ts"]) for m in fake.messages("C1")]


def test_not_in_channel_falls_back_to_a_dm_once_and_the_replies_follow(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    fake.fail_channel("C1", "not_in_channel")
    [mid] = enqueue(session_factory, thread("C1", "t", replies=2))
    drain(worker, clock)
    dm = fake.dm_channel(OPERATOR)
    assert texts(fake, dm) == ["t parent", "t reply 1", "t reply 2"]
    parent_ts = fake.messages(dm)[0]["ts"]
    assert [m.get("thread_ts") for m in fake.messages(dm)[1:]] == [parent_ts, parent_ts]
    assert [c.args["channel"] for c in fake.calls("chat.postMessage")] == ["C1", dm, dm, dm]
    assert {r.sent_channel for r in rows(session_factory).values()} == {dm}
    assert rows(session_factory)[mid].dm


def test_a_dm_that_fails_too_is_dead_with_its_replies(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    fake.fail_channel("C1", "channel_not_found")
    fake.fail_channel(fake.dm_channel(OPERATOR), "is_archived")
    enqueue(session_factory, thread("C1", "t", replies=2))
    drain(worker, clock)
    assert [r.status for r in rows(session_factory).values()] == ["dead"] * 3
    assert len(fake.calls("chat.postMessage")) == 2  # the channel once, the DM once


def test_a_permanent_slack_error_is_dead_at_once_and_other_channels_carry_on(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    fake.fail_channel("C1", "msg_too_long")  # by channel: the worker sends to C1 and C2 at the same time
    bad, good = enqueue(session_factory, thread("C1", "bad"), thread("C2", "good"))
    drain(worker, clock)
    stored = rows(session_factory)
    assert (stored[bad].status, stored[bad].last_error, stored[bad].attempts) == ("dead", "msg_too_long", 1)
    assert stored[good].status == "sent"


def test_after_the_deadline_a_failing_message_is_dead(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t"))
    clock.advance(24 * 3600)
    fake.fail_http("chat.postMessage", 503)
    assert worker.run_once() == 1
    row = rows(session_factory)[mid]
    assert row.status == "dead" and "deadline" in (row.last_error or "")


def test_replies_stay_in_order_when_an_earlier_reply_is_rate_limited(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    enqueue(session_factory, thread("C1", "t", replies=3))
    assert worker.run_once() == 1  # the parent
    clock.advance(1)
    fake.fail_http("chat.postMessage", 429, retry_after=5)
    assert worker.run_once() == 1  # reply 1: 429
    for _ in range(4):
        clock.advance(1)
        assert worker.run_once() == 0  # reply 2 does not overtake it
    drain(worker, clock)
    assert texts(fake, "C1") == ["t parent", "t reply 1", "t reply 2", "t reply 3"]
    ok = [c.args["text"] for c in fake.calls("chat.postMessage") if c.ok]
    assert ok == ["t parent", "t reply 1", "t reply 2", "t reply 3"]


def test_one_message_per_channel_per_interval_and_a_backlog_does_not_block_other_channels(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    enqueue(session_factory, *(thread("CBIG", f"big{i}") for i in range(5)), thread("C2", "small"))
    assert worker.run_once() == 2  # one for each channel
    assert worker.run_once() == 0  # CBIG is paced: not again within the second
    clock.advance(0.999)
    assert worker.run_once() == 0
    clock.advance(0.001)
    assert worker.run_once() == 1
    assert texts(fake, "C2") == ["small parent"]
    assert texts(fake, "CBIG") == ["big0 parent", "big1 parent"]


def test_a_thread_straight_to_the_operator_goes_by_dm(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    enqueue(session_factory, thread(None, "t", replies=1))
    drain(worker, clock)
    assert texts(fake, fake.dm_channel(OPERATOR)) == ["t parent", "t reply 1"]
