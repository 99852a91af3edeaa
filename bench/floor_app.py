"""The floor for bench/bench_served.py: a do-nothing Bolt app served by uvicorn as its own process, the way
`licensebot serve` serves the bot (Starlette, Bolt's dispatch on the thread pool, `process_before_response=False`).
Its one listener acks a click and updates the view with a fixed 10-block modal: what any click costs at least.

    SLACK_API_URL=... SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... python bench/floor_app.py PORT
"""

from __future__ import annotations

import os
import sys
from typing import Any

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ACTION = "noop"
BUTTON = {"type": "button", "action_id": ACTION, "text": {"type": "plain_text", "text": "Go"}}
VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "floor",
    "title": {"type": "plain_text", "text": "Floor"},
    "blocks": [
        {"type": "section", "block_id": "s0", "text": {"type": "mrkdwn", "text": "*Globex Corporation*"}},
        *[
            {"type": "section", "block_id": f"s{i}", "text": {"type": "mrkdwn", "text": f"User {i} · Office 365 E3"}}
            for i in range(1, 9)
        ],
        {"type": "actions", "block_id": "b", "elements": [BUTTON]},
    ],
}


def floor_app(client: WebClient, secret: str) -> Starlette:
    app = App(client=client, signing_secret=secret, process_before_response=False)

    @app.action(ACTION)
    def noop(ack: Any, body: dict[str, Any]) -> None:
        ack()
        client.views_update(view_id=body["view"]["id"], view=VIEW)

    async def events(request: Request) -> Response:
        body = await request.body()
        return to_starlette_response(await run_in_threadpool(app.dispatch, to_bolt_request(request, body)))

    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)])


def main() -> None:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = floor_app(client, os.environ["SLACK_SIGNING_SECRET"])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
