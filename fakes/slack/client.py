"""Talks to an app the way Slack does: signed HTTP requests to its POST /slack/events, with slash commands and
interaction payloads built from the views the app rendered into the fake, and Slack's own handling of the answers
to view submissions. Used by the app tests, the benchmarks and the playground."""

from __future__ import annotations

import json
import time
from typing import Any, Protocol
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from fakes.slack.records import Json
from fakes.slack.web_api import FakeSlack

EVENTS_PATH = "/slack/events"


class Http(Protocol):
    """An HTTP client bound to the app (Starlette's TestClient, or the playground's loopback client)."""

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any: ...


def signed_headers(
    secret: str, body: str, *, timestamp: int | None = None, signature: str | None = None
) -> dict[str, str]:
    """Slack's v0 signature headers for a form-encoded body."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = signature or SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": sig,
    }


def slash_body(
    fake: FakeSlack, user_id: str, channel: str, text: str, trigger_id: str, command: str = "/licenses"
) -> str:
    return urlencode(
        {
            "command": command,
            "text": text,
            "user_id": user_id,
            "user_name": "op",
            "channel_id": channel,
            "team_id": fake.team_id,
            "api_app_id": fake.app_id,
            "trigger_id": trigger_id,
            "response_url": "http://127.0.0.1:9/unused",
            "token": "unused",
        }
    )


def interaction_body(fake: FakeSlack, user_id: str, payload: Json) -> str:
    payload = {
        "team": {"id": fake.team_id},
        "user": {"id": user_id, "team_id": fake.team_id},
        "api_app_id": fake.app_id,
        "token": "unused",
        **payload,
    }
    return urlencode({"payload": json.dumps(payload)})


class SlackUser:
    """One person in the workspace, with the modal stack they have open."""

    def __init__(self, http: Http, fake: FakeSlack, secret: str, user_id: str, channel: str = "C0LICENSE") -> None:
        self.http, self.fake, self.secret, self.user_id, self.channel = http, fake, secret, user_id, channel
        self.top: str | None = None  # the view on top of this user's modal stack
        self.typed: dict[str, dict[str, Json]] = {}  # view_id -> block_id -> action_id -> state value
        self.seen: dict[str, set[str]] = {}  # view_id -> blocks typed into while on screen

    # --- transport ----------------------------------------------------------------------------------------------

    def post(self, body: str, *, timestamp: int | None = None, signature: str | None = None) -> Any:
        headers = signed_headers(self.secret, body, timestamp=timestamp, signature=signature)
        return self.http.post(EVENTS_PATH, content=body.encode(), headers=headers)

    def interact(self, payload: Json) -> Any:
        return self.post(interaction_body(self.fake, self.user_id, payload))

    # --- what a person does -------------------------------------------------------------------------------------

    def slash(self, text: str = "", *, trigger_id: str | None = None) -> Any:
        before = len(self.fake.calls("views.open"))
        trigger = trigger_id or self.fake.new_trigger(user=self.user_id)
        response = self.post(slash_body(self.fake, self.user_id, self.channel, text, trigger))
        return response, before

    def open(self, text: str = "") -> Json:
        """`/licenses [text]` and wait for the modal."""
        response, before = self.slash(text)
        assert response.status_code == 200, response.text
        call = self.fake.wait_for("views.open", before + 1)[-1]
        assert call.ok and call.response, call.response
        self.top = call.response["view"]["id"]
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
        act = {
            "action_id": action_id,
            "block_id": block.get("block_id", "slack-made-id"),
            "type": element["type"],
            "action_ts": str(time.time()),
        }
        if "value" in element:  # a button sends its value, as Slack does
            act["value"] = element["value"]
        act.update(fields)
        payload = {
            "type": "block_actions",
            "trigger_id": self.fake.new_trigger(view_id=view["id"], user=self.user_id),
            "container": {"type": "view", "view_id": view["id"]},
            "view": self.with_state(view),
            "actions": [act],
        }
        return self.interact(payload)

    def act_and_wait(self, action_id: str, method: str = "views.update", **fields: Any) -> Json:
        before = len(self.fake.calls(method))
        response = self.action(action_id, **fields)
        assert response.status_code == 200, response.text
        call = self.fake.wait_for(method, before + 1)[-1]
        assert call.ok and call.response, call.response
        if method == "views.push":
            self.top = call.response["view"]["id"]
        return self.view

    def type(self, block_id: str, action_id: str, value: Json) -> None:
        """Fill an input (kept in the view's state, as Slack's client keeps it, until submit)."""
        assert self.top is not None
        self.typed.setdefault(self.top, {}).setdefault(block_id, {})[action_id] = value
        if any(block.get("block_id") == block_id for block in self.view["blocks"]):
            self.seen.setdefault(self.top, set()).add(block_id)

    def submit(self, *, reply_delay_s: float = 0.0) -> Json | None:
        """Press the modal's submit button; Slack applies the answer when the reply reaches it, `reply_delay_s`
        after the app sent it (meanwhile the app's own Web API calls land first); returns the answer."""
        view = self.view
        trigger = self.fake.new_trigger(view_id=view["id"], user=self.user_id)
        payload = {"type": "view_submission", "trigger_id": trigger, "view": self.with_state(view), "response_urls": []}
        response = self.interact(payload)
        assert response.status_code == 200, response.text
        time.sleep(reply_delay_s)  # the reply in flight: Slack has not applied it yet
        answer: Json | None = response.json() if response.content else None
        self.top = self.fake.answer_submission(view["id"], answer, view["hash"])
        return answer

    def close(self) -> None:
        """Press Close (Back on a pushed view): the view leaves the stack; Slack then sends `view_closed`, with the
        view's state, to an app whose view asked for it (`notify_on_close`)."""
        assert self.top is not None
        view = self.view
        self.top = self.fake.close_view(self.top)
        if view.get("notify_on_close"):
            payload = {"type": "view_closed", "view": self.with_state(view), "is_cleared": False}
            response = self.interact(payload)
            assert response.status_code == 200, response.text

    # --- reading the view ---------------------------------------------------------------------------------------

    def block_with(self, action_id: str) -> Json:
        for block in self.view["blocks"]:
            if any(e.get("action_id") == action_id for e in _elements(block)):
                return dict(block)
        raise AssertionError(f"no element {action_id} in view {self.view.get('callback_id')}")

    def text(self) -> str:
        """Every text in the view, for assertions on what a person reads."""
        return "\n".join(texts(self.view["blocks"]))

    def with_state(self, view: Json) -> Json:
        """The view as Slack sends it back: its inputs' initial values, overridden by what this person typed."""
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


def texts(node: Any) -> list[str]:
    """Every string under a `text` key, depth first: what a person reads in blocks."""
    if isinstance(node, dict):
        out = [node["text"]] if isinstance(node.get("text"), str) else []
        return out + [t for k, v in node.items() if k != "text" or not isinstance(v, str) for t in texts(v)]
    if isinstance(node, list):
        return [t for item in node for t in texts(item)]
    return []
