"""When the worker tries a failed message again (bot/outbox/worker.py): exactly when Slack says after a 429, otherwise
after an exponential backoff with full jitter."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import SlackApiError


def backoff_s(attempts: int, *, base_s: float, cap_s: float, rng: Callable[[], float]) -> float:
    """The wait after the `attempts`-th failed attempt: anywhere in [0, min(cap, base * 2^(attempts-1))).

    Full jitter: workers that failed together (Slack down for a minute) come back spread out rather than in step,
    and the wait depends on nothing but the attempt count, so nothing more is stored per message. A wait near 0 is
    fine: the lane's pacing still keeps a retry from following the failed send at once.
    """
    return float(min(base_s * 2 ** (attempts - 1), cap_s) * rng())


def retry_after_s(e: SlackApiError) -> float:
    """Slack's Retry-After (seconds), exactly; 1 s if it gave none."""
    headers = {k.lower(): v for k, v in (e.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0
