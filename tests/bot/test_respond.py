"""bot.slack.respond.ack_in_time with a stub Ack and WebClient and a lane of its own: which answer goes out, in which
order, and that the work never runs on the caller's (the listener's) thread. Work is held on Events, not sleeps."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from unittest.mock import Mock

import pytest
from prometheus_client import CollectorRegistry
from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.slack import interactions
from bot.slack.respond import ack_in_time, run_slow
from bot.telemetry.metrics import Metrics
from licensing.errors import Forbidden

PENDING, FINAL = {"title": "Saving…"}, {"title": "Done"}
BODY = {"type": "view_submission", "view": {"id": "V1"}}


class Recorder:
    """The acknowledgement and the Web API calls, in the order they were made, with when."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self.ack = Mock(spec=Ack, side_effect=lambda **kw: self._add("ack", kw))
        self.client = Mock(spec=WebClient)
        self.client.views_update.side_effect = lambda **kw: self._add("views.update", kw)
        self.then: list[Any] = []

    def _add(self, what: str, args: dict[str, Any]) -> None:
        self.events.append((what, args, time.monotonic()))

    def answers(self) -> list[tuple[str, Any]]:
        return [(what, _title(args["view"])) for what, args, _ in self.events]


def _title(view: dict[str, Any]) -> Any:
    return view["title"] if isinstance(view["title"], str) else view["callback_id"]


@pytest.fixture
def lane() -> Iterator[ThreadPoolExecutor]:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-slow")
    yield executor
    executor.shutdown(wait=True)


def run(r: Recorder, work: Callable[[], Any], lane: ThreadPoolExecutor, *, budget_s: float, settle_s: float = 0.2):  # type: ignore[no-untyped-def]
    return ack_in_time(
        r.ack,
        r.client,
        BODY,
        work,
        pending=PENDING,
        final=lambda _: FINAL,
        budget_s=budget_s,
        settle_s=settle_s,
        lane=lane,
        then=r.then.append,
    )


def test_work_within_the_budget_is_acknowledged_with_the_final_view_and_nothing_else(lane: ThreadPoolExecutor) -> None:
    r = Recorder()
    run(r, lambda: 42, lane, budget_s=30).result(timeout=10)
    assert r.answers() == [("ack", "Done")]
    assert r.then == [42]  # what follows the result runs once it was answered


def test_the_work_runs_on_the_lane_and_the_caller_returns_before_it_ends(lane: ThreadPoolExecutor) -> None:
    r, release = Recorder(), threading.Event()
    ran_on: list[str] = []

    def work() -> int:
        ran_on.append(threading.current_thread().name)
        release.wait(10)
        return 1

    done = run(r, work, lane, budget_s=30)
    assert not done.done()  # returned while the work still waits: the listener's thread is free
    release.set()
    done.result(timeout=10)
    assert ran_on[0].startswith("test-slow") and r.answers() == [("ack", "Done")]


def test_slow_work_acks_pending_then_updates_no_sooner_than_the_settle_time(lane: ThreadPoolExecutor) -> None:
    r, release = Recorder(), threading.Event()
    done = run(r, lambda: release.wait(10), lane, budget_s=0.01, settle_s=0.3)
    _wait_for(lambda: bool(r.events))  # "Saving…" at the budget, while the work is held
    assert r.answers() == [("ack", "Saving…")] and r.then == []
    release.set()
    done.result(timeout=10)
    assert r.answers() == [("ack", "Saving…"), ("views.update", "Done")]
    (_, _, acked), (_, update, updated) = r.events
    assert update["view_id"] == "V1" and updated - acked >= 0.3
    assert r.then == [True]


def test_with_the_lane_full_further_work_answers_saving_and_later_shows_its_result(lane: ThreadPoolExecutor) -> None:
    first, second, release = Recorder(), Recorder(), threading.Event()
    held = run(first, lambda: release.wait(10), lane, budget_s=0.01, settle_s=0)
    queued = run(second, lambda: "second", lane, budget_s=0.01, settle_s=0)
    _wait_for(lambda: bool(first.events and second.events))
    assert second.answers() == [("ack", "Saving…")]  # waiting its turn: never a timeout
    release.set()
    held.result(timeout=10)
    queued.result(timeout=10)
    assert first.answers() == second.answers() == [("ack", "Saving…"), ("views.update", "Done")]
    assert second.then == ["second"]


def test_the_budget_counts_from_the_requests_arrival(lane: ThreadPoolExecutor) -> None:
    """A request that waited in the middleware already used its budget: "Saving…" goes out at once."""
    r, release = Recorder(), threading.Event()
    request = interactions.Interaction("view_submission", ids.MANAGE_VIEW, Metrics(CollectorRegistry()))
    request.started -= 60  # arrived a minute ago

    def submit() -> Future[None]:
        interactions._current.set(request)
        return run(r, lambda: release.wait(10), lane, budget_s=30)

    done = contextvars.copy_context().run(submit)
    _wait_for(lambda: bool(r.events))
    assert r.answers() == [("ack", "Saving…")]  # well before the 30 s budget, counted from now, would end
    release.set()
    done.result(timeout=10)


def test_an_error_before_the_budget_is_the_answer(lane: ThreadPoolExecutor) -> None:
    r = Recorder()
    run(r, Mock(side_effect=Forbidden("Only admins may do that.")), lane, budget_s=30).result(timeout=10)
    [(what, args, _)] = r.events
    assert what == "ack" and args["view"]["callback_id"] == ids.NOTICE_VIEW
    assert "Only admins may do that." in str(args["view"]) and r.then == []


def test_an_error_after_the_pending_ack_is_shown_in_the_view_once_settled(lane: ThreadPoolExecutor) -> None:
    r, release = Recorder(), threading.Event()

    def slow_failure() -> None:
        release.wait(10)
        raise Forbidden("Only admins may do that.")

    done = run(r, slow_failure, lane, budget_s=0.01, settle_s=0.3)
    _wait_for(lambda: bool(r.events))
    release.set()
    done.result(timeout=10)
    assert [what for what, _, _ in r.events] == ["ack", "views.update"]
    (_, _, acked), (_, update, updated) = r.events
    assert update["view"]["callback_id"] == ids.NOTICE_VIEW and updated - acked >= 0.3


def test_a_result_the_view_no_longer_takes_is_logged_not_lost_in_the_lane(
    lane: ThreadPoolExecutor, caplog: pytest.LogCaptureFixture
) -> None:
    r, release = Recorder(), threading.Event()
    r.client.views_update.side_effect = SlackApiError("gone", {"ok": False, "error": "not_found"})
    done = run(r, lambda: release.wait(10), lane, budget_s=0.01, settle_s=0)
    _wait_for(lambda: bool(r.events))
    release.set()
    done.result(timeout=10)  # the lane's job ends cleanly: the error was answered, not left in the future
    assert "not_found" in caplog.text and r.then == []


def test_work_run_slow_after_an_ack_runs_on_the_lane_and_its_error_is_told_to_the_operator(
    lane: ThreadPoolExecutor,
) -> None:
    client = Mock(spec=WebClient)
    body = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"}}
    ran_on: list[str] = []
    run_slow(lane, client, body, lambda: ran_on.append(threading.current_thread().name)).result(timeout=10)
    assert ran_on[0].startswith("test-slow") and not client.chat_postEphemeral.called

    refused = Mock(side_effect=Forbidden("Only sales agents may decide."))
    run_slow(lane, client, body, refused).result(timeout=10)  # the future holds no error: it was answered
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U1", text="Only sales agents may decide.")


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "not within 10 s"
        time.sleep(0.005)
