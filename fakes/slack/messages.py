"""Channels, messages, threads, ephemeral messages and DMs: the chat.* and conversations.* half of FakeSlack."""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections.abc import Iterator

from fakes.slack.blockkit import validate_message
from fakes.slack.records import Json, SlackError, ValidationProblem, clone, truthy, ts_key

CHANNEL_POST_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage")


class MessagesMixin:
    """Keeps every channel's messages (thread replies included) in posting order, and the ephemeral ones apart."""

    team_id: str
    bot_user_id: str
    bot_id: str
    app_id: str
    validate: bool
    wall_clock_ts: bool
    validation_errors: list[ValidationProblem]
    missing_text: list[Json]
    _lock: threading.RLock
    _last_ts: int
    _messages: dict[str, list[Json]]
    _ephemeral: dict[str, list[Json]]
    _dms: dict[str, str]
    _channel_failures: dict[str, str]
    _ids: Iterator[int]
    _ts: Iterator[int]

    def _touch(self) -> None: ...  # FakeSlack's: a change anyone watching should see

    def _init_messages(self) -> None:
        self._last_ts = 0
        self._messages = {}
        self._ephemeral = {}
        self._dms = {}
        self._ts = itertools.count(1_700_000_000_000_100, 100)

    # --- state for assertions (and for the playground's page) ---------------------------------------------------

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

    def add_message(self, channel: str, text: str, *, user: str = "U0HUMAN01", thread_ts: str | None = None) -> str:
        """Seed a message from a person (e.g. the message a thread hangs off); returns its ts."""
        with self._lock:
            message: Json = {"type": "message", "user": user, "text": text, "ts": self._next_ts(), "team": self.team_id}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._store(self._resolve_channel(channel), message)
            self._touch()
            return str(message["ts"])

    def add_ephemeral(self, channel: str, user: str, message: Json) -> str:
        """Show ``user`` a private message from the app, as Slack shows a command's or a response_url's answer."""
        with self._lock:
            ts = self._next_ts()
            stored = {**self._bot_message(message, ts), "user": user, "channel": self._resolve_channel(channel)}
            self._ephemeral.setdefault(stored["channel"], []).append(stored)
            self._touch()
            return ts

    # --- helpers ------------------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        value = next(self._ts)
        if self.wall_clock_ts:
            value = self._last_ts = max(self._last_ts + 1, int(time.time() * 1_000_000))
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

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
                message[key] = clone(args[key])
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return {k: v for k, v in message.items() if v is not None}

    # --- methods ------------------------------------------------------------------------------------------------

    def _chat_post_message(self, args: Json) -> Json:
        channel = self._channel_arg(args, "chat.postMessage")
        self._check_message("chat.postMessage", args)
        ts = self._next_ts()
        message = self._bot_message(args, ts)
        self._store(channel, message)
        return {"channel": channel, "ts": ts, "message": clone(message)}

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
        inclusive = truthy(args.get("inclusive"))
        key = ts_key(ts)
        if args.get("oldest"):
            oldest = ts_key(args["oldest"])
            if key < oldest or (key == oldest and not inclusive):
                return False
        if args.get("latest"):
            latest = ts_key(args["latest"])
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
        top_level.sort(key=lambda m: ts_key(m["ts"]), reverse=True)
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
        if truthy(args.get("include_all_metadata")):
            return messages
        return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]
