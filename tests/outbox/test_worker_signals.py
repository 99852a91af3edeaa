"""`licensebot worker` as a real process with LICENSEBOT_LOG_FORMAT=json and LICENSEBOT_METRICS_PORT: the listener a
process without an HTTP server of its own is scraped on, and its log lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from fakes.slack import FakeSlack
from tests.net import free_port
from tests.outbox.helpers import enqueue, thread
from tests.scrape import Samples, parse, value

pytestmark = pytest.mark.slow  # starts processes

LICENSEBOT = str(Path(sys.executable).with_name("licensebot"))


def scrape_until_sent(base: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> Samples:
    deadline = time.monotonic() + timeout
    while True:
        try:
            samples = parse(httpx.get(f"{base}/metrics", timeout=2).text)
            if value(samples, "licensebot_deliveries_total", result="sent") >= 1:
                return samples
        except httpx.TransportError:
            pass  # not listening yet
        assert proc.poll() is None and time.monotonic() < deadline, "the worker delivered nothing"
        time.sleep(0.1)


def test_the_worker_serves_metrics_and_readiness_and_logs_json(
    migrated_url: str, session_factory: sessionmaker[Session], fake: FakeSlack, tmp_path: Path
) -> None:
    enqueue(session_factory, thread("C1", "t", batch="batch-77"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": migrated_url,
        "SLACK_BOT_TOKEN": fake.token,
        "SLACK_API_URL": fake.url,
        "OUTBOX_POLL_S": "0.05",
        "LICENSEBOT_LOG_FORMAT": "json",
        "LICENSEBOT_METRICS_PORT": str(port),
    }
    proc = subprocess.Popen(
        [LICENSEBOT, "worker"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        samples = scrape_until_sent(base, proc)
        ready = httpx.get(f"{base}/readyz", timeout=5)
        alive = httpx.get(f"{base}/healthz", timeout=5)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert (ready.status_code, ready.text, alive.status_code) == (200, "ready", 200)
    assert value(samples, "licensebot_outbox_up") == 1
    lines = [json.loads(line) for line in err.decode().splitlines()]  # every line is one JSON object
    assert any(line["message"].startswith("outbox worker ") and "started" in line["message"] for line in lines)
    sent = next(line for line in lines if line["logger"] == "licensebot.outbox" and " sent ts=" in line["message"])
    assert sent["batch"] == "batch-77" and sent["level"] == "INFO"
    assert fake.token not in err.decode()
