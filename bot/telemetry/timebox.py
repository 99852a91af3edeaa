"""Running a database check with a deadline the caller can count on.

The statement timeout (storage/probes.py) bounds a query, not a connection that hangs on its way to a database that
stopped answering, nor a wait for a pooled connection. So the check runs on a daemon thread that the caller waits
for at most `timeout_s`; a check that overruns is left to finish on its own (it cannot hold the process open), and
until it does the next call fails at once instead of piling up another stuck thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedOut(Exception):
    pass


class Timebox(Generic[T]):
    def __init__(self, check: Callable[[], T], timeout_s: float, name: str) -> None:
        self.check, self.timeout_s, self.name = check, timeout_s, name
        self._lock = threading.Lock()
        self._running: threading.Thread | None = None

    def __call__(self) -> T:
        outcome: list[T] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                outcome.append(self.check())
            except BaseException as e:  # handed to the caller below
                failure.append(e)

        with self._lock:
            if self._running is not None and self._running.is_alive():
                raise TimedOut(f"{self.name}: the previous check has not finished yet")
            thread = self._running = threading.Thread(target=run, name=self.name, daemon=True)
            thread.start()
        thread.join(self.timeout_s)
        if thread.is_alive():
            raise TimedOut(f"{self.name}: no answer within {self.timeout_s:g} s")
        if failure:
            raise failure[0]
        return outcome[0]
