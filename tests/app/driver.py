"""Drives the real app the way Slack would: signed HTTP requests to POST /slack/events, with payloads built from
the views the app actually rendered into the fake Slack, and Slack's own handling of submission answers."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from starlette.testclient import TestClient

from blocks import ids
from bot.delivery import Worker
from bot.deps import Deps
from tests.slack.fake_slack import FakeSlack
from tests.text import shown

Json = dict[str, Any]

SECRET = "test-signing-secret"
ADMIN, SALES, SCOPED, STRANGER = "UADMIN01", "USALES01", "USCOPED01", "USTRANGER"  # as in tests/app/directory.yaml
E1, E3, E5, AUDIO, VISIO = "STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "MCOMEETADV", "VISIOCLIENT"


class SlackUser:
    """One person in the workspace, with the modal stack they have open."""

    def __init__(
        self, http: TestClient, fake: FakeSlack, secret: str, user_id: str, channel: str = "C0LICENSE"
    ) -> None:
        self.http, self.fake, self.secret, self.user_id, self.channel = http, fake, secret, user_id, channel
        self.top: str | None = None  # the view on top of this user's modal stack
        self.typed: dict[str, dict[str, Json]] = {}  # view_id -> block_id -> action_id -> state value
        self.seen: dict[str, set[str]] = {}  # view_id -> blocks typed into while on screen

    # --- transport ----------------------------------------------------------------------------------------------

    def post(self, body: str, *, timestamp: int | None = None, signature: str | None = None) -> Any:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": sig,
        }
        return self.http.post("/slack/events", content=body.encode(), headers=headers)

    def interact(self, payload: Json) -> Any:
        payload = {"team": {"id": self.fake.team_id}, "user": {"id": self.user_id, "team_id": self.fake.team_id},
                   "api_app_id": self.fake.app_id, "token": "unused", **payload}  # fmt: skip
        return self.post(urlencode({"payload": json.dumps(payload)}))

    # --- what a person does -------------------------------------------------------------------------------------

    def slash(self, text: str = "", *, trigger_id: str | None = None) -> Any:
        before = len(self.fake.calls("views.open"))
        body = urlencode({
            "command": "/licenses", "text": text, "user_id": self.user_id, "user_name": "op",
            "channel_id": self.channel, "team_id": self.fake.team_id, "api_app_id": self.fake.app_id,
            "trigger_id": trigger_id or self.fake.new_trigger(), "response_url": "http://127.0.0.1:9/unused",
            "token": "unused",
        })  # fmt: skip
        response = self.post(body)
        return response, before

    def open(self, text: str = "") -> Json:
        """`/licenses [text]` and wait for the modal."""
        response, before = self.slash(text)
        assert response.status_code == 200, response.text
        call = self.fake.wait_for("views.open", before + 1)[-1]
        assert call.ok, call.response
        self.top = call.response["view"]["id"]  # type: ignore[index]
        return self.view

    @property
    def view(self) -> Json:
        assert self.top is not None, "no modal open"
        return self.fake.views[self.top]

    def action(self, action_id: str, **fields: Any) -> Any:
        """Click/choose element `action_id` in the top view; returns the HTTP response (the ack)."""
        view = self.view
        block = self.block_with(action_id)
        element = _element(block, action_id)
        act = {"action_id": action_id, "block_id": block.get("block_id", "slack-made-id"), "type": element["type"],
               "action_ts": str(time.time())}  # fmt: skip
        if "value" in element:  # a button sends its value, as Slack does
            act["value"] = element["value"]
        act.update(fields)
        payload = {"type": "block_actions", "trigger_id": self.fake.new_trigger(view_id=view["id"]),
                   "container": {"type": "view", "view_id": view["id"]}, "view": self._with_state(view),
                   "actions": [act]}  # fmt: skip
        return self.interact(payload)

    def act_and_wait(self, action_id: str, method: str = "views.update", **fields: Any) -> Json:
        before = len(self.fake.calls(method))
        response = self.action(action_id, **fields)
        assert response.status_code == 200, response.text
        call = self.fake.wait_for(method, before + 1)[-1]
        assert call.ok, call.response
        if method == "views.push":
            self.top = call.response["view"]["id"]  # type: ignore[index]
        return self.view

    def type(self, block_id: str, action_id: str, value: Json) -> None:
        """Fill an input (kept in the view's state, as Slack's client keeps it, until submit)."""
        assert self.top is not None
        self.typed.setdefault(self.top, {}).setdefault(block_id, {})[action_id] = value
        if any(block.get("block_id") == block_id for block in self.view["blocks"]):
            self.seen.setdefault(self.top, set()).add(block_id)

    def choose(self, sku: str, choice: str) -> None:
        self.type(f"{ids.PRODUCT_BLOCK_PREFIX}{sku}", ids.PRODUCT_CHOICE,
                  {"type": "radio_buttons", "selected_option": {"value": choice}})  # fmt: skip

    def submit(self, *, reply_delay_s: float = 0.0) -> Json | None:
        """Press the modal's submit button; Slack applies the answer when the reply reaches it, `reply_delay_s`
        after the app sent it (meanwhile the app's own Web API calls land first); returns the answer."""
        view = self.view
        payload = {"type": "view_submission", "trigger_id": self.fake.new_trigger(view_id=view["id"]),
                   "view": self._with_state(view), "response_urls": []}  # fmt: skip
        response = self.interact(payload)
        assert response.status_code == 200, response.text
        time.sleep(reply_delay_s)  # the reply in flight: Slack has not applied it yet
        answer = response.json() if response.content else None
        self.top = self.fake.answer_submission(view["id"], answer, view["hash"])
        return answer

    def close(self) -> None:
        assert self.top is not None
        self.top = self.fake.close_view(self.top)

    # --- reading the view ---------------------------------------------------------------------------------------

    def block_with(self, action_id: str) -> Json:
        for block in self.view["blocks"]:
            if any(e.get("action_id") == action_id for e in _elements(block)):
                return dict(block)
        raise AssertionError(f"no element {action_id} in view {self.view.get('callback_id')}")

    def text(self) -> str:
        """Every text in the view, for assertions on what a person reads."""
        return shown(self.view["blocks"])

    def _with_state(self, view: Json) -> Json:
        values: dict[str, dict[str, Json]] = {}
        for block in view["blocks"]:
            if block.get("type") == "input":
                element = block["element"]
                values[block["block_id"]] = {element["action_id"]: _initial_state(element)}
        # Slack forgets what was typed in an input once an update drops that input (a product page turned): only a
        # crafted value, typed into a block never on screen, still goes out.
        on_screen = {block.get("block_id") for block in view["blocks"]}
        typed = self.typed.get(view["id"], {})
        for block_id in [b for b in typed if b in self.seen.get(view["id"], set()) and b not in on_screen]:
            del typed[block_id]
        for block_id, actions in typed.items():
            values.setdefault(block_id, {}).update(actions)
        return {**view, "state": {"values": values}}


def _elements(block: Json) -> list[Json]:
    found = list(block.get("elements") or [])
    for key in ("element", "accessory"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _element(block: Json, action_id: str) -> Json:
    return next(e for e in _elements(block) if e.get("action_id") == action_id)


def _initial_state(element: Json) -> Json:
    kind = element["type"]
    if kind == "radio_buttons":
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    return {"type": kind}


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
