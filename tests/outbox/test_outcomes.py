"""Recording a claim's deliveries together: one transaction for all, and a lost lease changes nothing of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from storage.outbox import claims, outcomes
from storage.outbox.rows import OutboxChannelRow, OutboxRow
from tests.outbox.helpers import Clock, enqueue, rows, texts, thread


def lanes(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as s:
        return {lane: at for lane, at in s.execute(select(OutboxChannelRow.channel, OutboxChannelRow.next_at))}


def test_deliveries_are_recorded_together_and_one_whose_lease_was_lost_is_left_alone(
    session_factory: sessionmaker[Session], clock: Clock
) -> None:
    one, lost, three = enqueue(session_factory, thread("C1", "one", replies=1), thread("C2", "lost"), thread("C3", "3"))
    with session_factory() as s:
        taken = {m.lane: m for m in claims.claim(s, worker="w", now=clock(), lease=timedelta(seconds=60), limit=10)}
    assert sorted(taken) == ["C1", "C2", "C3"]
    taken_over_until = clock() + timedelta(seconds=99)
    with session_factory() as s:  # the lease ran out and another worker took C2's message (and its lane) over
        s.execute(update(OutboxRow).where(OutboxRow.id == lost).values(claimed_by="other"))
        s.execute(update(OutboxChannelRow).where(OutboxChannelRow.channel == "C2").values(next_at=taken_over_until))
        s.commit()
    delivered = [
        outcomes.Delivered(taken[lane], lane, f"1.{n}", clock() + timedelta(seconds=n))
        for n, lane in enumerate(["C1", "C2", "C3"], start=1)
    ]
    with session_factory() as s:
        assert outcomes.mark_sent(s, delivered, worker="w") == {one, three}
    stored = rows(session_factory)
    assert [(stored[i].status, stored[i].sent_channel, stored[i].ts) for i in (one, three)] == [
        ("sent", "C1", "1.1"),
        ("sent", "C3", "1.3"),
    ]
    assert (stored[lost].status, stored[lost].claimed_by, stored[lost].ts) == ("sending", "other", None)
    assert stored[one + 1].lane == "C1"  # the reply may go now, into where its parent landed
    paced = lanes(session_factory)
    assert paced["C1"] == clock() + timedelta(seconds=1) and paced["C3"] == clock() + timedelta(seconds=3)
    assert paced["C2"] == taken_over_until  # the other worker's to free


def test_a_claim_is_recorded_in_one_transaction_whatever_its_size(
    engine: Engine, session_factory: sessionmaker[Session], worker: Worker, fake: FakeSlack
) -> None:
    enqueue(session_factory, *(thread(f"C{i}", f"t{i}", batch=f"b{i}") for i in range(6)))
    commits: list[object] = []

    def count(conn: object) -> None:
        commits.append(conn)

    event.listen(engine, "commit", count)
    try:
        assert worker.run_once() == 6
    finally:
        event.remove(engine, "commit", count)
    assert len(commits) == 2  # the claim, then the six deliveries
    assert [texts(fake, f"C{i}") for i in range(6)] == [[f"t{i} parent"] for i in range(6)]
    assert worker.stats.sent == 6
