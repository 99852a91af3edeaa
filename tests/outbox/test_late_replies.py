"""A reply queued long after its thread (an outcome in the thread of what led to it): it lands at the end of that
thread wherever the thread is, waits for a parent not yet posted, and is not lost with a thread that died."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from licensing.notifications import OutgoingReply
from storage.uow import SqlUnitOfWork
from tests.outbox.helpers import OPERATOR, Clock, drain, enqueue, payload, rows, texts, thread


def reply(sessions: sessionmaker[Session], parent: int, text: str) -> int:
    with SqlUnitOfWork(sessions) as uow:
        reply_id = uow.outbox.add_reply(OutgoingReply(parent, payload(text), kind="outcome"))
        uow.commit()
    return reply_id


def test_a_reply_to_a_posted_thread_goes_under_its_parent_after_the_replies_before_it(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=2))
    drain(worker, clock)
    first = reply(session_factory, parent, "later 1")
    second = reply(session_factory, parent, "later 2")
    drain(worker, clock)

    parent_msg, *replies = fake.messages("C1")
    assert texts(fake, "C1") == ["t parent", "t reply 1", "t reply 2", "later 1", "later 2"]
    assert {m["thread_ts"] for m in replies} == {parent_msg["ts"]}
    stored = rows(session_factory)
    assert [stored[i].position for i in (first, second)] == [3, 4]
    assert [stored[i].kind for i in (first, second)] == ["outcome", "outcome"]


def test_a_reply_queued_before_its_parent_is_posted_waits_for_it(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=1))
    reply(session_factory, parent, "later")
    assert rows(session_factory)[parent + 2].lane is None  # no lane until the parent lands
    drain(worker, clock)

    assert texts(fake, "C1") == ["t parent", "t reply 1", "later"]


def test_a_reply_to_a_thread_sent_by_dm_goes_into_that_dm_thread(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread(None, "t"))
    drain(worker, clock)
    reply(session_factory, parent, "later")
    drain(worker, clock)

    dm = fake.dm_channel(OPERATOR)
    first, later = fake.messages(dm)
    assert (later["text"], later["thread_ts"]) == ("later", first["ts"])


def test_a_reply_to_a_thread_that_died_goes_alone_to_the_fallback_user(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    fake.fail("chat.postMessage", "invalid_blocks", times=1)  # refused for good: the thread dies
    [parent] = enqueue(session_factory, thread("C1", "t"))
    drain(worker, clock)
    assert rows(session_factory)[parent].status == "dead"

    later = reply(session_factory, parent, "later")
    drain(worker, clock)

    stored = rows(session_factory)[later]
    assert (stored.parent_id, stored.dm, stored.status) == (None, True, "sent")
    [message] = fake.messages(fake.dm_channel(OPERATOR))
    assert (message["text"], message.get("thread_ts")) == ("later", None)


def test_a_reply_queued_after_an_earlier_reply_died_is_still_sent(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=1))
    assert worker.run_once() == 1  # the parent
    clock.advance(1)
    fake.fail("chat.postMessage", "invalid_blocks", times=1)  # refused for good: reply 1 dies
    drain(worker, clock)
    assert rows(session_factory)[parent + 1].status == "dead"

    reply(session_factory, parent, "later")
    drain(worker, clock)

    assert texts(fake, "C1") == ["t parent", "later"]
