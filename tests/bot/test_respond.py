"""bot.slack.respond.ack_in_time with a stub Ack and WebClient: which answer goes out, and in which order."""

from __future__ import annotations

import threading
import time
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.respond import ack_in_time

PENDING, FINAL = {"title": "Saving…"}, {"title": "Done"}


class Recorder:
    """The acknowledgement and the Web API calls, in the order they were made, with when."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self.ack = Mock(spec=Ack, side_effect=lambda **kw: self._add("ack", kw))
        self.client = Mock(spec=WebClient)
        self.client.views_update.side_effect = lambda **kw: self._add("views.update", kw)

    def _add(self, what: str, args: dict[str, Any]) -> None:
        self.events.append((what, args, time.monotonic()))

    def answers(self) -> list[tuple[str, Any]]:
        return [(what, args["view"]["title"]) for what, args, _ in self.events]


def run(r: Recorder, work: Any, *, budget_s: float, settle_s: float = 0.2) -> Any:
    return ack_in_time(
        r.ack, r.client, "V1", work, pending=PENDING, final=lambda _: FINAL, budget_s=budget_s, settle_s=settle_s
    )


def test_work_within_the_budget_is_acknowledged_with_the_final_view_and_nothing_else() -> None:
    r = Recorder()
    assert run(r, lambda: 42, budget_s=5) == 42
    assert r.answers() == [("ack", "Done")]


def test_slow_work_acks_pending_then_updates_no_sooner_than_the_settle_time() -> None:
    r = Recorder()
    done = threading.Event()
    run(r, lambda: done.wait(0.1), budget_s=0.01, settle_s=0.3)
    assert r.answers() == [("ack", "Saving…"), ("views.update", "Done")]
    (_, _, acked), (_, update, updated) = r.events
    assert update["view_id"] == "V1" and updated - acked >= 0.3


def test_an_error_before_the_budget_leaves_the_answer_to_the_error_handler() -> None:
    r = Recorder()
    with pytest.raises(ValueError, match="boom"):
        run(r, Mock(side_effect=ValueError("boom")), budget_s=0.2)
    for timer in [t for t in threading.enumerate() if isinstance(t, threading.Timer)]:
        timer.join(timeout=1)  # a cancelled budget timer ends without acking "Saving…"
    assert r.answers() == []


def test_an_error_after_the_pending_ack_is_raised_only_once_settled() -> None:
    r = Recorder()

    def slow_failure() -> None:
        time.sleep(0.05)
        raise ValueError("boom")

    started = time.monotonic()
    with pytest.raises(ValueError, match="boom"):
        run(r, slow_failure, budget_s=0.01, settle_s=0.3)
    assert r.answers() == [("ack", "Saving…")]
    assert time.monotonic() - r.events[0][2] >= 0.3 and time.monotonic() - started >= 0.3
