"""Fault injection (throttling, outages, lost answers, latency, dropped connections) and request counters."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

GUID_OR_UPN = re.compile(r"/users/[^/?]+")


@dataclass
class Fault:
    status: int
    remaining: int
    retry_after: float | None
    method: str | None
    path: re.Pattern[str] | None
    inner: bool  # True: applies to requests inside a $batch, False: to HTTP requests
    # True: the request runs first and only its answer is replaced, as when Graph did the work but the gateway
    # timed out: a client that retries it meets its own change (a second removal of a license gets 400).
    runs: bool = False

    def matches(self, method: str, path: str, inner: bool, runs: bool) -> bool:
        return (
            self.remaining > 0
            and self.inner == inner
            and self.runs == runs
            and (self.method is None or self.method == method)
            and (self.path is None or bool(self.path.search(path)))
        )


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.latency = 0.0
        self.latency_path: re.Pattern[str] | None = None  # None: every request is slow
        self._crash_after: int | None = None
        self.counts: Counter[str] = Counter()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str, path: str, *, inner: bool, runs: bool = False) -> Fault | None:
        """Consumes one use of the first fault that matches this request, if any: with `runs`, one that answers
        after the request ran; without, one that answers instead of running it."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, inner, runs):
                    fault.remaining -= 1
                    return fault
            return None

    def delay(self, path: str) -> float:
        """How long this request waits before it is answered."""
        if self.latency_path is not None and not self.latency_path.search(path):
            return 0.0
        return self.latency

    def crash_next_batch(self, after: int) -> None:
        with self._lock:
            self._crash_after = after

    def take_crash(self) -> int | None:
        with self._lock:
            after, self._crash_after = self._crash_after, None
            return after

    def count(self, method: str, path: str, *, inner: bool = False) -> None:
        with self._lock:
            self.counts[endpoint(method, path, inner=inner)] += 1


def endpoint(method: str, path: str, *, inner: bool = False) -> str:
    """'POST /v1.0/users/{id}/assignLicense': one counter per endpoint, not per user."""
    path = path.split("?")[0]
    if not path.startswith("/"):
        path = "/" + path
    if inner:
        path = "/v1.0" + path
    path = GUID_OR_UPN.sub("/users/{id}", path)
    path = re.sub(r"^/[^/]+/(oauth2|v2\.0)/", r"/{tenant}/\1/", path)
    return f"{'$batch ' if inner else ''}{method} {path}"
