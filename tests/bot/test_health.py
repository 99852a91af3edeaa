"""/readyz against real databases (migrated, empty, behind, unreachable, hanging) and the metrics listener that
Socket Mode and the worker use, over real HTTP on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest

from bot.deps import Deps
from bot.runtime.bootstrap import bootstrap
from bot.runtime.health import Probes, start_listener
from bot.settings import Settings
from storage.migrate import head_revisions, upgrade
from tests.scrape import parse, value

PASSWORD = "s3cret-db-password"


@contextmanager
def deps_for(url: str, timeout_s: float = 2.0) -> Iterator[Deps]:
    deps = bootstrap(Settings(database_url=url, licensebot_probe_timeout_s=timeout_s))
    try:
        yield deps
    finally:
        deps.close()


def test_ready_once_migrated_to_head(migrated_url: str) -> None:
    with deps_for(migrated_url) as deps:
        assert Probes(deps).not_ready() is None


def test_not_ready_on_an_empty_database_nor_on_one_behind_the_migrations(db_url: str) -> None:
    with deps_for(db_url) as deps:
        probes = Probes(deps)
        assert probes.not_ready() == "the database has no schema yet: run `licensebot db upgrade`"
        upgrade(db_url, revision="0003")
        assert probes.not_ready() == f"the database schema is at 0003, not {max(head_revisions())}"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_not_ready_when_postgresql_refuses_and_the_reason_names_no_url_nor_password() -> None:
    url = f"postgresql+psycopg://licensebot:{PASSWORD}@127.0.0.1:{closed_port()}/licensebot"
    with deps_for(url) as deps:
        reason = Probes(deps).not_ready()
    assert reason == "the database cannot be reached (OperationalError)"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word, like a database that stopped answering."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


def test_a_hanging_database_cannot_hold_a_probe_or_a_scrape(silent_server: int) -> None:
    url = f"postgresql+psycopg://licensebot:{PASSWORD}@127.0.0.1:{silent_server}/licensebot"
    with deps_for(url, timeout_s=0.3) as deps:
        probes = Probes(deps)
        started = time.monotonic()
        assert probes.not_ready() == "the database did not answer in time"
        # The check still hangs: the next probe says so at once rather than starting another.
        assert probes.not_ready() == "the database did not answer in time"
        page = probes.metrics().decode()
        elapsed = time.monotonic() - started
    assert elapsed < 3
    assert value(parse(page), "licensebot_outbox_up") == 0
    assert PASSWORD not in page


def test_the_listener_serves_liveness_readiness_and_metrics(migrated_url: str) -> None:
    with deps_for(migrated_url) as deps:
        deps.metrics.delivered("sent")
        server = start_listener(Probes(deps), "127.0.0.1", 0)
        try:
            base = f"http://127.0.0.1:{server.server_port}"
            alive, ready = httpx.get(f"{base}/healthz", timeout=5), httpx.get(f"{base}/readyz", timeout=5)
            metrics, missing = httpx.get(f"{base}/metrics", timeout=5), httpx.get(f"{base}/nope", timeout=5)
        finally:
            server.shutdown()
            server.server_close()
    assert (alive.status_code, alive.json()) == (200, {"ok": True})
    assert (ready.status_code, ready.text) == (200, "ready")
    assert metrics.headers["content-type"].startswith("text/plain")
    samples = parse(metrics.text)
    assert value(samples, "licensebot_deliveries_total", result="sent") == 1
    assert value(samples, "licensebot_outbox_up") == 1
    assert missing.status_code == 404
