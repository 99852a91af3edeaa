"""bot/webclient.py against the fake Slack on loopback: connections kept between calls, and every failure handed to
slack_sdk in the shape urllib gives it, so slack_sdk's retries and our error handling see what they saw before."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.webclient import PooledWebClient
from fakes.slack import FakeSlack

Client = Callable[..., WebClient]
BOTH = pytest.mark.parametrize("make", [WebClient, PooledWebClient], ids=["urllib", "pooled"])


def test_calls_share_one_connection_and_each_request_client_shares_the_pool(fake_slack: FakeSlack) -> None:
    client = PooledWebClient(token=fake_slack.token, base_url=fake_slack.url)
    before = fake_slack.connections
    for i in range(5):
        client.chat_postMessage(channel="C1", text=f"message {i}")
    # What Bolt gives each request (bot/slack/interactions.py): a client of its own, the same connections.
    request_client = client.sibling(team_id=fake_slack.team_id)
    request_client.chat_postMessage(channel="C1", text="from a request")
    assert fake_slack.connections - before == 1
    assert [m["text"] for m in fake_slack.messages("C1")][-2:] == ["message 4", "from a request"]
    urllib = WebClient(token=fake_slack.token, base_url=fake_slack.url)
    urllib.chat_postMessage(channel="C1", text="a")
    urllib.chat_postMessage(channel="C1", text="b")
    assert fake_slack.connections - before == 3  # urllib: a connection per call


def test_a_connection_slack_closed_while_idle_is_replaced_without_an_error() -> None:
    with FakeSlack(idle_timeout_s=0.2) as fake:
        client = PooledWebClient(token=fake.token, base_url=fake.url, retry_handlers=[])  # no retry to hide behind
        client.chat_postMessage(channel="C1", text="first")
        time.sleep(0.6)  # the fake has closed the idle connection, as Slack's servers do
        client.chat_postMessage(channel="C1", text="second")
        assert [m["text"] for m in fake.messages("C1")] == ["first", "second"]
        assert fake.connections == 2


@BOTH
def test_rate_limited_is_the_same_slack_api_error(fake_slack: FakeSlack, make: Client) -> None:
    fake_slack.fail_http("chat.postMessage", status=429, retry_after=7)
    client = make(token=fake_slack.token, base_url=fake_slack.url, retry_handlers=[])
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response.get("error") == "ratelimited"


@BOTH
def test_a_slack_error_answer_is_the_same_slack_api_error(fake_slack: FakeSlack, make: Client) -> None:
    fake_slack.fail("views.update", error="not_found")
    client = make(token=fake_slack.token, base_url=fake_slack.url)
    with pytest.raises(SlackApiError) as raised:
        client.views_update(view_id="V0NONE", view={"type": "modal", "title": {"type": "plain_text", "text": "x"}})
    assert raised.value.response.status_code == 200 and raised.value.response["error"] == "not_found"


@BOTH
def test_nobody_listening_is_a_url_error_with_the_sockets_reason(make: Client) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = make(token="xoxb-x", base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[])
    with pytest.raises(URLError) as raised:
        client.auth_test()
    assert isinstance(raised.value.reason, ConnectionRefusedError)


@BOTH
def test_no_answer_in_time_is_a_timeout(fake_slack: FakeSlack, make: Client) -> None:
    fake_slack.hang("chat.postMessage", seconds=3)
    client = make(token=fake_slack.token, base_url=fake_slack.url, timeout=1, retry_handlers=[])
    with pytest.raises(TimeoutError):
        client.chat_postMessage(channel="C1", text="slow")


@BOTH
def test_a_reset_connection_is_retried_by_slack_sdks_own_handler_once(fake_slack: FakeSlack, make: Client) -> None:
    fake_slack.reset_connection("chat.postMessage")
    client = make(token=fake_slack.token, base_url=fake_slack.url, retry_handlers=[ConnectionErrorRetryHandler()])
    assert client.chat_postMessage(channel="C1", text="after a reset")["ok"]
    assert [m["text"] for m in fake_slack.messages("C1")] == ["after a reset"]
    fake_slack.reset_connection("chat.postMessage")
    bare = make(token=fake_slack.token, base_url=fake_slack.url, retry_handlers=[])
    with pytest.raises(OSError):  # ConnectionResetError or RemoteDisconnected (both OSErrors), as urllib raises
        bare.chat_postMessage(channel="C1", text="not retried")
