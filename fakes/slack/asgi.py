"""The fake Slack Web API as a Starlette app, to mount in another app's process (the playground mounts it at
/api). Same methods, state and validation as the threaded server; an injected connection reset becomes a 502,
since ASGI cannot reset a connection."""

from __future__ import annotations

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.slack.web_api import FakeSlack
from fakes.slack.wire import parse_args, take_token


def web_api_app(fake: FakeSlack) -> Starlette:
    """Every method at `/{method}`: mount it at `/api` so the base URL is `http://host:port/api/`, like Slack's."""

    async def method(request: Request) -> Response:
        body = await request.body()
        try:
            args = parse_args(request.url.query, request.headers.get("content-type", ""), body)
        except ValueError:
            return JSONResponse({"ok": False, "error": "invalid_json"})
        token = take_token(dict(request.headers), args)
        # Validating a big view against the JSON Schema takes milliseconds: keep it off the event loop.
        reply = await run_in_threadpool(fake.handle, request.path_params["method"], args, token)
        if reply.delay:
            await anyio.sleep(reply.delay)
        if reply.reset:
            return JSONResponse({"ok": False, "error": "connection_reset"}, status_code=502)
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

    return Starlette(routes=[Route("/{method:path}", method, methods=["GET", "POST"])])
