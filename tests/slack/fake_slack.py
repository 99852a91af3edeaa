"""A fake Slack Web API on 127.0.0.1 for testing the real app without Slack.

Start it (``with FakeSlack() as fake:`` or the ``fake_slack`` fixture) and point the app's client at it::

    client = WebClient(base_url=fake.url, token=fake.token)

It speaks the wire format Slack accepts (form-encoded, JSON or multipart bodies, query strings, bearer or form
tokens), keeps state (messages, threads, views, view stacks, triggers), validates every Block Kit payload with
``tests.slack.blockkit`` and records every call.  Failures (Slack errors, HTTP 429/500, dropped connections) can be
injected per method or per channel.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import itertools
import json
import secrets
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_sdk import WebClient

from .blockkit import validate_message, validate_view

JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "unfurls", "user_auth_blocks")
MAX_VIEW_STACK = 3
CHANNEL_POST_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")

Json = dict[str, Any]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: Json
    time: float
    token: str | None
    status: int = 200
    response: Json | None = None  # None when the connection was dropped

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class ValidationProblem:
    """A payload the fake rejected because its Block Kit was invalid."""

    method: str
    problems: list[str]
    payload: Json


@dataclass
class _Failure:
    kind: str  # "error" | "http" | "reset" | "hang" | "drop" (the last two: the call is carried out first)
    remaining: int
    seconds: float = 0.0
    error: str = "fatal_error"
    status: int = 200
    retry_after: int | None = None


@dataclass
class _Trigger:
    created: float
    ttl: float | None = None
    view_id: str | None = None


@dataclass
class _Reply:
    status: int = 200
    body: Json = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    delay: float = 0.0  # seconds to wait before answering (the work is already done)


class SlackError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


def _ts_key(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation as exc:
        raise SlackError("invalid_arguments", f"[ERROR] invalid ts {ts!r}") from exc


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


class FakeSlack:
    """Fake Slack Web API server.  All public attributes are safe to read while the server runs."""

    def __init__(
        self,
        *,
        token: str = "xoxb-test",
        accept_any_bot_token: bool = True,
        team_id: str = "T0FAKE01",
        bot_user_id: str = "U0BOT001",
        bot_id: str = "B0BOT001",
        app_id: str = "A0FAKE01",
        validate: bool = True,
        wall_clock_ts: bool = False,
    ) -> None:
        self.token = token
        self.accept_any_bot_token = accept_any_bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.validate = validate
        # Message ts from the real clock (still strictly increasing), for code that looks in history by time.
        self.wall_clock_ts = wall_clock_ts
        self._last_ts = 0
        self._stopping = threading.Event()
        self.expect_invalid = False  # set True in tests that send invalid payloads on purpose (see conftest)

        self.views: dict[str, Json] = {}  # view_id -> current view (as returned by Slack)
        self.home_views: dict[str, str] = {}  # user_id -> view_id of the published home tab
        self.validation_errors: list[ValidationProblem] = []
        self.missing_text: list[Json] = []  # messages with blocks but no fallback text
        self.view_errors: dict[str, dict[str, str]] = {}  # view_id -> the inline errors of its last submission

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._messages: dict[str, list[Json]] = {}
        self._ephemeral: dict[str, list[Json]] = {}
        self._dms: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._used_triggers: set[str] = set()
        self._expired_triggers: set[str] = set()
        self._stacks: dict[str, list[str]] = {}  # root view_id -> stack of view_ids
        self._external_ids: dict[str, str] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._channel_failures: dict[str, str] = {}
        self._stubs: dict[str, Json] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1_700_000_000_000_100, 100)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[Json], Json]] = {
            "api.test": lambda args: {"args": args},
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
        }

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes any hanging answer, so the request threads can be joined
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()  # joins in-flight request threads, closes the listening socket
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

    def assert_valid(self) -> None:
        """Fail if any payload was rejected for invalid Block Kit."""
        with self._lock:
            problems = [f"{p.method}: {m}" for p in self.validation_errors for m in p.problems]
        if problems:
            raise AssertionError("Slack would reject these payloads:\n  " + "\n  ".join(problems))

    # --- state for assertions -----------------------------------------------------------------------------------

    def messages(self, channel: str) -> list[Json]:
        """Every message in a channel (thread replies included) in posting order."""
        with self._lock:
            return copy.deepcopy(self._messages.get(self._resolve_channel(channel), []))

    def thread(self, channel: str, ts: str) -> list[Json]:
        """The thread's parent followed by its replies, oldest first."""
        return [m for m in self.messages(channel) if m["ts"] == ts or m.get("thread_ts") == ts]

    def ephemeral(self, channel: str, user: str | None = None) -> list[Json]:
        with self._lock:
            found = self._ephemeral.get(self._resolve_channel(channel), [])
            return copy.deepcopy([m for m in found if user is None or m["user"] == user])

    def dm_channel(self, user: str) -> str:
        """The D-channel id of the bot's DM with ``user`` (created on first use, as conversations.open does)."""
        with self._lock:
            if user not in self._dms:
                self._dms[user] = f"D{next(self._ids):07d}"
            return self._dms[user]

    def home_view(self, user: str) -> Json:
        with self._lock:
            return copy.deepcopy(self.views[self.home_views[user]])

    def add_message(self, channel: str, text: str, *, user: str = "U0HUMAN01", thread_ts: str | None = None) -> str:
        """Seed a message from a person (e.g. the message a thread hangs off); returns its ts."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "ts": self._next_ts(), "team": self.team_id}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._store(self._resolve_channel(channel), message)
            return str(message["ts"])

    # --- triggers -----------------------------------------------------------------------------------------------

    def new_trigger(self, *, view_id: str | None = None, ttl: float | None = None) -> str:
        """A fresh trigger_id, as an interaction payload would carry.

        ``view_id`` binds it to a modal (an interaction inside that modal), which is where views.push pushes.
        ``ttl`` makes it expire after that many seconds (Slack's triggers live 3 seconds).
        """
        with self._lock:
            trigger_id = f"{next(self._ids)}.{secrets.randbelow(10**10):010d}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(created=time.monotonic(), ttl=ttl, view_id=view_id)
        return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        with self._lock:
            self._expired_triggers.add(trigger_id)

    # --- failure injection --------------------------------------------------------------------------------------

    def fail(self, method: str, error: str = "fatal_error", times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer HTTP 200 ``{"ok": false, "error": error}``."""
        self._add_failure(method, _Failure("error", times, error=error))

    def fail_http(self, method: str, status: int = 429, retry_after: int | None = None, times: int = 1) -> None:
        """The next ``times`` calls answer with HTTP ``status`` (429 carries ``Retry-After``, default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._add_failure(method, _Failure("http", times, status=status, retry_after=retry_after))

    def reset_connection(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls get their connection reset with no response at all."""
        self._add_failure(method, _Failure("reset", times))

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls are carried out (a message is stored) but answered only after ``seconds``."""
        self._add_failure(method, _Failure("hang", times, seconds=seconds))

    def drop_after(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls are carried out, then the connection is reset: Slack has it, the client never
        hears so."""
        self._add_failure(method, _Failure("drop", times))

    def fail_channel(self, channel: str, error: str = "channel_not_found") -> None:
        """Every post/update to ``channel`` fails with ``error`` until :meth:`clear_failures`."""
        with self._lock:
            self._channel_failures[channel] = error

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()
            self._channel_failures.clear()

    def stub(self, method: str, response: Mapping[str, Any]) -> None:
        """Answer ``method`` (one the fake does not implement, e.g. users.info) with ``{"ok": true, **response}``."""
        with self._lock:
            self._stubs[method] = {"ok": True, **response}

    def _add_failure(self, method: str, failure: _Failure) -> None:
        if failure.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._failures.setdefault(method, deque()).append(failure)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining == 0:
            queue.popleft()
        return failure

    # --- request dispatch (called from the HTTP handler) --------------------------------------------------------

    def _handle(self, method: str, args: Json, token: str | None) -> _Reply:
        with self._lock:
            reply = self._answer(method, args, token)
            self._calls.append(
                Call(
                    method=method,
                    args=args,
                    time=time.time(),
                    token=token,
                    status=reply.status,
                    response=None if reply.reset else copy.deepcopy(reply.body),
                )
            )
            self._changed.notify_all()
            return reply

    def _answer(self, method: str, args: Json, token: str | None) -> _Reply:
        failure = self._take_failure(method)
        if failure is not None and failure.kind in ("hang", "drop"):
            reply = self._respond(method, args, token, None)
            reply.reset = failure.kind == "drop"
            reply.delay = failure.seconds
            return reply
        return self._respond(method, args, token, failure)

    def _respond(self, method: str, args: Json, token: str | None, failure: _Failure | None) -> _Reply:
        if failure is not None and failure.kind == "reset":
            return _Reply(reset=True)
        if failure is not None and failure.kind == "http":
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = "ratelimited" if failure.status == 429 else "internal_error"
            return _Reply(status=failure.status, body={"ok": False, "error": error}, headers=headers)
        if not token:
            return _Reply(body={"ok": False, "error": "not_authed"})
        if not self._token_ok(token):
            return _Reply(body={"ok": False, "error": "invalid_auth"})
        handler = self._handlers.get(method)
        if handler is None and method not in self._stubs:
            return _Reply(body={"ok": False, "error": "unknown_method", "req_method": method})
        if failure is not None:
            return _Reply(body={"ok": False, "error": failure.error})
        try:
            body = copy.deepcopy(self._stubs[method]) if handler is None else {"ok": True, **handler(args)}
        except SlackError as exc:
            body = {"ok": False, "error": exc.error}
            if exc.messages:
                body["response_metadata"] = {"messages": exc.messages}
        return _Reply(body=body)

    def _token_ok(self, token: str) -> bool:
        if token == self.token:
            return True
        return self.accept_any_bot_token and token.startswith("xoxb-") and len(token) > len("xoxb-")

    # --- helpers for handlers -----------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        value = next(self._ts)
        if self.wall_clock_ts:
            value = self._last_ts = max(self._last_ts + 1, int(time.time() * 1_000_000))
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    def _next_view_id(self) -> str:
        return f"V{next(self._ids):04d}"

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _resolve_channel(self, channel: str) -> str:
        if channel[:1] in ("U", "W"):  # posting to a user id lands in the app's DM with them
            return self.dm_channel(channel)
        return channel

    def _store(self, channel: str, message: Json) -> None:
        self._messages.setdefault(channel, []).append(message)
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            for parent in self._messages[channel]:
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    users = parent.setdefault("reply_users", [])
                    sender = message.get("user") or message.get("bot_id")
                    if sender not in users:
                        users.append(sender)
                    parent["latest_reply"] = message["ts"]
                    break

    def _channel_arg(self, args: Json, method: str) -> str:
        channel = args.get("channel")
        if not isinstance(channel, str) or not channel:
            raise SlackError("channel_not_found")
        if method in CHANNEL_POST_METHODS:
            error = self._channel_failures.get(channel) or self._channel_failures.get(self._resolve_channel(channel))
            if error:
                raise SlackError(error)
        return self._resolve_channel(channel)

    def _check_message(self, method: str, args: Json, *, require_content: bool = True) -> None:
        blocks, text = args.get("blocks"), args.get("text")
        if require_content and not text and not blocks and not args.get("attachments"):
            raise SlackError("no_text")
        if blocks is not None and not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if self.validate:
            problems = validate_message(args)
            if problems:
                self.validation_errors.append(ValidationProblem(method, problems, copy.deepcopy(args)))
                raise SlackError("invalid_blocks", *(f"[ERROR] {p}" for p in problems))
        if blocks and not text:
            self.missing_text.append({"method": method, "channel": args.get("channel"), "blocks": blocks})
        metadata = args.get("metadata")
        if metadata is not None and not (
            isinstance(metadata, dict)
            and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)
        ):
            raise SlackError("invalid_metadata_format")

    def _bot_message(self, args: Json, ts: str) -> Json:
        message: Json = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text") or "",
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata"):
            if args.get(key) is not None:
                message[key] = copy.deepcopy(args[key])
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return {k: v for k, v in message.items() if v is not None}

    # --- methods ------------------------------------------------------------------------------------------------

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

    def _chat_post_message(self, args: Json) -> Json:
        channel = self._channel_arg(args, "chat.postMessage")
        self._check_message("chat.postMessage", args)
        ts = self._next_ts()
        message = self._bot_message(args, ts)
        self._store(channel, message)
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _chat_update(self, args: Json) -> Json:
        channel = self._channel_arg(args, "chat.update")
        ts = str(args.get("ts") or "")
        message = next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackError("cant_update_message")
        self._check_message("chat.update", args, require_content=False)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = copy.deepcopy(args[key])
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel, "ts": ts, "text": message.get("text", ""), "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, args: Json) -> Json:
        channel = self._channel_arg(args, "chat.postEphemeral")
        user = args.get("user")
        if not isinstance(user, str) or not user:
            raise SlackError("user_not_found")
        self._check_message("chat.postEphemeral", args)
        ts = self._next_ts()
        message = {**self._bot_message(args, ts), "user": user, "channel": channel}
        self._ephemeral.setdefault(channel, []).append(message)
        return {"message_ts": ts}

    def _conversations_open(self, args: Json) -> Json:
        if args.get("channel"):
            return {"channel": {"id": args["channel"]}, "already_open": True}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            key = ",".join(sorted(users))
            with self._lock:
                if key not in self._dms:
                    self._dms[key] = f"G{next(self._ids):07d}"
            return {"channel": {"id": self._dms[key], "is_mpim": True}}
        already = users[0] in self._dms
        return {"channel": {"id": self.dm_channel(users[0]), "is_im": True, "user": users[0]}, "already_open": already}

    def _page(self, items: list[Json], args: Json, default_limit: int) -> Json:
        limit = int(args.get("limit") or default_limit)
        start = int(args["cursor"].removeprefix("offset:")) if args.get("cursor") else 0
        page = items[start : start + limit]
        more = start + limit < len(items)
        return {
            "messages": copy.deepcopy(page),
            "has_more": more,
            "response_metadata": {"next_cursor": f"offset:{start + limit}" if more else ""},
        }

    def _in_range(self, ts: str, args: Json) -> bool:
        inclusive = _truthy(args.get("inclusive"))
        key = _ts_key(ts)
        if args.get("oldest"):
            oldest = _ts_key(args["oldest"])
            if key < oldest or (key == oldest and not inclusive):
                return False
        if args.get("latest"):
            latest = _ts_key(args["latest"])
            if key > latest or (key == latest and not inclusive):
                return False
        return True

    def _conversations_history(self, args: Json) -> Json:
        channel = self._channel_arg(args, "conversations.history")
        top_level = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") in (None, m["ts"]) and self._in_range(m["ts"], args)
        ]
        top_level.sort(key=lambda m: _ts_key(m["ts"]), reverse=True)
        return self._page(self._metadata_if_asked(top_level, args), args, default_limit=100)

    def _conversations_replies(self, args: Json) -> Json:
        channel = self._channel_arg(args, "conversations.replies")
        ts = str(args.get("ts") or "")
        messages = self._messages.get(channel, [])
        if not any(m["ts"] == ts for m in messages):
            raise SlackError("thread_not_found")
        thread = [m for m in messages if m["ts"] == ts or m.get("thread_ts") == ts]
        parent, replies = thread[0], [m for m in thread[1:] if self._in_range(m["ts"], args)]
        return self._page(self._metadata_if_asked([parent, *replies], args), args, default_limit=1000)

    def _metadata_if_asked(self, messages: list[Json], args: Json) -> list[Json]:
        """Slack returns message metadata from history only with include_all_metadata=true."""
        if _truthy(args.get("include_all_metadata")):
            return messages
        return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]

    # --- views --------------------------------------------------------------------------------------------------

    def _view_arg(self, method: str, args: Json) -> Json:
        view = args.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
        if self.validate:
            problems = validate_view(view)
            if problems:
                self.validation_errors.append(ValidationProblem(method, problems, copy.deepcopy(view)))
                raise SlackError("invalid_arguments", *(f"[ERROR] {p}" for p in problems))
        return view

    def _take_trigger(self, args: Json) -> _Trigger:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not isinstance(trigger_id, str) or not trigger_id:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        trigger = self._triggers.get(trigger_id) or _Trigger(created=time.monotonic())
        expired = trigger.ttl is not None and time.monotonic() - trigger.created > trigger.ttl
        if trigger_id in self._expired_triggers or expired:
            raise SlackError("expired_trigger_id")
        return trigger

    def _use_trigger(self, args: Json) -> None:
        self._used_triggers.add(args.get("trigger_id") or args["interactivity_pointer"])

    def _render_view(self, view: Json, *, view_id: str, root: str | None, previous: str | None) -> Json:
        rendered: Json = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if view["type"] == "modal":
            rendered["title"] = copy.deepcopy(view["title"])
            rendered["close"] = copy.deepcopy(view.get("close"))
            rendered["submit"] = copy.deepcopy(view.get("submit"))
            rendered["submit_disabled"] = bool(view.get("submit_disabled", False))
        return rendered

    def _register_view(self, rendered: Json) -> Json:
        external_id = rendered.get("external_id")
        if external_id:
            owner = self._external_ids.get(external_id)
            if owner is not None and owner != rendered["id"]:
                raise SlackError("duplicate_external_id")
            self._external_ids[external_id] = rendered["id"]
        self.views[rendered["id"]] = rendered
        return {"view": copy.deepcopy(rendered)}

    def _views_open(self, args: Json) -> Json:
        self._take_trigger(args)
        view = self._view_arg("views.open", args)
        if view["type"] != "modal":
            raise SlackError("invalid_arguments", "[ERROR] views.open needs a modal view [json-pointer:/view/type]")
        view_id = self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=view_id, previous=None)
        result = self._register_view(rendered)
        self._use_trigger(args)
        self._stacks[view_id] = [view_id]
        return result

    def _views_push(self, args: Json) -> Json:
        trigger = self._take_trigger(args)
        view = self._view_arg("views.push", args)
        if view["type"] != "modal":
            raise SlackError("invalid_arguments", "[ERROR] views.push needs a modal view [json-pointer:/view/type]")
        if trigger.view_id is not None:
            root = self.views.get(trigger.view_id, {}).get("root_view_id")
        else:  # a trigger not bound to a modal: push onto the most recently opened stack
            root = next(reversed(self._stacks), None)
        if root is None or root not in self._stacks:
            raise SlackError("not_found", "[ERROR] no open modal to push onto")
        stack = self._stacks[root]
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        view_id = self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=root, previous=stack[-1])
        result = self._register_view(rendered)
        self._use_trigger(args)
        stack.append(view_id)
        return result

    def _views_update(self, args: Json) -> Json:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = self._external_ids.get(str(args["external_id"]))
        if not args.get("view_id") and not args.get("external_id"):
            raise SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
        current = self.views.get(str(view_id)) if view_id else None
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._view_arg("views.update", args)
        if view["type"] != current["type"]:
            raise SlackError("invalid_arguments", "[ERROR] a view cannot change its type [json-pointer:/view/type]")
        rendered = self._render_view(
            view, view_id=current["id"], root=current["root_view_id"], previous=current["previous_view_id"]
        )
        rendered["state"] = current["state"]
        if not rendered["external_id"]:
            rendered["external_id"] = current["external_id"]
        return self._register_view(rendered)

    def answer_submission(self, view_id: str, answer: Json | None, submitted_hash: str | None = None) -> str | None:
        """Do what Slack does with an app's answer to a view_submission; returns the view now on top (None: closed).

        Slack handles `response_action` itself, with no Web API call, so tests hand the HTTP response body here, at
        the moment the reply reaches "Slack". Like Slack, it applies the answer then, even over a views.update that
        arrived earlier: an app that acks with one view and updates it a moment later can lose the update, and the
        tests must see that. (`submitted_hash` is kept for callers; Slack does not check it.)
        """
        with self._changed:
            current = self.views[view_id]
            stack = self._stacks.get(current["root_view_id"] or view_id, [view_id])
            action = (answer or {}).get("response_action")
            if action == "errors":
                self.view_errors[view_id] = dict(answer["errors"])  # type: ignore[index]
                return view_id
            self.view_errors.pop(view_id, None)
            if action in ("update", "push"):
                view = self._view_arg(f"view_submission:{action}", answer)  # type: ignore[arg-type]
                if action == "update":
                    rendered = self._render_view(
                        view, view_id=view_id, root=current["root_view_id"], previous=current["previous_view_id"]
                    )
                    self._register_view(rendered)
                    return view_id
                if len(stack) >= MAX_VIEW_STACK:
                    raise SlackError("push_limit_reached")
                new_id = self._next_view_id()
                self._register_view(self._render_view(view, view_id=new_id, root=stack[0], previous=stack[-1]))
                stack.append(new_id)
                self._changed.notify_all()
                return new_id
            if action == "clear":
                stack.clear()
                return None
            return self.close_view(view_id)

    def close_view(self, view_id: str) -> str | None:
        """The user pressed Close (or Back): the view leaves its stack; returns the view below, if any."""
        with self._lock:
            current = self.views[view_id]
            stack = self._stacks.get(current["root_view_id"] or view_id, [])
            if view_id in stack:
                stack.remove(view_id)
            return stack[-1] if stack else None

    def _views_publish(self, args: Json) -> Json:
        user_id = args.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: user_id")
        view = self._view_arg("views.publish", args)
        if view["type"] != "home":
            raise SlackError("invalid_arguments", "[ERROR] views.publish needs a home view [json-pointer:/view/type]")
        existing = self.home_views.get(user_id)
        if existing is not None and args.get("hash") and args["hash"] != self.views[existing]["hash"]:
            raise SlackError("hash_conflict")
        view_id = existing or self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=view_id, previous=None)
        result = self._register_view(rendered)
        self.home_views[user_id] = view_id
        return result


# --- HTTP plumbing ----------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close() joins request threads and nothing outlives stop()
    block_on_close = True
    fake: FakeSlack


def _decode_json_fields(args: Json) -> Json:
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as a string; the method reports it the way Slack would
    return args


def _parse_multipart(content_type: str, body: bytes) -> Json:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    args: Json = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            args[name] = payload.decode("utf-8") if isinstance(payload, bytes) and not part.get_filename() else payload
    return args


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # never let a half-open client pin a request thread
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/api/"):
            self._send(_Reply(status=404, body={"ok": False, "error": "not_found"}))
            return
        method = parts.path.removeprefix("/api/").strip("/")
        try:
            args = self._read_args(parts.query)
        except ValueError:
            self._send(_Reply(body={"ok": False, "error": "invalid_json"}))
            return
        token: str | None = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        elif isinstance(args.get("token"), str):
            token = args.pop("token")
        args.pop("token", None)
        self._send(self.server.fake._handle(method, args, token))

    def _read_args(self, query: str) -> Json:
        args: Json = dict(parse_qsl(query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/json"):
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            args.update(data)
        elif body and content_type.startswith("multipart/form-data"):
            args.update(_parse_multipart(content_type, body))
        elif body:
            args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return _decode_json_fields(args)

    def _send(self, reply: _Reply) -> None:
        if reply.delay:
            self.server.fake._stopping.wait(reply.delay)
        if reply.reset:
            # RST instead of FIN: the client sees "connection reset by peer" with no response at all.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # the fd really closes once finish() closes rfile/wfile
            self.close_connection = True
            return
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
