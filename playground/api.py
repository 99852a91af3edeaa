"""The page's JSON API (under /play): who may I be, what do I see, and my gestures. Every gesture becomes a signed
Slack request to the bot (playground.gestures); nothing here decides anything about licenses.

Requests that change something must be `application/json`: a page on another site cannot send that without the
browser asking first (CORS preflight, which this API never allows), so it cannot drive the playground.
"""

from __future__ import annotations

import json
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


class Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


def routes(gestures: Gestures, people: Callable[[], list[Person]]) -> list[Route]:
    fake = gestures.fake

    def person(user: Any) -> Person:
        found = next((p for p in people() if p.id == user), None)
        if found is None:
            raise Refused(404, f"unknown user {str(user)[:40]!r}: pick one from /play/people")
        return found

    def names() -> Callable[[str], str | None]:
        known = {p.id: p.name for p in people()} | {fake.bot_user_id: "licensebot"}
        return known.get

    async def body(request: Request) -> Json:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Refused(415, "send application/json")
        try:
            data = json.loads(await request.body())
        except ValueError as e:
            raise Refused(400, "malformed JSON") from e
        if not isinstance(data, dict):
            raise Refused(400, "send a JSON object")
        person(data.get("user"))
        return data

    def field(data: Json, name: str, kind: type = str) -> Any:
        value = data.get(name)
        if not isinstance(value, kind):
            raise Refused(400, f"{name!r} must be a {kind.__name__}")
        return value

    def entries(data: Json) -> list[Json]:
        found = data.get("state", [])
        if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
            raise Refused(400, "'state' must be a list of {block_id, action_id, type, value}")
        try:
            return [
                {"block_id": str(e["block_id"]), "action_id": str(e["action_id"]), "type": str(e["type"]),
                 "value": e.get("value")}
                for e in found
            ]  # fmt: skip
        except KeyError as e:
            raise Refused(400, f"a state entry lacks {e.args[0]!r}") from e

    def gesture(fn: Callable[[Json], Json]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                data = await body(request)
                result = await run_in_threadpool(fn, data)  # the bot answers over loopback HTTP: block a thread
            except Refused as e:
                return JSONResponse({"ok": False, "error": e.error}, status_code=e.status)
            except BadGesture as e:
                return JSONResponse({"ok": False, "error": str(e)}, status_code=400)
            return JSONResponse({"ok": True, **result})

        return endpoint

    def answered(status: int) -> Json:
        return {"bot_status": status}

    @gesture
    def command(data: Json) -> Json:
        text = field(data, "text").strip()
        name, _, rest = text.partition(" ")
        if name != "/licenses":
            raise Refused(400, "only /licenses is installed in this workspace")
        return answered(gestures.command(data["user"], rest.strip()).status)

    @gesture
    def action(data: Json) -> Json:
        act, state = field(data, "action", dict), entries(data)
        if isinstance(data.get("view_id"), str):
            return answered(gestures.view_action(data["user"], data["view_id"], act, state).status)
        return answered(gestures.message_action(data["user"], field(data, "ts"), act, state).status)

    @gesture
    def submit(data: Json) -> Json:
        return answered(gestures.submit(data["user"], field(data, "view_id"), entries(data)).status)

    @gesture
    def close(data: Json) -> Json:
        gestures.close(data["user"], field(data, "view_id"), everything=bool(data.get("all")))
        return {}

    @gesture
    def options(data: Json) -> Json:
        found = gestures.options(data["user"], field(data, "view_id"), field(data, "block_id"),
                                 field(data, "action_id"), field(data, "value"))  # fmt: skip
        return {"html": render_options(found)}

    @gesture
    def home(data: Json) -> Json:
        return answered(gestures.home_opened(data["user"]).status)

    async def who(_: Request) -> Response:
        found = await run_in_threadpool(people)
        return JSONResponse({"people": [p.to_dict() for p in found]})

    async def state(request: Request) -> Response:
        """What the person sees, once it differs from version `since` (long poll: waits up to 15 s for a change)."""
        try:
            user = person(request.query_params.get("user"))
            since = int(request.query_params.get("since", "-1"))
        except Refused as e:
            return JSONResponse({"ok": False, "error": e.error}, status_code=e.status)
        except ValueError:
            return JSONResponse({"ok": False, "error": "'since' must be a number"}, status_code=400)
        version = await run_in_threadpool(fake.wait_for_change, since, LONG_POLL_S if since >= 0 else 0)
        if version == since:
            return JSONResponse({"ok": True, "version": version, "changed": False})
        seen = await run_in_threadpool(screen, fake, user.id, names())
        return JSONResponse({"ok": True, "version": version, "changed": True, **seen})

    return [
        Route("/play/people", who),
        Route("/play/state", state),
        Route("/play/command", command, methods=["POST"]),
        Route("/play/action", action, methods=["POST"]),
        Route("/play/submit", submit, methods=["POST"]),
        Route("/play/close", close, methods=["POST"]),
        Route("/play/options", options, methods=["POST"]),
        Route("/play/home", home, methods=["POST"]),
    ]
