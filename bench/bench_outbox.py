"""Outbox benchmark: how fast a backlog drains, and where the time goes; and how pacing spreads across channels.
Against the fake Slack Web API on loopback (Block Kit validation off). Prints figures; asserts nothing about time.

    .venv/bin/python bench/bench_outbox.py      # PostgreSQL from BENCH_PG_URL (default: 127.0.0.1:5432/test)

1. Drain 10,000 messages (2,000 threads of a parent and 4 replies over 200 channels, no per-channel interval):
   SQLite with one worker; PostgreSQL with one and with two worker processes. Messages per second, and the share
   of the workers' time spent in the database versus in Slack calls (summed over each worker's send threads).
2. Spreading: 1,000 messages in one channel plus 1,000 spread over 100 channels, 1 s per-channel interval, one
   worker, stopped after 30 s: the 100 channels finish in about 10 s while the big channel drains at 1/s.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text

from bot.delivery import Config, Worker, make_worker_client
from fakes.slack import FakeSlack
from licensing.notifications import OutgoingThread
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.outbox.rows import OutboxRow
from storage.uow import SqlUnitOfWork

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def payload(text: str) -> dict[str, Any]:
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def enqueue(url: str, threads: list[OutgoingThread]) -> None:
    engine = make_engine(url)
    try:
        with SqlUnitOfWork(make_session_factory(engine)) as uow:
            for t in threads:
                uow.outbox.add_thread(t)
            uow.commit()
    finally:
        engine.dispose()


def backlog(threads: int = 2_000, replies: int = 4, channels: int = 200) -> list[OutgoingThread]:
    return [
        OutgoingThread(f"C{i % channels:03d}", "UOP", payload(f"t{i}"),
                       tuple(payload(f"t{i} r{k}") for k in range(replies)), batch_id=f"b{i}")
        for i in range(threads)
    ]  # fmt: skip


def pending(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stmt = select(func.count()).select_from(OutboxRow).where(OutboxRow.status.in_(["pending", "sending"]))
            return int(conn.scalar(stmt) or 0)
    finally:
        engine.dispose()


def run_worker(url: str, api: str, token: str, interval: float, seconds: float, out: Any) -> None:
    """One replica: drain until nothing is left (or `seconds` pass); report its stats."""
    engine = make_engine(url)
    config = Config(channel_interval=timedelta(seconds=interval), batch=50, concurrency=4)
    worker = Worker(make_session_factory(engine), make_worker_client(token, api, 10), config)
    started = time.monotonic()
    try:
        last_work = time.monotonic()
        # Idle for two intervals (paced channels wait that long) means the backlog is gone.
        while time.monotonic() - started < seconds and time.monotonic() - last_work < max(0.5, 2 * interval):
            if worker.run_once():
                last_work = time.monotonic()
            else:
                time.sleep(0.01)
    finally:
        worker.close()
        engine.dispose()
    s = worker.stats
    out.put({"sent": s.sent, "found": s.found, "db_s": s.db_s, "slack_s": s.slack_s})


def drain(label: str, url: str, fake: FakeSlack, replicas: int) -> None:
    enqueue(url, backlog())
    total = pending(url)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=run_worker, args=(url, fake.url, fake.token, 0.0, 300.0, out)) for _ in range(replicas)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    stats = [out.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    sent = sum(s["sent"] for s in stats)
    db, slack = sum(s["db_s"] for s in stats), sum(s["slack_s"] for s in stats)
    print(
        f"{label:<28} {sent:>6}/{total} sent in {elapsed:5.1f} s = {sent / elapsed:6.0f} msg/s; "
        f"time in DB {db / (db + slack):4.0%}, in Slack calls {slack / (db + slack):4.0%} "
        f"(per message: DB {1000 * db / max(sent, 1):.2f} ms, Slack {1000 * slack / max(sent, 1):.2f} ms)"
    )


def spreading(url: str, fake: FakeSlack) -> None:
    big = [OutgoingThread("CBIG", "UOP", payload(f"big{i}")) for i in range(1_000)]
    small = [OutgoingThread(f"S{i % 100:03d}", "UOP", payload(f"small{i}")) for i in range(1_000)]
    enqueue(url, big + small)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=run_worker, args=(url, fake.url, fake.token, 1.0, 30.0, out))
    started = time.perf_counter()
    proc.start()
    small_done: float | None = None
    while proc.is_alive() and time.perf_counter() - started < 35:
        if small_done is None and sum(len(fake.messages(f"S{i:03d}")) for i in range(100)) == 1_000:
            small_done = time.perf_counter() - started
        time.sleep(0.05)
    out.get(timeout=30)
    proc.join()
    elapsed = time.perf_counter() - started
    bigs = len(fake.messages("CBIG"))
    print(
        f"spreading (1 s per channel): the 1,000 over 100 channels finished in "
        f"{small_done if small_done is not None else float('nan'):.1f} s; the big channel sent {bigs}/1000 "
        f"in {elapsed:.1f} s ({bigs / elapsed:.2f}/s), the rest still queued"
    )


def pg_schema() -> tuple[str, str, Any]:
    admin = create_engine(PG_URL)
    schema = f"bench_outbox_{secrets.token_hex(4)}"
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    upgrade(url)
    return url, schema, admin


def drop(schema: str, admin: Any) -> None:
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for label, replicas, kind in [
            ("SQLite, 1 worker", 1, "sqlite"),
            ("PostgreSQL, 1 worker", 1, "pg"),
            ("PostgreSQL, 2 workers", 2, "pg"),
        ]:
            with FakeSlack(validate=False, wall_clock_ts=True) as fake:
                if kind == "sqlite":
                    url = f"sqlite:///{Path(tmp) / f'outbox{replicas}.db'}"
                    upgrade(url)
                    drain(label, url, fake, replicas)
                else:
                    url, schema, admin = pg_schema()
                    try:
                        drain(label, url, fake, replicas)
                    finally:
                        drop(schema, admin)
        with FakeSlack(validate=False, wall_clock_ts=True) as fake:
            url, schema, admin = pg_schema()
            try:
                spreading(url, fake)
            finally:
                drop(schema, admin)


if __name__ == "__main__":
    main()
