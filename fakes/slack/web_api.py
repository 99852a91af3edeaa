"""A fake Slack Web API on 127.0.0.1 for running the real app without Slack: tests, benchmarks and the playground.

Start it (``with FakeSlack() as fake:`` or the tests' ``fake_slack`` fixture) and point the app's client at it::

    client = WebClient(base_url=fake.url, token=fake.token)

or mount ``fakes.slack.asgi.web_api_app(fake)`` in a Starlette app instead of starting its own server. It speaks
the wire format Slack accepts (form-encoded, JSON or multipart bodies, query strings, bearer or form tokens),
keeps state (messages, threads, views, view stacks, triggers), validates every Block Kit payload with
``fakes.slack.blockkit`` and records every call. Failures (Slack errors, HTTP 429/500, dropped connections) can be
injected per method or per channel (``fakes.slack.failures``).
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from slack_sdk import WebClient

from fakes.slack import server
from fakes.slack.failures import Failure, FailuresMixin
from fakes.slack.messages import MessagesMixin
from fakes.slack.records import Call, Json, Reply, SlackError, ValidationProblem, clone
from fakes.slack.views import ViewsMixin


class FakeSlack(MessagesMixin, ViewsMixin, FailuresMixin):
    """Fake Slack Web API.  All public attributes are safe to read while the server runs."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test",
        accept_any_bot_token: bool = True,
        team_id: str = "T0FAKE01",
        bot_user_id: str = "U0BOT001",
        bot_id: str = "B0BOT001",
        app_id: str = "A0FAKE01",
        app_token: str = "xapp-1-A0FAKE01-test",
        validate: bool = True,
        wall_clock_ts: bool = False,
        idle_timeout_s: float = 10.0,
    ) -> None:
        self.token = token
        self.accept_any_bot_token = accept_any_bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.app_token = app_token  # the app-level token: only apps.connections.open takes it (Socket Mode)
        self.socket_mode_url: str | None = None  # where apps.connections.open sends the app; see use_socket_mode
        self.validate = validate
        # Message ts from the real clock (still strictly increasing), for code that looks in history by time.
        self.wall_clock_ts = wall_clock_ts
        self.stopping = threading.Event()
        self.idle_timeout_s = idle_timeout_s  # a kept-alive connection idle this long is closed, as Slack does
        self.expect_invalid = False  # set True in tests that send invalid payloads on purpose (see conftest)
        self.validation_errors: list[ValidationProblem] = []
        self.missing_text: list[Json] = []  # messages with blocks but no fallback text

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._version = 0  # counts every change to what a person could see, for watchers (the playground)
        self._failures = {}
        self._channel_failures = {}
        self._stubs = {}
        self._timezones: dict[str, tuple[str, int]] = {}  # user -> (IANA name, offset in seconds); see set_timezone
        self._ids = itertools.count(1)
        self._init_messages()
        self._init_views()
        self._server: server.Server | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[Json], Json]] = {
            "api.test": lambda args: {"args": args},
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
        }

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is None:
            self._server, self._thread = server.start(self)
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes any hanging answer, so the request threads can be joined
        srv, thread = self._server, self._thread
        self._server = self._thread = None
        if srv is None:
            return
        srv.shutdown()
        srv.server_close()  # joins in-flight request threads, closes the listening socket
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; use start() or a with block")
        return int(self._server.server_address[1])

    @property
    def connections(self) -> int:
        """Connections accepted so far (a client that keeps its connection alive opens one for many calls)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; use start() or a with block")
        return self._server.accepted

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``; ends with ``/api/`` like ``https://slack.com/api/``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def client(self, **kwargs: Any) -> WebClient:
        """A ``slack_sdk.WebClient`` wired to this fake (keyword arguments are passed through)."""
        kwargs.setdefault("token", self.token)
        return WebClient(base_url=self.url, **kwargs)

    # --- recorded calls -----------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
            seen = sorted({c.method for c in self._calls})
        raise AssertionError(f"no call to {method}; methods called: {seen}")

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``method`` has been called ``count`` times; returns those calls."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {count} call(s) to {method}; got {len(found)}"
                    )
                self._changed.wait(remaining)

    @property
    def version(self) -> int:
        """Goes up with every call and every change made from outside (a submission answered, a view closed)."""
        with self._lock:
            return self._version

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until ``version`` differs from ``seen`` (or the timeout); returns the version now."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != seen, timeout)
            return self._version

    def _touch(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def assert_valid(self) -> None:
        """Fail if any payload was rejected for invalid Block Kit."""
        with self._lock:
            problems = [f"{p.method}: {m}" for p in self.validation_errors for m in p.problems]
        if problems:
            raise AssertionError("Slack would reject these payloads:\n  " + "\n  ".join(problems))

    # --- request dispatch (called by the transport) -------------------------------------------------------------

    def handle(self, method: str, args: Json, token: str | None) -> Reply:
        with self._lock:
            reply = self._answer(method, args, token)
            response = None if reply.reset else clone(reply.body)
            self._calls.append(Call(method, args, time.time(), token, status=reply.status, response=response))
            self._touch()
            return reply

    def _answer(self, method: str, args: Json, token: str | None) -> Reply:
        failure = self._take_failure(method)
        if failure is not None and failure.kind in ("hang", "drop"):
            reply = self._respond(method, args, token, None)
            reply.reset = failure.kind == "drop"
            reply.delay = failure.seconds
            return reply
        return self._respond(method, args, token, failure)

    def _respond(self, method: str, args: Json, token: str | None, failure: Failure | None) -> Reply:
        if failure is not None and failure.kind == "reset":
            return Reply(reset=True)
        if failure is not None and failure.kind == "http":
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = "ratelimited" if failure.status == 429 else "internal_error"
            return Reply(status=failure.status, body={"ok": False, "error": error}, headers=headers)
        if not token:
            return Reply(body={"ok": False, "error": "not_authed"})
        if (refused := self._token_error(method, token)) is not None:
            return Reply(body={"ok": False, "error": refused})
        handler = self._handlers.get(method)
        if handler is None and method not in self._stubs:
            return Reply(body={"ok": False, "error": "unknown_method", "req_method": method})
        if failure is not None:
            return Reply(body={"ok": False, "error": failure.error})
        try:
            body = copy.deepcopy(self._stubs[method]) if handler is None else {"ok": True, **handler(args)}
        except SlackError as exc:
            body = {"ok": False, "error": exc.error}
            if exc.messages:
                body["response_metadata"] = {"messages": exc.messages}
        return Reply(body=body)

    def _token_error(self, method: str, token: str) -> str | None:
        """Slack keeps the two kinds of token apart: an app-level token opens sockets and does nothing else."""
        socket = method == "apps.connections.open"
        if token == self.app_token:
            return None if socket else "not_allowed_token_type"
        if self._token_ok(token):
            return "not_allowed_token_type" if socket else None
        return "invalid_auth"

    def _token_ok(self, token: str) -> bool:
        if token == self.token:
            return True
        return self.accept_any_bot_token and token.startswith("xoxb-") and len(token) > len("xoxb-")

    def use_socket_mode(self, url: str) -> None:
        """Answer apps.connections.open with this WebSocket URL (a fakes.slack.socket_mode.FakeSocketMode's)."""
        with self._lock:
            self.socket_mode_url = url

    def _apps_connections_open(self, args: Json) -> Json:
        if self.socket_mode_url is None:
            raise SlackError("socket_mode_not_enabled")  # what an app without Socket Mode turned on gets
        return {"url": self.socket_mode_url}

    # A user's timezone as users.info gives it; Slack's default for a new member is the workspace's, here Los Angeles.
    DEFAULT_TZ = ("America/Los_Angeles", -28800)

    def set_timezone(self, user: str, tz: str, offset_s: int) -> None:
        """What users.info says of ``user``'s timezone (``tz``, ``tz_offset``) from now on."""
        with self._lock:
            self._timezones[user] = (tz, offset_s)

    def _users_info(self, args: Json) -> Json:
        user = str(args.get("user") or "")
        if not user:
            raise SlackError("user_not_found")
        tz, offset = self._timezones.get(user, self.DEFAULT_TZ)
        return {
            "user": {
                "id": user,
                "team_id": self.team_id,
                "name": user.lower(),
                "deleted": False,
                "is_bot": False,
                "tz": tz,
                "tz_label": tz,
                "tz_offset": offset,
            }
        }

    def _auth_test(self, args: Json) -> Json:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "licensebot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }
