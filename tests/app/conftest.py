"""The real app (HTTP mode, Starlette + Bolt) on a migrated SQLite database, talking to a fake Slack on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.runtime.bootstrap import bootstrap, delivery_worker, slack_app
from bot.runtime.serve import http_app
from bot.settings import Settings
from bot.slack import timezones
from fakes.slack import FakeSlack
from licensing.directory import import_directory
from licensing.directory.file import load_directory
from storage.migrate import upgrade
from tests.app.driver import SECRET, Bot

DIRECTORY = Path(__file__).with_name("directory.yaml")


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    """Settings a test module overrides for its `bot` (e.g. the acknowledgement budget)."""
    return {}


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, bot_settings: dict[str, Any]) -> Iterator[Bot]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    timezones.forget_all()  # this test's fake Slack may listen on a port an earlier one used, with other zones
    settings = Settings(
        database_url=url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.url,
        outbox_channel_interval_s=0,
        **bot_settings,
    )  # type: ignore[arg-type]
    deps = bootstrap(settings)
    import_directory(load_directory(DIRECTORY), uow=deps.uow_factory())
    app = slack_app(deps)
    worker = delivery_worker(deps)  # driven by the tests (Bot.deliver), not by a scheduler: no waiting on timers
    with TestClient(http_app(app, deps)) as http:
        yield Bot(deps, fake_slack, http, worker)
    # Let listeners still running after their ack finish before the fake Slack and the database go away.
    app.listener_runner.listener_executor.shutdown(wait=True)
    worker.close()
    deps.close()
