"""Answering a view submission with the view a person should end up seeing, whatever order Slack receives things in,
while the work itself runs on the slow lane (`Deps.slow`), never on Bolt's listener threads.

Why a lane of its own: a Save on a connected customer waits on Microsoft Graph for seconds. On Bolt's few listener
threads, six such Saves would leave every other operator's click queued behind them, unanswered past Slack's 3 s.
On the lane, slow work waits its turn there (the operator sees "Saving…"), and clicks keep their threads.

Slack applies a submission's `response_action` when the HTTP reply reaches it, and the reply leaves from the
request's own thread some time after `ack()` (woken at once, bot/slack/interactions.py, but still on another thread
than the listener's, and then through the web server). So a listener that acks with "Saving…" and calls `views.update`
with the result a few milliseconds later can have its update land first, and the late acknowledgement then puts
"Saving…" back for good. The rule here: work that finishes within a budget well inside Slack's 3 seconds (counted
from the request's arrival) is acknowledged with its final view directly, and no update follows. Only slower work
acks with the pending view (when the budget runs out) and updates once done, and never sooner than `settle_s` after
that acknowledgement, so the update is safely the later of the two.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from slack_bolt import Ack, BoltResponse
from slack_sdk import WebClient

from bot.slack import errors, interactions

T = TypeVar("T")
View = dict[str, Any]


def ack_in_time(
    ack: Ack,
    client: WebClient,
    body: dict[str, Any],
    work: Callable[[], T],
    *,
    pending: View,
    final: Callable[[T], View],
    budget_s: float,
    settle_s: float,
    lane: Executor,
    then: Callable[[T], None] = lambda _: None,
) -> Future[None]:
    """Runs `work` on `lane` and returns at once. The submission is answered with `final(result)` if the work is
    done within `budget_s` of the request's arrival, else with `pending` at the budget and `final(result)` by
    views.update once done and settled; then `then(result)` runs, on the lane. An error is answered as the error
    handler would: in place of the answer, or in the view once settled."""
    answer = _Answer(ack, pending)
    timer = threading.Timer(max(0.0, budget_s - interactions.age()), answer.pending)
    timer.daemon = True
    timer.start()

    def job() -> None:
        try:
            result = work()
        except Exception as error:
            _fail(error, answer.decide(timer), ack, client, body, settle_s)
            return
        try:
            if (acked := answer.decide(timer)) is None:
                ack(response_action="update", view=final(result))
            else:
                _settle(acked, settle_s)
                client.views_update(view_id=body["view"]["id"], view=final(result))
            then(result)
        except Exception as error:  # the view closed meanwhile, a redraw failed: said as any error after an ack
            errors.handle(error, body, client, None)

    return lane.submit(job)


def run_slow(lane: Executor, client: WebClient, body: dict[str, Any], work: Callable[[], None]) -> Future[None]:
    """For a listener that has acked already (a button in a message, e.g. Approve): runs `work` on `lane` and returns
    at once. An error is answered as any error after an ack (bot/slack/errors.py), never lost in the future."""

    def job() -> None:
        try:
            work()
        except Exception as error:
            errors.handle(error, body, client, None)

    return lane.submit(job)


class _Answer:
    """Who answers the submission: the budget's timer with the pending view, or the work with its own."""

    def __init__(self, ack: Ack, pending: View) -> None:
        self._ack, self._pending = ack, pending
        self._lock = threading.Lock()
        self._acked_at: float | None = None  # when `pending` went out
        self._decided = False  # the answer is the work's own (final view or error): no pending ack

    def pending(self) -> None:
        with self._lock:
            if not self._decided:
                self._ack(response_action="update", view=self._pending)
                self._acked_at = time.monotonic()

    def decide(self, timer: threading.Timer) -> float | None:
        """None when nothing was acknowledged yet, and from now on nothing will be but by the caller; else when the
        pending view went out."""
        with self._lock:
            timer.cancel()
            if self._acked_at is None:
                self._decided = True
            return self._acked_at


def _fail(
    error: Exception, acked: float | None, ack: Ack, client: WebClient, body: dict[str, Any], settle_s: float
) -> None:
    if acked is None:  # still unanswered: the error's view is the answer, as Bolt's error handler would give it
        response = errors.handle(error, body, client, BoltResponse(status=200))
        if response is not None and isinstance(response.body, str):
            ack(response_action="update", view=_view_of(response))
        return
    _settle(acked, settle_s)
    errors.handle(error, body, client, None)


def _view_of(response: BoltResponse) -> View:
    return dict(json.loads(response.body)["view"])


def _settle(acked: float, settle_s: float) -> None:
    time.sleep(max(0.0, acked + settle_s - time.monotonic()))
