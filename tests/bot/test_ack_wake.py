"""bot.slack.interactions' WakingAck and ListenerExecutor: a click is answered as soon as its listener acks, without
Bolt's threaded runner sleeping in its 10 ms poll for the ack. The app is the real ObservedApp with a test listener;
Bolt's poll is watched by giving its module a clock whose `sleep` is recorded (and still sleeps)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from prometheus_client import CollectorRegistry
from slack_bolt import Ack, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.listener import thread_runner
from slack_sdk import WebClient

from bot.slack.interactions import ObservedApp
from bot.telemetry.metrics import Metrics

HOLD_S = 0.05  # how long a listener waits before acking: long enough that Bolt's poll would have slept first


@pytest.fixture
def polls(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each sleep of Bolt's ack poll, recorded; only the runner's module sees this clock."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(thread_runner, "time", SimpleNamespace(time=time.time, sleep=sleep))
    return slept


@pytest.fixture
def app() -> Iterator[ObservedApp]:
    bolt = ObservedApp(
        metrics=Metrics(CollectorRegistry()),
        client=WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"),
        signing_secret="unused",
        request_verification_enabled=False,
        token_verification_enabled=False,
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test"),
        process_before_response=False,
    )
    yield bolt
    bolt.listener_runner.listener_executor.shutdown(wait=True)  # type: ignore[attr-defined]


def click(action_id: str) -> BoltRequest:
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": "v"}],
        "trigger_id": "1.2.3",
    }
    return BoltRequest(
        body="payload=" + quote(json.dumps(payload)),
        headers={"content-type": ["application/x-www-form-urlencoded"]},
    )


def test_an_ack_given_while_the_request_waits_answers_it_without_a_poll(app: ObservedApp, polls: list[float]) -> None:
    release, finished = threading.Event(), threading.Event()

    @app.action("go")
    def listener(ack: Ack) -> None:
        time.sleep(HOLD_S)
        ack(text="acked")
        release.wait(10)  # the listener carries on after its ack; the answer does not wait for it
        finished.set()

    response = app.dispatch(click("go"))
    assert (response.status, response.body) == (200, "acked")
    assert not finished.is_set()
    assert polls == []
    release.set()
    assert finished.wait(10)


def test_an_error_before_the_ack_is_answered_by_the_error_handler_without_a_poll(
    app: ObservedApp, polls: list[float]
) -> None:
    @app.action("fail")
    def listener(ack: Ack) -> None:
        time.sleep(HOLD_S)
        raise RuntimeError("boom")

    @app.error
    def handle(error: Exception) -> None:
        pass

    response = app.dispatch(click("fail"))
    assert response.status == 500
    assert polls == []


def test_a_listener_that_ends_without_acking_is_still_left_to_bolt(app: ObservedApp, polls: list[float]) -> None:
    """Bolt's own rule for a listener that never acks (it polls out its 3 s, then logs and answers 404) is kept."""
    ended = threading.Event()

    @app.action("silent")
    def listener() -> None:
        ended.set()

    response = app.dispatch(click("silent"))
    assert ended.is_set()
    assert response.status == 404
    assert polls  # Bolt's poll ran its course
