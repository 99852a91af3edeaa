"""A reply the channel refuses after its parent was posted there: the rest of the thread moves to the operator's DM,
under a copy of the parent, instead of dying."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.dm import MAX_BLOCKS, dm_copy, moved_note
from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from tests.outbox.helpers import OPERATOR, Clock, drain, enqueue, payload, rows, texts, thread


def test_a_refused_reply_goes_with_the_rest_of_its_thread_to_the_dm_under_a_copy_of_the_parent(
    session_factory: sessionmaker[Session],
    worker: Worker,
    fake: FakeSlack,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=3))
    assert worker.run_once() == 1  # the parent
    clock.advance(1)
    assert worker.run_once() == 1  # reply 1
    clock.advance(1)
    fake.fail_channel("C1", "not_in_channel")  # the bot was removed from the channel
    drain(worker, clock)

    assert texts(fake, "C1") == ["t parent", "t reply 1"]  # what was there stays there
    dm = fake.dm_channel(OPERATOR)
    assert texts(fake, dm) == ["t parent", "t reply 2", "t reply 3"]
    copy, *replies = fake.messages(dm)
    assert copy["blocks"][0] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": moved_note("C1", "not_in_channel")}],
    }
    assert copy["blocks"][1:] == payload("t parent")["blocks"]
    assert [m.get("thread_ts") for m in replies] == [copy["ts"], copy["ts"]]

    stored = rows(session_factory)
    assert {r.status for r in stored.values()} == {"sent"}
    [copy_row] = [r for r in stored.values() if r.id not in range(parent, parent + 4)]
    assert (copy_row.parent_id, copy_row.channel, copy_row.dm, copy_row.sent_channel, copy_row.ts) == (
        None,
        None,
        True,
        dm,
        copy["ts"],
    )
    assert [stored[parent + i].parent_id for i in (1, 2, 3)] == [parent, copy_row.id, copy_row.id]
    assert [stored[parent + i].sent_channel for i in (2, 3)] == [dm, dm]
    assert f"outbox id={parent + 2} batch=b1 channel=C1 refused (not_in_channel)" in caplog.text


def test_the_first_reply_refused_moves_every_reply(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    enqueue(session_factory, thread("C1", "t", replies=2))
    assert worker.run_once() == 1
    clock.advance(1)
    fake.fail_channel("C1", "is_archived")
    drain(worker, clock)
    assert texts(fake, "C1") == ["t parent"]
    assert texts(fake, fake.dm_channel(OPERATOR)) == ["t parent", "t reply 1", "t reply 2"]
    assert {r.status for r in rows(session_factory).values()} == {"sent"}


def test_when_the_dm_refuses_too_the_copy_and_the_rest_of_the_thread_are_dead(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread("C1", "t", replies=2))
    assert worker.run_once() == 1
    clock.advance(1)
    fake.fail_channel("C1", "channel_not_found")
    fake.fail_channel(fake.dm_channel(OPERATOR), "is_archived")
    drain(worker, clock)
    stored = rows(session_factory)
    assert stored[parent].status == "sent"
    assert sorted(r.status for r in stored.values() if r.id != parent) == ["dead"] * 3  # the copy and both replies
    # The channel once for the parent and once for reply 1, then the DM once, for the copy: no loop.
    assert [c.args["channel"] for c in fake.calls("chat.postMessage")] == ["C1", "C1", fake.dm_channel(OPERATOR)]


def test_a_reply_refused_in_the_dm_is_dead_not_moved_again(
    session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack, clock: Clock
) -> None:
    [parent] = enqueue(session_factory, thread(None, "t", replies=2))
    assert worker.run_once() == 1  # the parent, by DM
    clock.advance(1)
    fake.fail_channel(fake.dm_channel(OPERATOR), "is_archived")
    drain(worker, clock)
    stored = rows(session_factory)
    assert [r.status for r in stored.values()] == ["sent", "dead", "dead"]
    assert len(stored) == 3 and stored[parent + 1].last_error == "is_archived"


def test_the_dm_copy_names_the_channel_above_the_blocks_or_else_above_the_text() -> None:
    note = moved_note("C1", "not_in_channel")
    assert note == "Posted in <#C1>, which refused the rest of this thread (not_in_channel): it continues here."
    with_blocks = payload("hello")
    assert dm_copy(with_blocks, "C1", "not_in_channel") == {
        "text": "hello",
        "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}, *with_blocks["blocks"]],
    }
    assert dm_copy({"text": "hello"}, "C1", "not_in_channel") == {"text": f"{note}\nhello"}
    full = {"text": "hello", "blocks": with_blocks["blocks"] * MAX_BLOCKS}
    assert dm_copy(full, "C1", "not_in_channel") == {**full, "text": f"{note}\nhello"}
