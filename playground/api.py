"""The page's JSON API (under /play): who may I be, what do I see, and my gestures. Every gesture becomes a signed
Slack request to the bot (playground.gestures); nothing here decides anything about licenses.

Requests that change something must be `application/json`: a page on another site cannot send that without the
browser asking first (CORS preflight, which this API never allows), so it cannot drive the playground.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.gestures import BadGesture, Gestures
from playground.people import Person
from playground.render import render_options
from playground.screen import screen

Json = dict[str, Any]
LONG_POLL_S = 15.0
WAKE_S = 0.2  # how often a long poll looks whether the playground is stopping


class Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


def routes(gestures: Gestures, people: Callable[[], list[Person]], stopping: threading.Event) -> list[Route]:
    api = Api(gestures, people, stopping)
    gestures_ = {
        "command": api.command,
        "action": api.action,
        "submit": api.submit,
        "close": api.close,
        "options": api.options,
        "home": api.home,
        "reload": api.reload,
    }
    return [
        Route("/play/people", api.who),
        Route("/play/state", api.state),
        *(Route(f"/play/{name}", _gesture(api, fn), methods=["POST"]) for name, fn in gestures_.items()),
    ]


class Api:
    """Each gesture's checks and its call into playground.gestures; each read of what a person sees."""

    def __init__(self, gestures: Gestures, people: Callable[[], list[Person]], stopping: threading.Event) -> None:
        self.gestures, self.people, self.fake, self.stopping = gestures, people, gestures.fake, stopping

    def person(self, user: Any) -> Person:
        found = next((p for p in self.people() if p.id == user), None)
        if found is None:
            raise Refused(404, f"unknown user {str(user)[:40]!r}: pick one from /play/people")
        return found

    def names(self) -> Callable[[str], str | None]:
        known = {p.id: p.name for p in self.people()} | {self.fake.bot_user_id: "licensebot"}
        return known.get

    async def body(self, request: Request) -> Json:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Refused(415, "send application/json")
        try:
            data = json.loads(await request.body())
        except ValueError as e:
            raise Refused(400, "malformed JSON") from e
        if not isinstance(data, dict):
            raise Refused(400, "send a JSON object")
        self.person(data.get("user"))
        return data

    def command(self, data: Json) -> Json:
        text = _field(data, "text").strip()
        name, _, rest = text.partition(" ")
        if name != "/licenses":
            raise Refused(400, "only /licenses is installed in this workspace")
        return _answered(self.gestures.command(data["user"], rest.strip()).status)

    def action(self, data: Json) -> Json:
        act, state = _field(data, "action", dict), _entries(data)
        if isinstance(data.get("view_id"), str):
            return _answered(self.gestures.view_action(data["user"], data["view_id"], act, state).status)
        return _answered(self.gestures.message_action(data["user"], _field(data, "ts"), act, state).status)

    def submit(self, data: Json) -> Json:
        return _answered(self.gestures.submit(data["user"], _field(data, "view_id"), _entries(data)).status)

    def close(self, data: Json) -> Json:
        self.gestures.close(data["user"], _field(data, "view_id"), everything=bool(data.get("all")))
        return {}

    def options(self, data: Json) -> Json:
        found = self.gestures.options(
            data["user"],
            _field(data, "view_id"),
            _field(data, "block_id"),
            _field(data, "action_id"),
            _field(data, "value"),
        )
        return {"html": render_options(found)}

    def reload(self, _: Json) -> Json:
        """The page was (re)loaded: like a Slack client restarting, it shows no modal, so every modal left open
        is closed, as its × would (`view_closed` where a view asks for it)."""
        for person in self.people():
            stack = self.fake.modal_stack(person.id)
            if stack:
                self.gestures.close(person.id, stack[-1]["id"], everything=True)
        return {}

    def home(self, data: Json) -> Json:
        return _answered(self.gestures.home_opened(data["user"]).status)

    async def who(self, _: Request) -> Response:
        found = await run_in_threadpool(self.people)
        return JSONResponse({"people": [p.to_dict() for p in found]})

    async def state(self, request: Request) -> Response:
        """What the person sees, once it differs from version `since` (long poll: waits up to 15 s for a change)."""
        try:
            user = self.person(request.query_params.get("user"))
            since = int(request.query_params.get("since", "-1"))
        except Refused as e:
            return JSONResponse({"ok": False, "error": e.error}, status_code=e.status)
        except ValueError:
            return JSONResponse({"ok": False, "error": "'since' must be a number"}, status_code=400)
        version = await run_in_threadpool(self._wait, since, LONG_POLL_S if since >= 0 else 0)
        if version == since:
            return JSONResponse({"ok": True, "version": version, "changed": False})
        seen = await run_in_threadpool(screen, self.fake, user.id, self.names())
        return JSONResponse({"ok": True, "version": version, "changed": True, **seen})

    def _wait(self, since: int, timeout: float) -> int:
        """The version once it differs from `since`, or the timeout; at once when the playground is stopping."""
        deadline = time.monotonic() + timeout
        version = self.fake.version
        while version == since and not self.stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            version = self.fake.wait_for_change(since, min(left, WAKE_S))
        return version


def _gesture(api: Api, fn: Callable[[Json], Json]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint: the JSON body checked, `fn` run on a thread (the bot answers over loopback HTTP), refusals 4xx."""

    async def endpoint(request: Request) -> Response:
        try:
            data = await api.body(request)
            result = await run_in_threadpool(fn, data)
        except Refused as e:
            return JSONResponse({"ok": False, "error": e.error}, status_code=e.status)
        except BadGesture as e:
            return JSONResponse({"ok": False, "error": str(e)}, status_code=400)
        return JSONResponse({"ok": True, **result})

    return endpoint


def _answered(status: int) -> Json:
    return {"bot_status": status}


def _field(data: Json, name: str, kind: type = str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise Refused(400, f"{name!r} must be a {kind.__name__}")
    return value


def _entries(data: Json) -> list[Json]:
    found = data.get("state", [])
    if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
        raise Refused(400, "'state' must be a list of {block_id, action_id, type, value}")
    try:
        return [
            {
                "block_id": str(e["block_id"]),
                "action_id": str(e["action_id"]),
                "type": str(e["type"]),
                "value": e.get("value"),
            }
            for e in found
        ]
    except KeyError as e:
        raise Refused(400, f"a state entry lacks {e.args[0]!r}") from e
