"""What Slack's client and servers do when a person acts on the page: each gesture becomes the signed request Slack
would send to the bot's POST /slack/events (over loopback HTTP, so the bot's production code path runs), and the
bot's answer is applied as Slack applies it (a command's private reply, a submission's `response_action`).

Payloads follow Slack's shapes; `fakes.slack.client` builds the bodies and signs them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from fakes.slack import FakeSlack
from fakes.slack.client import EVENTS_PATH, interaction_body, signed_headers, slash_body
from playground.render.state import state_value, view_state

Json = dict[str, Any]
CHANNEL = "C0PLAYGRND"
CHANNEL_NAME = "licenses"
TIMEOUT_S = 10.0


class BadGesture(ValueError):
    """The page asked for something that does not exist (a closed view, an unknown message): a 400."""


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Json | None:
        if not self.body.strip():
            return None
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


class Gestures:
    def __init__(self, fake: FakeSlack, base_url: str, secret: str) -> None:
        self.fake, self.base_url, self.secret = fake, base_url.rstrip("/"), secret

    def _post(self, body: str, content_type: str = "application/x-www-form-urlencoded") -> Answer:
        headers = {**signed_headers(self.secret, body), "content-type": content_type}
        request = urllib.request.Request(self.base_url + EVENTS_PATH, data=body.encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as e:  # the bot answered, but not 2xx: say so on the page
            return Answer(e.code, e.read())

    # --- gestures -----------------------------------------------------------------------------------------------

    def command(self, user: str, text: str) -> Answer:
        """`/licenses text` typed in the channel; a reply in the ack is shown to this person only, as Slack does."""
        trigger = self.fake.new_trigger(user=user)
        answer = self._post(slash_body(self.fake, user, CHANNEL, text, trigger))
        reply = answer.json()
        if answer.status == 200 and reply and (reply.get("text") or reply.get("blocks")):
            self.fake.add_ephemeral(CHANNEL, user, reply)
        return answer

    def view_action(self, user: str, view_id: str, action: Json, entries: list[Json]) -> Answer:
        """A click or choice inside a modal or the Home tab."""
        view = self._view(view_id, entries)
        payload = {
            "type": "block_actions",
            "trigger_id": self.fake.new_trigger(view_id=view_id, user=user),
            "container": {"type": "view", "view_id": view_id},
            "view": view,
            "actions": [self._action(action)],
        }
        return self._post(interaction_body(self.fake, user, payload))

    def message_action(self, user: str, ts: str, action: Json, entries: list[Json]) -> Answer:
        """A click or choice in a message of the channel (or an ephemeral one)."""
        message = self._message(user, ts)
        ephemeral = all(m["ts"] != ts for m in self.fake.messages(CHANNEL))
        payload = {
            "type": "block_actions",
            "trigger_id": self.fake.new_trigger(user=user),
            "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL, "is_ephemeral": ephemeral},
            "channel": {"id": CHANNEL, "name": CHANNEL_NAME},
            "message": message,
            "state": {"values": view_state(entries)},
            "response_url": "http://127.0.0.1:9/unused",
            "actions": [self._action(action)],
        }
        return self._post(interaction_body(self.fake, user, payload))

    def submit(self, user: str, view_id: str, entries: list[Json]) -> Answer:
        """The modal's submit button: Slack applies the bot's `response_action` (errors, update, push, clear)."""
        view = self._view(view_id, entries)
        trigger = self.fake.new_trigger(view_id=view_id, user=user)
        payload = {"type": "view_submission", "trigger_id": trigger, "view": view, "response_urls": []}
        answer = self._post(interaction_body(self.fake, user, payload))
        if answer.status == 200:
            self.fake.answer_submission(view_id, answer.json(), view["hash"])
        return answer

    def close(self, user: str, view_id: str, *, everything: bool) -> None:
        """Close (one view: back to the one below) or the × (the whole modal); `view_closed` if the view asks."""
        self._view(view_id, [])
        closed = self.fake.close_modal(user) if everything else [view_id]
        if not everything:
            self.fake.close_view(view_id)
        for closed_id in closed:
            view = self.fake.views[closed_id]
            if view.get("notify_on_close"):
                payload = {"type": "view_closed", "view": view, "is_cleared": everything}
                self._post(interaction_body(self.fake, user, payload))

    def options(self, user: str, view_id: str, block_id: str, action_id: str, value: str) -> Json:
        """Type-ahead in an external_select: Slack asks the bot's options load URL (a block_suggestion)."""
        view = self._view(view_id, [])
        payload = {
            "type": "block_suggestion",
            "block_id": block_id,
            "action_id": action_id,
            "value": value,
            "container": {"type": "view", "view_id": view_id},
            "view": view,
        }
        answer = self._post(interaction_body(self.fake, user, payload))
        return answer.json() or {"options": []}

    def home_opened(self, user: str) -> Answer:
        """The person opened the app's Home tab: the Events API's `app_home_opened`, as JSON."""
        event: Json = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.fake.dm_channel(user),
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if user in self.fake.home_views:
            event["view"] = self.fake.home_view(user)
        body = {
            "token": "unused",
            "team_id": self.fake.team_id,
            "api_app_id": self.fake.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
        }
        return self._post(json.dumps(body), "application/json")

    # --- helpers ------------------------------------------------------------------------------------------------

    def _view(self, view_id: str, entries: list[Json]) -> Json:
        """The view as Slack sends it back: current version, with the values the person entered."""
        view = self.fake.views.get(view_id)
        if view is None:
            raise BadGesture(f"no view {view_id!r}")
        return {**view, "state": {"values": view_state(entries)}}

    def _message(self, user: str, ts: str) -> Json:
        for message in [*self.fake.messages(CHANNEL), *self.fake.ephemeral(CHANNEL, user)]:
            if message["ts"] == ts:
                return message
        raise BadGesture(f"no message {ts!r} in #{CHANNEL_NAME}")

    @staticmethod
    def _action(action: Json) -> Json:
        """A block_actions action: its ids and type, a button's value, or the element's new state."""
        kind = str(action.get("type") or "")
        out: Json = {
            "type": kind,
            "block_id": str(action.get("block_id") or ""),
            "action_id": str(action.get("action_id") or ""),
            "action_ts": f"{time.time():.6f}",
        }
        if not out["block_id"] or not out["action_id"] or not kind:
            raise BadGesture("an action needs type, block_id and action_id")
        if kind in ("button", "overflow"):
            if kind == "button" and action.get("value") is not None:
                out["value"] = str(action["value"])
            if kind == "overflow":
                out["selected_option"] = action.get("value")
            return out
        try:
            return {**out, **state_value(kind, action.get("value"))}
        except ValueError as e:
            raise BadGesture(str(e)) from e
