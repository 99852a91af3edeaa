"""Drives the real app the way Slack would: signed HTTP requests to POST /slack/events, with payloads built from
the views the app actually rendered into the fake Slack, and Slack's own handling of submission answers."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from blocks import ids
from bot.deps import Deps
from bot.outbox.worker import Worker
from fakes.slack import FakeSlack
from fakes.slack.client import SlackUser as _SlackUser

Json = dict[str, Any]

SECRET = "test-signing-secret"
ADMIN, SALES, SCOPED, STRANGER = "UADMIN01", "USALES01", "USCOPED01", "USTRANGER"  # as in tests/app/directory.yaml
E1, E3, E5, AUDIO, VISIO = "STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "MCOMEETADV", "VISIOCLIENT"


class SlackUser(_SlackUser):
    """fakes.slack.client.SlackUser plus licensebot's own gesture: what to do with a product on Manage licenses."""

    def choose(self, sku: str, choice: str) -> None:
        self.type(
            f"{ids.PRODUCT_BLOCK_PREFIX}{sku}",
            ids.PRODUCT_CHOICE,
            {"type": "radio_buttons", "selected_option": {"value": choice}},
        )


@dataclass
class Bot:
    deps: Deps
    fake: FakeSlack
    http: TestClient
    worker: Worker

    def user(self, user_id: str = ADMIN, channel: str = "C0LICENSE") -> SlackUser:
        return SlackUser(self.http, self.fake, SECRET, user_id, channel)

    def deliver(self) -> int:
        """Run the outbox worker until nothing is due, on the test's thread (serve runs it on a schedule); returns
        how many messages it handled. Call it once the listener that queued them is done."""
        total = 0
        while claimed := self.worker.run_once():
            total += claimed
        return total


# --- whole steps of a flow ------------------------------------------------------------------------------------


def tick(user: SlackUser, *names: str) -> dict:  # type: ignore[type-arg]
    """Tick users on the current page by display name, keeping the ones already ticked (as the checkboxes do)."""
    element = next(e for e in user.block_with(ids.SELECT_USERS)["elements"] if e["action_id"] == ids.SELECT_USERS)
    ticked = list(element.get("initial_options", []))
    for option in element["options"]:
        if any(n in option["text"]["text"] for n in names) and option not in ticked:
            ticked.append(option)
    return user.act_and_wait(ids.SELECT_USERS, selected_options=ticked)


def open_contoso(bot: Bot, who: str = ADMIN) -> SlackUser:
    user = bot.user(who)
    view = user.open("contoso")
    assert view["callback_id"] == ids.USERS_VIEW
    return user


def manage(user: SlackUser, *names: str) -> SlackUser:
    tick(user, *names)
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "push"
    assert user.view["callback_id"] == ids.MANAGE_VIEW
    return user


def save(bot: Bot, user: SlackUser) -> dict:  # type: ignore[type-arg]
    """Press Save; wait for the result in the modal and the thread's last reply; return the parent message."""
    updates = len(bot.fake.calls("views.update"))
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update", answer
    assert answer["view"]["callback_id"] == ids.RESULT_VIEW  # done within the budget: the answer is the result
    bot.fake.wait_for("views.update", updates + 1)  # the users page underneath redrawn: the listener is done
    assert user.view["callback_id"] == ids.RESULT_VIEW
    posted = len(bot.fake.calls("chat.postMessage"))
    assert bot.deliver() >= 2  # the result shows once the change committed, and its thread with it
    parent = next(c for c in bot.fake.calls("chat.postMessage")[posted:] if "thread_ts" not in c.args)
    return parent.args | {"ts": parent.response["ts"]}  # type: ignore[index]


def click_message(bot: Bot, user_id: str, channel: str, message: Json, action_id: str) -> Any:
    """Click button `action_id` in a message posted in `channel`, as Slack sends it; returns the HTTP answer."""
    button = next(
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )
    block = next(b for b in message["blocks"] if button in b.get("elements", []))
    payload = {
        "type": "block_actions",
        "trigger_id": bot.fake.new_trigger(user=user_id),
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel},
        "message": message,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block["block_id"],
                "type": "button",
                "value": button["value"],
                "action_ts": "1.0",
            }
        ],
    }
    return bot.user(user_id, channel).interact(payload)


# --- the App Home ---------------------------------------------------------------------------------------------


def open_home(bot: Bot, user: str = ADMIN) -> Json:
    """Opens `user`'s App Home and waits for its publish: not any publish, since an earlier click may still be
    refreshing someone else's Home."""
    before = len(published(bot, user))
    event = {
        "type": "event_callback",
        "team_id": bot.fake.team_id,
        "api_app_id": bot.fake.app_id,
        "event": {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1"},
        "event_id": f"Ev{time.time_ns()}",
        "event_time": int(time.time()),
    }
    assert bot.user(user).post(json.dumps(event)).status_code == 200
    return wait_home(bot, user, before)


def published(bot: Bot, user: str) -> list[Any]:
    return [c for c in bot.fake.calls("views.publish") if c.args.get("user_id") == user]


def wait_home(bot: Bot, user: str, before: int = 0) -> Json:
    """`user`'s Home once it has been published more than `before` times."""
    # A bound for a Home that never comes, not a measure: on a loaded machine a Home can take seconds.
    deadline = time.monotonic() + 30
    while len(published(bot, user)) <= before:
        assert time.monotonic() < deadline, f"no views.publish for {user} within 30 s"
        time.sleep(0.01)
    return bot.fake.home_view(user)


def click_home(bot: Bot, user: SlackUser, action_id: str, method: str, value: str | None = None, **fields: Any) -> Any:
    """Click element `action_id` (the one with `value`, if given) on the user's Home; wait for `method`."""
    home = bot.fake.home_view(user.user_id)
    for block in home["blocks"]:
        elements = block.get("elements", []) + ([block["accessory"]] if "accessory" in block else [])
        element = next(
            (e for e in elements if e.get("action_id") == action_id and (value is None or e.get("value") == value)),
            None,
        )
        if element is not None:
            break
    else:
        raise AssertionError(f"no {action_id} on Home")
    act = {
        "action_id": action_id,
        "block_id": block.get("block_id", "home-block"),
        "type": element["type"],
        "action_ts": str(time.time()),
    }
    if "value" in element:  # a button sends its value, as Slack does
        act["value"] = element["value"]
    act.update(fields)
    payload = {
        "type": "block_actions",
        "trigger_id": bot.fake.new_trigger(user=user.user_id),
        "container": {"type": "view", "view_id": home["id"]},
        "view": home,
        "actions": [act],
    }
    before, own = len(bot.fake.calls(method)), len(published(bot, user.user_id))
    response = user.interact(payload)
    assert response.status_code == 200, response.text
    if method == "views.publish":  # this user's own Home: another click's refresh of another Home may land first
        wait_home(bot, user.user_id, own)
        call = published(bot, user.user_id)[own]
    else:
        call = bot.fake.wait_for(method, before + 1)[-1]
    assert call.ok and call.response, call.response
    return call
