"""When to try again: exactly Retry-After when Graph gives it, else exponential backoff with jitter."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 503, 504})


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def deadline_after(seconds: float) -> float:
    """The time.monotonic() value `seconds` from now, as Backoff takes it."""
    return time.monotonic() + seconds


class Backoff:
    def __init__(self, deadline: float, *, base: float = 0.5, cap: float = 30.0) -> None:
        self.deadline = deadline  # time.monotonic() value
        self.base = base
        self.cap = cap
        self.attempts = 0

    def wait(self, seconds: float | None) -> bool:
        """Sleeps before the next try; False (without sleeping) when that would pass the deadline."""
        if seconds is None:
            # "Equal jitter": at least half the exponential step, so retries spread out but still back off.
            step = min(self.cap, self.base * 2**self.attempts)
            seconds = step / 2 + random.uniform(0, step / 2)
        self.attempts += 1
        if time.monotonic() + seconds > self.deadline:
            return False
        time.sleep(seconds)
        return True
