"""The outbox worker's tuning and its tally: shared by the worker and what it does when a send does not land."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from licensing.notifications import DELIVERY_DEADLINE


@dataclass(frozen=True)
class Config:
    """The worker's tuning; these defaults are the settings' defaults too (bot/settings.py says what each means)."""

    channel_interval: timedelta = timedelta(seconds=1)
    lease: timedelta = timedelta(seconds=120)
    lot: int = 20  # messages claimed at once (one lot), at most one per channel
    concurrency: int = 4
    deadline: timedelta = DELIVERY_DEADLINE  # `licensebot outbox retry` gives a message this much time again
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0


@dataclass
class Stats:
    """What the worker did and where its time went (the benchmark reads it)."""

    sent: int = 0
    found: int = 0  # already in Slack after an uncertain attempt: recorded, not sent again
    retried: int = 0
    dead: int = 0
    fallback: int = 0  # the channel refused: the thread goes to the operator by DM
    db_s: float = 0.0
    slack_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Told of every count as it is added (the metrics; see bot/runtime/bootstrap.py).
    observer: Callable[[str, float], None] | None = field(default=None, repr=False)

    def add(self, **counts: float) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)
        for name, value in counts.items():
            if self.observer is not None:
                self.observer(name, value)

    def in_db(self) -> AbstractContextManager[None]:
        """Counts the time the block takes as time in the database."""
        return self._timed("db_s")

    def in_slack(self) -> AbstractContextManager[None]:
        """Counts the time the block takes as time in Slack calls."""
        return self._timed("slack_s")

    @contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(**{name: time.perf_counter() - started})
