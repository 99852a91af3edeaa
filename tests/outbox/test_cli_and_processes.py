"""`licensebot outbox` and `licensebot worker` as real processes: SIGKILL mid-delivery, SIGTERM, two replicas."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from cli import main
from fakes.slack import FakeSlack
from tests.outbox.helpers import enqueue, rows, texts, thread

pytestmark = pytest.mark.slow  # starts processes

LICENSEBOT = str(Path(sys.executable).with_name("licensebot"))
Start = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start(migrated_url: str, fake: FakeSlack, tmp_path: Path) -> Iterator[Start]:
    """Starts `licensebot worker` processes; whatever is still running at the end is killed."""
    procs: list[subprocess.Popen[bytes]] = []

    def run(**settings: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": migrated_url,
            "SLACK_BOT_TOKEN": fake.token,
            "SLACK_API_URL": fake.url,
            "OUTBOX_POLL_S": "0.05",
            **settings,
        }
        log = open(tmp_path / f"worker{len(procs)}.log", "wb")  # the child keeps its own copy
        procs.append(subprocess.Popen([LICENSEBOT, "worker"], cwd=tmp_path, env=env, stdout=log, stderr=log))
        log.close()
        return procs[-1]

    yield run
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=10)


def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": url}, catch_exceptions=False)


def test_a_worker_killed_mid_delivery_leaves_the_message_to_the_next_one_exactly_once(
    session_factory: sessionmaker[Session], fake: FakeSlack, start: Start
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t"))
    fake.hang("chat.postMessage", 30)  # stored, but the answer never comes before the kill
    first = start(OUTBOX_LEASE_S="1")
    fake.wait_for("chat.postMessage")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert rows(session_factory)[mid].status == "sending"
    second = start(OUTBOX_LEASE_S="1")
    wait_until(lambda: rows(session_factory)[mid].status == "sent")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0
    assert texts(fake, "C1") == ["t parent"]
    assert len(fake.calls("chat.postMessage")) == 1
    assert rows(session_factory)[mid].ts == fake.messages("C1")[0]["ts"]


def test_sigterm_finishes_the_message_in_flight(
    session_factory: sessionmaker[Session], fake: FakeSlack, start: Start
) -> None:
    [mid] = enqueue(session_factory, thread("C1", "t"))
    fake.hang("chat.postMessage", 1.0)
    worker = start()
    fake.wait_for("chat.postMessage")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    row = rows(session_factory)[mid]
    assert (row.status, row.ts) == ("sent", fake.messages("C1")[0]["ts"])


def test_outbox_lists_pending_and_dead_and_retry_sends_a_dead_one_again(
    session_factory: sessionmaker[Session], migrated_url: str, fake: FakeSlack, start: Start
) -> None:
    dead, pending = enqueue(session_factory, thread("C1", "dead", replies=1), thread("C2", "pending"))
    fake.fail_channel("C1", "not_in_channel")
    fake.fail("conversations.open", "user_not_found")
    fake.fail_channel("C2", "internal_error")  # Slack failing on its side: retried later, pending meanwhile
    worker = start()
    wait_until(lambda: rows(session_factory)[dead].status == "dead")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    listed = cli(migrated_url, "outbox")
    assert listed.exit_code == 0, listed.output
    table_rows = [line.split() for line in listed.output.splitlines()]
    lines = {r[0]: " ".join(r) for r in table_rows if len(r) > 2 and r[1] in ("pending", "sending", "dead")}
    assert listed.output.splitlines()[-1] == "1 pending, 0 sending, 2 dead"
    assert "dead" in lines[str(dead)] and "user_not_found" in lines[str(dead)]
    assert "dead" in lines[str(dead + 1)]
    assert "pending" in lines[str(pending)] and "internal_error" in lines[str(pending)]

    fake.clear_failures()
    again = cli(migrated_url, "outbox", "retry", str(dead))
    assert (again.exit_code, again.output.strip()) == (0, f"queued again: {dead}, {dead + 1}")
    worker = start()
    wait_until(lambda: {r.status for r in rows(session_factory).values()} == {"sent"})
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    assert texts(fake, "C1") == ["dead parent", "dead reply 1"]
    assert texts(fake, "C2") == ["pending parent"]
    assert cli(migrated_url, "outbox").output.strip() == "outbox: nothing pending, nothing dead"


def test_retry_of_an_unknown_id_exits_2_with_one_line(migrated_url: str) -> None:
    result = cli(migrated_url, "outbox", "retry", "999")
    assert (result.exit_code, result.stderr) == (2, "error: no outbox message 999\n")


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # several replicas is a PostgreSQL shape
def test_two_replicas_deliver_a_backlog_of_1000_exactly_once_and_in_order(
    session_factory: sessionmaker[Session], migrated_url: str, fake: FakeSlack, start: Start, tmp_path: Path
) -> None:
    fake.validate = False  # speed: the payloads are the same few blocks
    threads = [thread(f"C{i % 50:02d}", f"t{i}", replies=4, batch=f"b{i}") for i in range(200)]
    enqueue(session_factory, *threads)
    fast = {"OUTBOX_CHANNEL_INTERVAL_S": "0", "OUTBOX_CONCURRENCY": "4", "OUTBOX_POLL_S": "0.02"}
    workers = [start(**fast), start(**fast)]
    wait_until(lambda: {r.status for r in rows(session_factory).values()} == {"sent"}, timeout=40)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    assert [w.wait(timeout=10) for w in workers] == [0, 0]

    stored = rows(session_factory)
    assert len(stored) == 1000
    delivered: dict[int, dict[str, str]] = {}
    for channel in {f"C{i:02d}" for i in range(50)}:
        for m in fake.messages(channel):
            oid = m["metadata"]["event_payload"]["outbox_id"]
            assert oid not in delivered, f"outbox id {oid} delivered twice"
            delivered[oid] = {"channel": channel, **m}
    assert set(delivered) == set(stored)
    for r in stored.values():
        assert delivered[r.id]["ts"] == r.ts
    for r in (r for r in stored.values() if r.parent_id is None):
        thread_rows = sorted((x for x in stored.values() if x.parent_id == r.id), key=lambda x: x.position)
        ts = [r.ts, *(x.ts for x in thread_rows)]
        assert ts == sorted(ts, key=float), "a thread went out of order"
        assert {delivered[x.id].get("thread_ts") for x in thread_rows} == {r.ts}
    # Both replicas did part of the work: each one's log has lines like "outbox id=12 batch=b3 channel=C03 sent ts=...".
    for log in (tmp_path / "worker0.log", tmp_path / "worker1.log"):
        assert " sent ts=" in log.read_text()
