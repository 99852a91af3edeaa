"""Answering a view submission with the view a person should end up seeing, whatever order Slack receives things in.

Slack applies a submission's `response_action` when the HTTP reply reaches it, and Bolt's threaded runner sends
that reply up to one poll interval after `ack()`. So a listener that acks with "Saving…" and calls `views.update`
with the result a few milliseconds later can have its update land first, and the late acknowledgement then puts
"Saving…" back for good. The rule here: work that finishes within a budget well inside Slack's 3 seconds is
acknowledged with its final view directly, and no update follows. Only slower work acks with the pending view (when
the budget runs out) and updates once done, and never sooner than `settle_s` after that acknowledgement, so the
update is safely the later of the two.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

T = TypeVar("T")
View = dict[str, Any]


def ack_in_time(
    ack: Ack,
    client: WebClient,
    view_id: str,
    work: Callable[[], T],
    *,
    pending: View,
    final: Callable[[T], View],
    budget_s: float,
    settle_s: float,
) -> T:
    """Runs `work` on this thread; answers the submission with `final(result)` if it is done within `budget_s`,
    else with `pending` at the budget and `final(result)` by views.update later. An exception raised before the
    acknowledgement propagates unanswered (Bolt's error handler answers it); after it, once settled."""
    lock = threading.Lock()
    acked_at: list[float] = []  # when `pending` went out; empty while nothing was acknowledged
    decided = threading.Event()  # set once the answer is the work's own (final view or error): no pending ack

    def ack_pending() -> None:
        with lock:
            if not decided.is_set():
                ack(response_action="update", view=pending)
                acked_at.append(time.monotonic())

    timer = threading.Timer(budget_s, ack_pending)
    timer.daemon = True
    timer.start()
    try:
        result = work()
    except BaseException:
        if not _decide(lock, decided, acked_at, timer):
            _settle(acked_at[0], settle_s)
        raise
    if _decide(lock, decided, acked_at, timer):
        ack(response_action="update", view=final(result))
        return result
    _settle(acked_at[0], settle_s)
    client.views_update(view_id=view_id, view=final(result))
    return result


def _decide(lock: threading.Lock, decided: threading.Event, acked_at: list[float], timer: threading.Timer) -> bool:
    """True when nothing was acknowledged yet, and from now on nothing will be but by the caller."""
    with lock:
        timer.cancel()
        if acked_at:
            return False
        decided.set()
        return True


def _settle(acked: float, settle_s: float) -> None:
    time.sleep(max(0.0, acked + settle_s - time.monotonic()))
