"""Tests of the fake Slack Web API and the Block Kit validators, driven through a real slack_sdk WebClient."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from fakes.slack import FakeSlack, blockkit
from fakes.slack.blockkit import validate_manifest, validate_message, validate_view

# --- builders ---------------------------------------------------------------------------------------------------


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value.title()), "value": value}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def checkboxes(values: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "checkboxes", "action_id": "pick", "options": [option(v) for v in values], **extra}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "title": plain("Assign licences"),
        "blocks": list(blocks) or [section("hi")],
    }
    if any(b["type"] == "input" for b in view["blocks"]):
        view["submit"] = plain("Assign")
    return {**view, **extra}


def input_block(element: dict[str, Any], block_id: str = "users") -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain("Who"), "element": element}


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return fake_slack.client(retry_handlers=[])


# --- server basics ----------------------------------------------------------------------------------------------


def test_url_looks_like_slack_base_url(fake_slack: FakeSlack) -> None:
    assert fake_slack.url.startswith("http://127.0.0.1:")
    assert fake_slack.url.endswith("/api/")
    assert WebClient().base_url == "https://slack.com/api/"


def test_auth_test(client: WebClient, fake_slack: FakeSlack) -> None:
    response = client.auth_test()
    assert response["team_id"] == fake_slack.team_id
    assert response["user_id"] == fake_slack.bot_user_id
    assert response["bot_id"] == fake_slack.bot_id
    assert response["url"].startswith("https://")
    assert fake_slack.last("auth.test").token == "xoxb-test"


def test_bad_or_missing_token(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as bad:
        fake_slack.client(token="xoxp-user-token", retry_handlers=[]).auth_test()
    assert api_error(bad) == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=fake_slack.url, retry_handlers=[]).api_call("auth.test")
    assert api_error(missing) == "not_authed"


def test_unknown_method_and_stub(client: WebClient, fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as unknown:
        client.users_profile_get(user="U1")
    assert api_error(unknown) == "unknown_method"
    fake_slack.stub("users.profile.get", {"profile": {"display_name": "Pat"}})
    assert client.users_profile_get(user="U1")["profile"]["display_name"] == "Pat"


def test_users_info_gives_each_user_a_timezone(client: WebClient, fake_slack: FakeSlack) -> None:
    assert (client.users_info(user="U1")["user"]["tz"], client.users_info(user="U1")["user"]["tz_offset"]) == (
        "America/Los_Angeles",
        -28800,
    )
    fake_slack.set_timezone("U1", "Asia/Tokyo", 32400)
    answer = client.users_info(user="U1")["user"]
    assert (answer["id"], answer["tz"], answer["tz_offset"]) == ("U1", "Asia/Tokyo", 32400)
    assert client.users_info(user="U2")["user"]["tz"] == "America/Los_Angeles"
    with pytest.raises(SlackApiError) as missing:
        client.api_call("users.info", params={})
    assert api_error(missing) == "user_not_found"


def test_form_encoded_request_with_json_fields_and_token_param(fake_slack: FakeSlack) -> None:
    blocks = [section("from a form body")]
    body = urlencode({"token": "xoxb-form", "channel": "C1", "text": "t", "blocks": json.dumps(blocks)}).encode()
    request = Request(fake_slack.url + "chat.postMessage", data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urlopen(request, timeout=5) as response:
        assert json.load(response)["ok"] is True
    call = fake_slack.last("chat.postMessage")
    assert call.token == "xoxb-form"
    assert call.args == {"channel": "C1", "text": "t", "blocks": blocks}


def test_query_string_and_params(client: WebClient, fake_slack: FakeSlack) -> None:
    client.chat_postMessage(channel="C1", text="one")
    request = Request(fake_slack.url + "conversations.history?channel=C1&limit=1")
    request.add_header("Authorization", "Bearer xoxb-test")
    with urlopen(request, timeout=5) as response:
        assert [m["text"] for m in json.load(response)["messages"]] == ["one"]
    assert fake_slack.last("conversations.history").args == {"channel": "C1", "limit": "1"}


def test_wait_for_sees_calls_from_other_threads(client: WebClient, fake_slack: FakeSlack) -> None:
    worker = threading.Thread(target=lambda: [client.chat_postMessage(channel="C9", text=str(i)) for i in range(3)])
    worker.start()
    calls = fake_slack.wait_for("chat.postMessage", count=3)
    worker.join()
    assert [c.args["text"] for c in calls] == ["0", "1", "2"]
    assert all(c.ok for c in calls)
    with pytest.raises(AssertionError, match="timed out"):
        fake_slack.wait_for("views.open", timeout=0.05)


def test_stop_closes_the_port() -> None:
    with FakeSlack() as fake:
        port = fake.port
        fake.client().auth_test()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_connections_are_served_by_a_pool_that_stop_joins_even_mid_answer() -> None:
    fake = FakeSlack().start()
    client = fake.client(retry_handlers=[])
    errors: list[BaseException] = []

    def post(i: int) -> None:
        try:
            for k in range(20):
                client.chat_postMessage(channel=f"C{i}", text=f"{i}.{k}")
        except Exception as e:  # reported below, in the test's thread
            errors.append(e)

    callers = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert not errors
    assert [len(fake.messages(f"C{i}")) for i in range(4)] == [20, 20, 20, 20]
    conns = [t for t in threading.enumerate() if t.name == "fake-slack-conn"]
    # 80 connections from 4 callers: each caller has at most one in flight, and one its thread is still closing
    # after the answer left. Threads are reused, not one per connection.
    assert 1 <= len(conns) <= 8

    fake.hang("chat.postMessage", 30)  # an answer still being awaited when the fake stops
    hanging = threading.Thread(target=post, args=(9,))
    hanging.start()
    fake.wait_for("chat.postMessage", count=81)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 5
    assert not [t for t in threading.enumerate() if t.name == "fake-slack-conn"]
    hanging.join(timeout=5)
    assert len(errors) == 1  # the awaited answer never came: its connection closed


# --- messages ---------------------------------------------------------------------------------------------------


def test_messages_threads_and_ts_order(client: WebClient, fake_slack: FakeSlack) -> None:
    first = client.chat_postMessage(channel="C1", text="first")["ts"]
    second = client.chat_postMessage(channel="C1", text="second")["ts"]
    reply_a = client.chat_postMessage(channel="C1", text="reply a", thread_ts=first)["ts"]
    third = client.chat_postMessage(channel="C1", text="third")["ts"]
    reply_b = client.chat_postMessage(channel="C1", text="reply b", thread_ts=first)["ts"]
    stamps = [first, second, reply_a, third, reply_b]
    assert len(set(stamps)) == 5
    assert stamps == sorted(stamps, key=float)
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)

    assert [m["text"] for m in fake_slack.messages("C1")] == ["first", "second", "reply a", "third", "reply b"]
    assert [m["text"] for m in fake_slack.thread("C1", first)] == ["first", "reply a", "reply b"]
    parent = fake_slack.thread("C1", first)[0]
    assert parent["reply_count"] == 2 and parent["latest_reply"] == reply_b

    history = client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["third", "second", "first"]
    limited = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in limited["messages"]] == ["third", "second"] and limited["has_more"] is True
    cursor = limited["response_metadata"]["next_cursor"]
    assert [m["text"] for m in client.conversations_history(channel="C1", cursor=cursor)["messages"]] == ["first"]
    assert [m["text"] for m in client.conversations_history(channel="C1", oldest=first)["messages"]] == [
        "third",
        "second",
    ]
    replies = client.conversations_replies(channel="C1", ts=first)
    assert [m["text"] for m in replies["messages"]] == ["first", "reply a", "reply b"]
    with pytest.raises(SlackApiError) as missing:
        client.conversations_replies(channel="C1", ts="1.000000")
    assert api_error(missing) == "thread_not_found"


def test_metadata_round_trips_through_history(client: WebClient, fake_slack: FakeSlack) -> None:
    metadata = {"event_type": "licence_assigned", "event_payload": {"batch": 7}}
    client.chat_postMessage(channel="C1", text="done", metadata=metadata)
    assert client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]["metadata"] == metadata
    assert "metadata" not in client.conversations_history(channel="C1")["messages"][0]  # only when asked for
    with pytest.raises(SlackApiError) as bad:
        client.chat_postMessage(channel="C1", text="x", metadata={"event_payload": {}})
    assert api_error(bad) == "invalid_metadata_format"


def test_dm_channels(client: WebClient, fake_slack: FakeSlack) -> None:
    dm = client.conversations_open(users="U123")["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users=["U123"])["channel"]["id"] == dm
    assert fake_slack.dm_channel("U123") == dm
    client.chat_postMessage(channel="U123", text="posted to the user id")
    client.chat_postMessage(channel=dm, text="posted to the DM")
    assert [m["text"] for m in fake_slack.messages(dm)] == ["posted to the user id", "posted to the DM"]


def test_update_and_ephemeral(client: WebClient, fake_slack: FakeSlack) -> None:
    ts = client.chat_postMessage(channel="C1", text="working...")["ts"]
    client.chat_update(channel="C1", ts=ts, text="done", blocks=[section("*done*")])
    [message] = fake_slack.messages("C1")
    assert message["text"] == "done" and message["blocks"] == [section("*done*")] and "edited" in message
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert api_error(missing) == "message_not_found"
    human = fake_slack.add_message("C1", "a person said this")
    with pytest.raises(SlackApiError) as not_ours:
        client.chat_update(channel="C1", ts=human, text="x")
    assert api_error(not_ours) == "cant_update_message"

    assert client.chat_postEphemeral(channel="C1", user="U7", text="only you")["message_ts"]
    assert [m["text"] for m in fake_slack.ephemeral("C1", user="U7")] == ["only you"]
    assert len(fake_slack.messages("C1")) == 2  # ephemeral messages are kept apart


def test_text_rules(client: WebClient, fake_slack: FakeSlack) -> None:
    # api_call skips slack_sdk's client-side UserWarning about missing text, so the server-side rules are visible.
    with pytest.raises(SlackApiError) as empty:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert api_error(empty) == "no_text"
    client.api_call("chat.postMessage", json={"channel": "C1", "blocks": [section("no fallback")]})
    assert len(fake_slack.missing_text) == 1 and fake_slack.missing_text[0]["channel"] == "C1"
    client.chat_postMessage(channel="C1", text="fallback", blocks=[section("with fallback")])
    assert len(fake_slack.missing_text) == 1


# --- views ------------------------------------------------------------------------------------------------------


def test_views_open_and_update(client: WebClient, fake_slack: FakeSlack) -> None:
    sent = modal(callback_id="assign", private_metadata='{"batch": 1}', external_id="assign-1")
    view = client.views_open(trigger_id=fake_slack.new_trigger(), view=sent)["view"]
    assert view["id"].startswith("V") and view["root_view_id"] == view["id"] and view["previous_view_id"] is None
    assert view["state"] == {"values": {}} and view["callback_id"] == "assign"
    assert view["blocks"] == sent["blocks"] and view["title"] == sent["title"]
    assert fake_slack.views[view["id"]]["hash"] == view["hash"]

    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=modal(section("step 2")))["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert fake_slack.views[view["id"]]["blocks"] == [section("step 2")]

    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=view["id"], hash=view["hash"], view=modal(section("lost update")))
    assert api_error(stale) == "hash_conflict"

    by_external = client.views_update(external_id="assign-1", view=modal(section("step 3")))["view"]
    assert by_external["id"] == view["id"]
    with pytest.raises(SlackApiError) as unknown:
        client.views_update(view_id="V9999", view=modal())
    assert api_error(unknown) == "not_found"


def test_triggers_are_single_use_and_expire(client: WebClient, fake_slack: FakeSlack) -> None:
    trigger = fake_slack.new_trigger()
    client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=trigger, view=modal())
    assert api_error(reused) == "exchanged_trigger_id"

    expired = fake_slack.new_trigger()
    fake_slack.expire_trigger(expired)
    with pytest.raises(SlackApiError) as late:
        client.views_open(trigger_id=expired, view=modal())
    assert api_error(late) == "expired_trigger_id"

    short_lived = fake_slack.new_trigger(ttl=0.01)
    time.sleep(0.05)
    with pytest.raises(SlackApiError) as timed_out:
        client.views_open(trigger_id=short_lived, view=modal())
    assert api_error(timed_out) == "expired_trigger_id"

    assert client.views_open(trigger_id="12345.98765.any-fresh-string", view=modal())["ok"]


def test_push_limit(client: WebClient, fake_slack: FakeSlack) -> None:
    root = client.views_open(trigger_id=fake_slack.new_trigger(), view=modal())["view"]
    second = client.views_push(trigger_id=fake_slack.new_trigger(view_id=root["id"]), view=modal())["view"]
    third = client.views_push(trigger_id=fake_slack.new_trigger(view_id=second["id"]), view=modal())["view"]
    assert second["root_view_id"] == third["root_view_id"] == root["id"]
    assert third["previous_view_id"] == second["id"]
    with pytest.raises(SlackApiError) as full:
        client.views_push(trigger_id=fake_slack.new_trigger(view_id=third["id"]), view=modal())
    assert api_error(full) == "push_limit_reached"


def test_home_tab_publish(client: WebClient, fake_slack: FakeSlack) -> None:
    home = {"type": "home", "blocks": [section("Your licences")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    again = client.views_publish(user_id="U1", view=home, hash=first["hash"])["view"]
    assert again["id"] == first["id"] and again["hash"] != first["hash"]
    assert fake_slack.home_view("U1")["blocks"] == home["blocks"]
    with pytest.raises(SlackApiError) as stale:
        client.views_publish(user_id="U1", view=home, hash=first["hash"])
    assert api_error(stale) == "hash_conflict"
    with pytest.raises(SlackApiError) as wrong_surface:
        client.views_open(trigger_id=fake_slack.new_trigger(), view=home)
    assert api_error(wrong_surface) == "invalid_arguments"


# --- failure injection ------------------------------------------------------------------------------------------


def test_fail_with_slack_error(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", error="not_in_channel", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C1", text="x")
        assert api_error(failed) == "not_in_channel"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.ok for c in fake_slack.calls("chat.postMessage")] == [False, False, True]
    assert len(fake_slack.messages("C1")) == 1


def test_fail_channel(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail_channel("C404")
    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel="C404", text="x")
        assert api_error(failed) == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="elsewhere is fine")["ok"]
    fake_slack.clear_failures()
    assert client.chat_postMessage(channel="C404", text="x")["ok"]


def test_rate_limited_surfaces_status_and_retry_after(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail_http("chat.postMessage", status=429, retry_after=2, times=3)
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "2"
    assert api_error(limited) == "ratelimited"


def test_rate_limit_retry_handler_recovers(fake_slack: FakeSlack) -> None:
    client = fake_slack.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    fake_slack.fail_http("chat.postMessage", status=429, retry_after=0, times=1)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 200]
    assert len(fake_slack.messages("C1")) == 1


def test_server_error(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.fail_http("views.open", status=500)
    with pytest.raises(SlackApiError) as failed:
        client.views_open(trigger_id=fake_slack.new_trigger(), view=modal())
    assert failed.value.response.status_code == 500


def test_connection_reset(client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.reset_connection("chat.postMessage")
    with pytest.raises(ConnectionError):
        client.chat_postMessage(channel="C1", text="x")
    assert fake_slack.last("chat.postMessage").response is None
    # slack_sdk's default ConnectionErrorRetryHandler retries once, so a single reset is invisible to the app.
    fake_slack.reset_connection("chat.postMessage")
    assert fake_slack.client().chat_postMessage(channel="C1", text="x")["ok"]
    assert len(fake_slack.messages("C1")) == 1


# --- server-side Block Kit validation ---------------------------------------------------------------------------

_DUP = {"block_id": "same"}
INVALID_MESSAGES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "51 blocks": ([{"type": "divider"}] * 51, "/blocks: has 51 items"),
    "duplicate block_id": ([section("a", **_DUP), section("b", **_DUP)], "duplicate block_id 'same'"),
    "channel mention": ([section("Assigned to <!channel>")], "/blocks/0/text/text: unescaped broadcast"),
    "header too long": ([{"type": "header", "text": plain("x" * 151)}], "/blocks/0/text/text: is 151"),
    "initial_option not an option": (
        [section("pick", accessory={"type": "radio_buttons", "options": [option("a")], "initial_option": option("b")})],
        "/blocks/0/accessory/initial_option: initial option (value 'b')",
    ),
}


@pytest.mark.parametrize("name", INVALID_MESSAGES)
def test_invalid_message_blocks_rejected(name: str, client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.expect_invalid = True
    blocks, expected = INVALID_MESSAGES[name]
    with pytest.raises(SlackApiError) as rejected:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert api_error(rejected) == "invalid_blocks"
    assert any(expected in m for m in rejected.value.response["response_metadata"]["messages"])
    assert fake_slack.validation_errors[0].method == "chat.postMessage"
    assert fake_slack.messages("C1") == []
    with pytest.raises(AssertionError, match="Slack would reject"):
        fake_slack.assert_valid()


INVALID_VIEWS: dict[str, tuple[dict[str, Any], str]] = {
    "11 checkbox options": (
        modal(input_block(checkboxes([str(i) for i in range(11)]))),
        "/blocks/0/element/options: has 11 items, more than the maximum of 10",
    ),
    "initial option differs": (
        modal(input_block(checkboxes(["a", "b"], initial_options=[{"text": plain("A"), "value": "b"}]))),
        "/blocks/0/element/initial_options/0: initial option (value 'b')",
    ),
    "duplicate block_id": (modal(section("a", **_DUP), section("b", **_DUP)), "/blocks/1/block_id: duplicate"),
    "title too long": (modal(title=plain("Assign licences to everyone")), "/title/text: is 27 characters"),
    "input needs submit": (
        {"type": "modal", "title": plain("t"), "blocks": [input_block(checkboxes(["a"]))]},
        "submit",
    ),
}


@pytest.mark.parametrize("name", INVALID_VIEWS)
def test_invalid_views_rejected(name: str, client: WebClient, fake_slack: FakeSlack) -> None:
    fake_slack.expect_invalid = True
    view, expected = INVALID_VIEWS[name]
    trigger = fake_slack.new_trigger()
    with pytest.raises(SlackApiError) as rejected:
        client.views_open(trigger_id=trigger, view=view)
    assert api_error(rejected) == "invalid_arguments"
    assert any(expected in m for m in rejected.value.response["response_metadata"]["messages"])
    assert len(fake_slack.validation_errors) == 1 and fake_slack.views == {}
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]  # a rejected call does not use the trigger


# --- validators directly ----------------------------------------------------------------------------------------


def test_valid_payloads_pass() -> None:
    select = {
        "type": "static_select",
        "action_id": "product",
        "option_groups": [{"label": plain("Design"), "options": [option("figma"), option("sketch")]}],
        "initial_option": option("sketch"),
    }
    view = modal(
        input_block(checkboxes(["a", "b"], initial_options=[option("b")]), block_id="who"),
        input_block(select, block_id="product"),
        section("Escaped: &lt;!channel&gt; and <@U123> and <!date^1700000000^{date}|today>"),
        private_metadata="x" * 3000,
        callback_id="c" * 255,
    )
    assert validate_view(view) == []
    assert validate_view({"type": "home", "blocks": [section("home")]}) == []
    assert validate_message({"text": "t", "blocks": [{"type": "divider"}] * 50}) == []
    two_blocks_same_action = [
        {"type": "actions", "elements": [{"type": "button", "text": plain("Go"), "action_id": "go"}]},
    ] * 2
    assert validate_message({"text": "t", "blocks": two_blocks_same_action}) == []


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (modal(private_metadata="x" * 3001), "/private_metadata: is 3001 characters long"),
        (modal(callback_id="c" * 256), "/callback_id: is 256 characters long"),
        (modal(close=plain("x" * 25)), "/close/text: is 25 characters long"),
        (modal(*[section(str(i)) for i in range(101)]), "/blocks: has 101 items"),
        (modal({"type": "no_such_block"}), "/blocks/0: type 'no_such_block' is not allowed here"),
        (modal(section("<!subteam^S0123|@admins> please")), "unescaped broadcast mention '<!subteam^'"),
        (modal(section("<!here|here>")), "unescaped broadcast mention '<!here|'"),
        ({"type": "workflow_step", "blocks": []}, "/type: must be 'modal' or 'home'"),
        (
            modal(
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": plain("A"), "action_id": "same"},
                        {"type": "button", "text": plain("B"), "action_id": "same"},
                    ],
                }
            ),
            "/blocks/0/elements/1/action_id: duplicate action_id 'same'",
        ),
        (
            modal(
                section(
                    "pick",
                    accessory={
                        "type": "multi_static_select",
                        "options": [option("a")],
                        "initial_options": [{**option("a"), "description": plain("extra")}],
                    },
                )
            ),
            "/blocks/0/accessory/initial_options/0: initial option (value 'a') does not exactly equal",
        ),
    ],
)
def test_view_rules(view: dict[str, Any], expected: str) -> None:
    problems = validate_view(view)
    assert any(expected in p for p in problems), problems


def test_message_top_level_text_is_checked_for_mentions() -> None:
    assert validate_message({"text": "hello <!everyone>"}) == [
        "/text: unescaped broadcast mention '<!everyone>' (escape &, < and > in customer data)"
    ]
    assert validate_message({"text": "hello <!everyone>", "mrkdwn": False}) == []


def test_manifest_validation() -> None:
    manifest = {
        "display_information": {"name": "licensebot", "background_color": "#1d2b3a"},
        "features": {
            "bot_user": {"display_name": "licensebot", "always_online": True},
            "slash_commands": [{"command": "/licenses", "description": "Assign and revoke licences"}],
            "shortcuts": [
                {"name": "Assign licences", "type": "global", "callback_id": "assign", "description": "Assign"}
            ],
        },
        "oauth_config": {"scopes": {"bot": ["chat:write", "commands", "im:write"]}},
        "settings": {"interactivity": {"is_enabled": True}, "socket_mode_enabled": True},
    }
    assert validate_manifest(manifest) == []
    broken = {
        "display_information": {"name": "x" * 36, "background_color": "#zzzzzz"},
        "features": {"slash_commands": [{"command": "licenses", "description": "no slash"}]},
        "settings": {"interactivity": {}},
        "oauth_config": {"scopes": {"bot": ["chat:write"]}, "unexpected": 1},
    }
    problems = validate_manifest(broken)
    for expected in (
        "/display_information/name: is 36 characters long",
        "/display_information/background_color: '#zzzzzz' does not match",
        "/features/slash_commands/0/command: 'licenses' does not match",
        "/settings/interactivity: 'is_enabled' is a required property",
        "/oauth_config: Additional properties are not allowed ('unexpected' was unexpected)",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert validate_manifest({}) == ["/: 'display_information' is a required property"]


def test_schemas_are_local_copies_with_licences() -> None:
    schema_dir = Path(blockkit.__file__).resolve().parent / "schemas"  # package data, next to the module
    assert str(blockkit.BLOCK_KIT_SCHEMA) == str(schema_dir / "slack-block-kit.schema.json")
    assert str(blockkit.MANIFEST_SCHEMA) == str(schema_dir / "slack-app-manifest.schema.json")
    for name in ("slack-block-kit", "slack-app-manifest"):
        assert (schema_dir / f"{name}.schema.json").is_file()
        assert "MIT License" in (schema_dir / f"{name}.LICENSE").read_text(encoding="utf-8")


# --- from a Bolt app --------------------------------------------------------------------------------------------


def test_bolt_app_against_the_fake(fake_slack: FakeSlack) -> None:
    secret = "test-signing-secret"
    app = App(client=fake_slack.client(), signing_secret=secret, process_before_response=True)
    assert len(fake_slack.calls("auth.test")) == 1  # token verification ran against the fake

    @app.shortcut("assign")
    def open_assign(ack: Any, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=modal(callback_id="assign"))

    payload = {
        "type": "shortcut",
        "callback_id": "assign",
        "trigger_id": fake_slack.new_trigger(),
        "team": {"id": fake_slack.team_id},
        "user": {"id": "U1", "team_id": fake_slack.team_id},
        "token": "legacy-verification-token",
    }
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    headers: dict[str, str | Sequence[str]] = {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [signature],
    }
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    assert response.status == 200
    [call] = fake_slack.wait_for("views.open")
    assert call.args["trigger_id"] == payload["trigger_id"] and call.ok
    assert fake_slack.last("views.open").args["view"]["callback_id"] == "assign"
