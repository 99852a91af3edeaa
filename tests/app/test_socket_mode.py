"""The whole flow in Socket Mode: the real app behind Bolt's Socket Mode adapter, connected to a fake Socket Mode
endpoint on loopback that hands it envelopes and checks each acknowledgement and its payload."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.runtime.bootstrap import bootstrap, delivery_worker, slack_app
from bot.runtime.serve import socket_mode_handler
from bot.settings import Settings
from fakes.slack import FakeSlack
from fakes.slack.socket_mode import FakeSocketMode
from licensing.directory import import_directory
from licensing.directory.file import load_directory
from licensing.types import Desired
from storage.migrate import upgrade
from tests.app.driver import ADMIN, E5, Bot, SlackUser, manage, save, tick

DIRECTORY = Path(__file__).with_name("directory.yaml")


@dataclass
class Answer:
    """What the driver reads of an answer: the acknowledgement's payload, as an HTTP reply would carry it."""

    payload: dict[str, Any] | None
    status_code: int = 200

    @property
    def content(self) -> bytes:
        return json.dumps(self.payload).encode() if self.payload else b""

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return self.payload


class SocketUser(SlackUser):
    """The same person, whose requests travel as Socket Mode envelopes instead of signed HTTP posts."""

    def __init__(self, sockets: FakeSocketMode, fake: FakeSlack, user_id: str) -> None:
        super().__init__(None, fake, "unused", user_id)  # type: ignore[arg-type]
        self.sockets = sockets

    def post(self, body: str, *, timestamp: int | None = None, signature: str | None = None) -> Any:
        fields = dict(parse_qsl(body))
        if "payload" in fields:
            return Answer(self.sockets.send("interactive", json.loads(fields["payload"])).payload)
        return Answer(self.sockets.send("slash_commands", fields).payload)


@dataclass
class SocketBot(Bot):
    sockets: FakeSocketMode | None = None

    def user(self, user_id: str = ADMIN, channel: str = "C0LICENSE") -> SlackUser:
        assert self.sockets is not None
        return SocketUser(self.sockets, self.fake, user_id)


@pytest.fixture
def sockets() -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as s:
        yield s


@pytest.fixture
def connected(tmp_path: Path, fake_slack: FakeSlack, sockets: FakeSocketMode) -> Iterator[tuple[SocketBot, Any]]:
    url = f"sqlite:///{tmp_path / 'socket.db'}"
    upgrade(url)
    fake_slack.use_socket_mode(sockets.url)
    settings = Settings(
        database_url=url,
        slack_bot_token="xoxb-test",
        slack_app_token=fake_slack.app_token,
        slack_api_url=fake_slack.url,
        outbox_channel_interval_s=0,
    )  # type: ignore[arg-type]
    deps = bootstrap(settings)
    import_directory(load_directory(DIRECTORY), uow=deps.uow_factory())
    app = slack_app(deps)
    worker = delivery_worker(deps)
    handler = socket_mode_handler(app, fake_slack.app_token, ping_interval_s=0.5)  # notice a drop quickly
    handler.connect()  # type: ignore[no-untyped-call]
    sockets.wait_connected(1)
    yield SocketBot(deps, fake_slack, None, worker, sockets), handler  # type: ignore[arg-type]
    handler.close()  # type: ignore[no-untyped-call]
    app.listener_runner.listener_executor.shutdown(wait=True)
    worker.close()
    deps.close()


def test_the_whole_flow_runs_over_socket_mode(connected: tuple[SocketBot, Any]) -> None:
    bot, _ = connected
    user = bot.user()
    assert user.open("contoso")["callback_id"] == ids.USERS_VIEW
    manage(user, "Bob Brown")  # a click (checkboxes), then a submission answered with response_action push
    user.choose(E5, Desired.ASSIGN)
    parent = save(bot, user)  # a submission answered with its result, then the thread through the outbox
    assert parent["text"].startswith("Contoso Ltd: licenses updated for 1 of 1 user")
    assert bot.sockets is not None and bot.sockets.unknown == []  # every message from the app was an ack


def test_help_and_a_refusal_answer_in_the_acknowledgement(connected: tuple[SocketBot, Any]) -> None:
    bot, _ = connected
    response, _ = bot.user().slash("help")
    assert "/licenses" in response.json()["text"]
    refused, _ = bot.user("USTRANGER").slash()
    assert refused.json() == {
        "response_type": "ephemeral",
        "text": "You are not a licensebot operator; ask a partner admin to add you to the directory.",
    }


def test_the_app_reconnects_when_the_socket_drops_or_slack_asks_it_to(connected: tuple[SocketBot, Any]) -> None:
    bot, _ = connected
    assert bot.sockets is not None
    bot.sockets.drop()
    bot.sockets.wait_connected(2)  # apps.connections.open again, then a new socket
    user = bot.user()
    assert user.open("contoso")["callback_id"] == ids.USERS_VIEW
    bot.sockets.ask_to_reconnect()
    bot.sockets.wait_connected(3)
    tick(user, "Alice Adams")
    assert "1 selected" in user.text()
    assert len(bot.fake.calls("apps.connections.open")) == 3


def test_a_clean_stop_closes_the_socket_and_stops_every_loop(connected: tuple[SocketBot, Any]) -> None:
    bot, handler = connected
    assert bot.sockets is not None
    handler.close()
    bot.sockets.wait_closed(1)
    client = handler.client
    assert client.closed and not client.auto_reconnect_enabled  # nothing will dial Slack again
    for loop in (client.current_session_runner, client.current_app_monitor, client.message_processor):
        assert not loop.is_alive()
    assert [c.token for c in bot.fake.calls("apps.connections.open")] == [bot.fake.app_token]


@pytest.mark.parametrize(
    ("token", "method", "error"),
    [
        ("xoxb-test", "apps.connections.open", "not_allowed_token_type"),  # a bot token opens no socket
        ("app", "auth.test", "not_allowed_token_type"),  # an app-level token does nothing else
        ("app", "apps.connections.open", "socket_mode_not_enabled"),  # the app has not turned Socket Mode on
    ],
)
def test_the_fake_keeps_app_and_bot_tokens_apart(fake_slack: FakeSlack, token: str, method: str, error: str) -> None:
    client = fake_slack.client(token=fake_slack.app_token if token == "app" else token)
    with pytest.raises(SlackApiError) as raised:
        client.api_call(method)
    assert raised.value.response["error"] == error
