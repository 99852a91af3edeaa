"""Failure injection for tests: Slack errors, HTTP 429/500, dropped or slow connections, per method or channel."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fakes.slack.records import Json


@dataclass
class Failure:
    kind: str  # "error" | "http" | "reset" | "hang" | "drop" (the last two: the call is carried out first)
    remaining: int
    seconds: float = 0.0
    error: str = "fatal_error"
    status: int = 200
    retry_after: int | None = None


class FailuresMixin:
    """The part of FakeSlack that decides whether the next call fails, and how."""

    _lock: threading.RLock
    _failures: dict[str, deque[Failure]]
    _channel_failures: dict[str, str]
    _stubs: dict[str, Json]

    def fail(self, method: str, error: str = "fatal_error", times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer HTTP 200 ``{"ok": false, "error": error}``."""
        self._add_failure(method, Failure("error", times, error=error))

    def fail_http(self, method: str, status: int = 429, retry_after: int | None = None, times: int = 1) -> None:
        """The next ``times`` calls answer with HTTP ``status`` (429 carries ``Retry-After``, default 1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._add_failure(method, Failure("http", times, status=status, retry_after=retry_after))

    def reset_connection(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls get their connection reset with no response at all."""
        self._add_failure(method, Failure("reset", times))

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls are carried out (a message is stored) but answered only after ``seconds``."""
        self._add_failure(method, Failure("hang", times, seconds=seconds))

    def drop_after(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls are carried out, then the connection is reset: Slack has it, the client never
        hears so."""
        self._add_failure(method, Failure("drop", times))

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

    def _add_failure(self, method: str, failure: Failure) -> None:
        if failure.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._failures.setdefault(method, deque()).append(failure)

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining == 0:
            queue.popleft()
        return failure
