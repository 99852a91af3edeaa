"""Running the app: Socket Mode when an app-level token is set, otherwise HTTP behind uvicorn (Starlette)."""

from __future__ import annotations

import logging
import threading

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.deps import Deps
from bot.runtime.health import Probes
from bot.runtime.startup import StartupError, slack_refusal

log = logging.getLogger("licensebot.serve")


def http_app(app: App, deps: Deps) -> Starlette:
    """Every Slack request (commands, interactivity, options, events) at POST /slack/events; GET /healthz, /readyz
    and /metrics (bot/runtime/health.py)."""
    probes = Probes(deps)

    async def events(request: Request) -> Response:
        body = await request.body()
        # Bolt's dispatch blocks (it runs middleware and waits up to 3 s for ack): keep it off the event loop.
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})  # alive; whether the database is, /readyz says

    async def readyz(_: Request) -> Response:
        reason = await run_in_threadpool(probes.not_ready)
        return PlainTextResponse(reason or "ready", status_code=503 if reason else 200)

    async def metrics(_: Request) -> Response:
        return Response(await run_in_threadpool(probes.metrics), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ]
    )


def serve_http(app: App, deps: Deps, host: str, port: int) -> None:
    """Until SIGTERM or Ctrl-C: uvicorn stops taking requests and finishes those in flight.

    uvicorn raises the signal again once it has shut down, for the handler that was there before; the caller
    installs one that notes the stop, so the process then exits 0 rather than dying of the signal.
    """
    log.info("serving Slack requests at http://%s:%d/slack/events", host, port)
    # log_config=None: uvicorn's lines go through the root logger like ours (its format, its secret redaction).
    uvicorn.run(
        http_app(app, deps),
        host=host,
        port=port,
        log_level="info",
        log_config=None,
        access_log=deps.settings.access_log,
        timeout_graceful_shutdown=10,
    )


def socket_mode_handler(app: App, app_token: str, *, ping_interval_s: float = 10.0) -> SocketModeHandler:
    """Bolt's Socket Mode adapter, reconnecting by itself when Slack asks it to move or when a ping finds the socket
    gone (checked every `ping_interval_s`)."""
    return SocketModeHandler(app, app_token, ping_interval=ping_interval_s)


def serve_socket_mode(app: App, app_token: str, stopping: threading.Event) -> None:
    """Until `stopping` is set (by SIGTERM or Ctrl-C). Bolt's `start()` would block for ever, so connect and wait."""
    log.info("connecting to Slack in Socket Mode")
    handler = socket_mode_handler(app, app_token)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as e:  # apps.connections.open refused the app-level token
        raise StartupError(slack_refusal("SLACK_APP_TOKEN", str(e.response.get("error")))) from None
    log.info("connected to Slack in Socket Mode")
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        handler.close()  # type: ignore[no-untyped-call]
