"""The playground: one Starlette app in one uvicorn process on loopback, serving three things on one port.

    /slack/events, /healthz   the bot's own HTTP app (bot.runtime.serve.http_app), built by the composition root from
                              Settings whose SLACK_API_URL points back at /api/ below, with a signing secret and a
                              bot token made up at start; its outbox worker runs on bot.runtime.jobs as in `serve`
    /api/*                    the fake Slack Web API (fakes.slack), where the bot's Web API calls land
    /, /static, /play/*       the page and its JSON API, whose gestures are signed requests to /slack/events

Bolt calls auth.test on the Web API while it is being built, and that API is this very server: so the bot is built
on a thread once uvicorn serves, and /slack/events answers 503 for the moment before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from bot.deps import Deps
from bot.outbox.worker import Worker
from bot.runtime import jobs as scheduler
from bot.runtime.bootstrap import bootstrap, delivery_worker, slack_app
from bot.runtime.serve import http_app
from bot.settings import Settings
from fakes.slack import FakeSlack
from fakes.slack.asgi import web_api_app
from licensing import directory
from licensing.directory.file import load_directory
from playground import api
from playground.gestures import CHANNEL, Gestures
from playground.people import Person, people

log = logging.getLogger("licensebot.playground")
DEMO_FILE = Path(__file__).resolve().parent.parent / "examples" / "demo.yaml"
LOOPBACK = ("127.0.0.1", "localhost")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


@dataclass
class Bot:
    """The bot as `licensebot serve` runs it; set once it is built."""

    deps: Deps
    worker: Worker
    jobs: Any
    app: Starlette


@dataclass
class Playground:
    database_url: str
    base_url: str
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    token: str = field(default_factory=lambda: "xoxb-playground-" + secrets.token_hex(12))
    fake: FakeSlack = field(default_factory=lambda: FakeSlack(wall_clock_ts=True))
    bot: Bot | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    failed: BaseException | None = None
    stopping: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM or Ctrl-C: long polls end

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            slack_bot_token=self.token,
            slack_signing_secret=self.secret,
            slack_app_token=None,
            slack_api_url=f"{self.base_url}/api/",
            outbox_channel_interval_s=0.2,
            # The page shows one channel: Buy more requests and low-license alerts are posted there too.
            licensebot_sales_channel=CHANNEL,
            licensebot_alerts_channel=CHANNEL,
        )

    def start_bot(self) -> None:
        try:
            deps = bootstrap(self.settings())
            app, worker = slack_app(deps), delivery_worker(deps)
            jobs = scheduler.start(deps, worker)  # confirmation threads go out as in `serve`
            self.bot = Bot(deps, worker, jobs, http_app(app, deps))
        except BaseException as e:
            self.failed = e
            if not self.stopping.is_set():  # else the server it calls has closed: a stop, not a failure to report
                log.exception("the bot did not start")
        finally:
            self.ready.set()

    def stop_bot(self) -> None:
        # A stop in the bot's first seconds must wait for it to be built: stopping nothing, then letting it start its
        # worker and scheduler, left a process that never exited.
        self.ready.wait()
        if self.bot is not None:
            scheduler.stop(self.bot.jobs, self.bot.worker)
            self.bot.deps.close()
            self.bot = None

    def people(self) -> list[Person]:
        if self.bot is None:
            return []
        return people(self.bot.deps.sessionmaker)


class BotDoor:
    """The bot's HTTP app once it is built (an ASGI app, so Starlette routes the raw request to it)."""

    def __init__(self, pg: Playground) -> None:
        self.pg = pg

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.pg.bot is None:
            error = "the bot failed to start; see the log" if self.pg.failed else "the bot is starting"
            await JSONResponse({"ok": False, "error": error}, status_code=503)(scope, receive, send)
            return
        await self.pg.bot.app(scope, receive, send)


def import_demo(database_url: str) -> int | None:
    """The demo directory, if the database has no customers yet; returns how many users it brought."""
    deps = bootstrap(Settings(database_url=database_url))
    try:
        if directory.has_customers(uow=deps.uow_factory()):
            return None
        report = directory.import_directory(load_directory(DEMO_FILE), uow=deps.uow_factory())
        return report.counts["users"]
    finally:
        deps.close()


def asgi(pg: Playground) -> Starlette:
    static = files("playground").joinpath("static")

    async def index(_: Any) -> Response:
        return HTMLResponse(static.joinpath("index.html").read_text(encoding="utf-8"))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Bolt's auth.test reaches /api/ on this server, which serves once this startup returns.
        threading.Thread(target=pg.start_bot, name="playground-bot", daemon=True).start()
        yield
        # In a thread: the bot may still be starting, and its first call (auth.test) is answered by this event loop.
        await asyncio.to_thread(pg.stop_bot)

    gestures = Gestures(pg.fake, pg.base_url, pg.secret)
    routes = [
        Route("/", index),
        Mount("/static", app=StaticFiles(directory=str(static))),
        Mount("/api", app=web_api_app(pg.fake)),
        *api.routes(gestures, pg.people, pg.stopping),
        Route("/slack/events", BotDoor(pg), methods=["POST"]),
        Route("/healthz", BotDoor(pg)),
    ]
    # Only loopback names: a page on another site that rebinds its DNS name to 127.0.0.1 gets a 400.
    hosts = Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK))
    return Starlette(routes=routes, middleware=[hosts], lifespan=lifespan)


def listen(host: str, port: int) -> socket.socket:
    """Bind first, so the URL (and a port 0's real number) is known before anything is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


class Server(uvicorn.Server):
    """uvicorn, which on SIGTERM or Ctrl-C also lets the open pages' long polls answer at once: the graceful stop
    then has no request to wait out, and none to cancel (a cancelled poll would print a traceback)."""

    def __init__(self, config: uvicorn.Config, pg: Playground) -> None:
        super().__init__(config)
        self.pg = pg

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.pg.stopping.set()
        super().handle_exit(sig, frame)


def server(pg: Playground) -> Server:
    config = uvicorn.Config(asgi(pg), log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    return Server(config, pg)
