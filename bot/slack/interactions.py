"""Each Slack request in a scope of its own, timed from arrival to answer (the ack) and to done (its listener ended).

Why not a global middleware around `next()`: in Bolt's synchronous App, `next()` only marks the chain as
continuing, it does not run the rest of it, and with `process_before_response=False` the listener runs on Bolt's
executor after `dispatch` has already answered. So the timing sits where both ends are visible: `dispatch` itself
(which Socket Mode and the HTTP route both call) for the answer, and the listener executor for the end of the
work. The same two places carry the request's context variables (the log fields, the interaction) into the
listener's thread, which a plain thread pool would not.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltRequest, BoltResponse

from blocks import ids
from bot.telemetry import logs
from bot.telemetry.metrics import ERROR, OK, REFUSED, Metrics
from bot.webclient import PooledWebClient

T = TypeVar("T")

COMMANDS = frozenset({"/licenses"})
EVENTS = frozenset({"app_home_opened"})
KNOWN_IDS = frozenset(v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str))
PAGING = frozenset({ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST})
_SEVERITY = {OK: 0, REFUSED: 1, ERROR: 2}


class Interaction:
    """One request: what it is, when it came, how it went so far; recorded once answered and its listener done."""

    def __init__(self, kind: str, name: str, metrics: Metrics) -> None:
        self.kind, self.name, self.metrics = kind, name, metrics
        self.started = time.perf_counter()
        self.outcome = OK
        self._lock = threading.Lock()
        self._listeners = 0
        self._answered = False

    def note(self, outcome: str) -> None:
        """The worst outcome seen wins: an error after a refusal is an error."""
        with self._lock:
            if _SEVERITY[outcome] > _SEVERITY[self.outcome]:
                self.outcome = outcome

    def listener_started(self) -> None:
        with self._lock:
            self._listeners += 1

    def listener_done(self) -> None:
        with self._lock:
            self._listeners -= 1
            finished = self._answered and self._listeners == 0
        if finished:
            self._finish()

    def answered(self, response: BoltResponse | None) -> None:
        self.metrics.ack_seconds.labels(self.kind, self.name).observe(time.perf_counter() - self.started)
        self.note(outcome_of(response))
        with self._lock:
            self._answered = True
            finished = self._listeners == 0
        if finished:
            self._finish()

    def _finish(self) -> None:
        elapsed = time.perf_counter() - self.started
        self.metrics.interactions.labels(self.kind, self.name, self.outcome).inc()
        self.metrics.done_seconds.labels(self.kind, self.name, self.outcome).observe(elapsed)


_current: ContextVar[Interaction | None] = ContextVar("licensebot_interaction", default=None)


class WakingAck(Ack):
    """Bolt's Ack, which also wakes the request's thread once the request is answered (`ack()` called, or Bolt
    storing its error answer) or its listener has ended without answering.

    Why: Bolt's threaded runner (slack_bolt/listener/thread_runner.py, `process_before_response=False`) submits the
    listener to the listener executor, then polls `ack.response` every 10 ms; an answer waited ~5 ms on average for
    the next poll. `ListenerExecutor.submit` waits for this event instead, so the poll finds the answer at once.
    """

    def __init__(self) -> None:
        self.settled = threading.Event()
        self.thread = threading.get_ident()  # the request's own thread: the only one that waits
        self._response: BoltResponse | None = None  # all Ack.__init__ would do (it sets `response` to None)

    @property
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self.settled.set()


_ack: ContextVar[WakingAck | None] = ContextVar("licensebot_ack", default=None)


def age() -> float:
    """Seconds since the current request arrived (Slack's 3 s run from then, middleware included); 0 outside one."""
    interaction = _current.get()
    return 0.0 if interaction is None else time.perf_counter() - interaction.started


def note(outcome: str) -> None:
    """Record how the current request is going (bot/slack/errors.py calls this); outside a request it does nothing."""
    interaction = _current.get()
    if interaction is not None:
        interaction.note(outcome)


class ObservedApp(App):
    """Bolt's App, each request dispatched in a context of its own and measured."""

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        self.metrics = metrics
        # Bolt's default executor, but one that carries the request's context into the listener's thread.
        super().__init__(listener_executor=ListenerExecutor(max_workers=5, thread_name_prefix="listener"), **kwargs)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        return contextvars.copy_context().run(self._dispatch, req)

    def _init_context(self, req: BoltRequest) -> None:
        """Bolt gives each request a WebClient of its own, a plain one; this one shares the app client's kept-alive
        connections (bot/webclient.py), so a click's views.update does not open a connection first."""
        super()._init_context(req)
        if isinstance(self._client, PooledWebClient):
            req.context["client"] = self._client.sibling(team_id=req.context.team_id)

    def _dispatch(self, req: BoltRequest) -> BoltResponse:
        kind, name = describe(req.body if isinstance(req.body, dict) else {})
        interaction = Interaction(kind, name, self.metrics)
        _current.set(interaction)
        # Bolt makes the request's Ack on first use (BoltContext.ack); made here, it is ours: one that wakes us.
        ack = req.context["ack"] = WakingAck()
        _ack.set(ack)
        with logs.scope():
            try:
                response = super().dispatch(req)
            except BaseException:  # Bolt answers errors itself; this is only in case it ever does not
                interaction.answered(None)
                raise
        interaction.answered(response)
        return response


class ContextExecutor(ThreadPoolExecutor):
    """Runs each task in a copy of the submitter's context, and tells the submitter's interaction when it ends."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        interaction = _current.get()
        if interaction is not None:
            interaction.listener_started()

        def run() -> T:
            try:
                return context.run(fn, *args, **kwargs)
            finally:
                if interaction is not None:
                    interaction.listener_done()

        return super().submit(run)


class ListenerExecutor(ContextExecutor):
    """Bolt's listener executor: a submission from the request's own thread returns once the request is answered,
    its listener has ended, or Bolt's time for an ack (3 s) is up, whichever is first. Bolt submits the listener
    just before it starts polling for the ack (see `WakingAck`), so the poll then finds the answer without sleeping;
    Bolt's own handling of a listener that never acks is unchanged (its poll takes over when this wait gives up).
    """

    ack_timeout_s = 3.0  # Bolt's default `ack_timeout`, which no listener here changes

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future = super().submit(fn, *args, **kwargs)
        ack = _ack.get()
        if ack is not None and ack.thread == threading.get_ident():
            future.add_done_callback(lambda _: ack.settled.set())
            ack.settled.wait(self.ack_timeout_s)
        return future


def outcome_of(response: BoltResponse | None) -> str:
    if response is None or (response.status >= 400 and response.status != 401):
        return ERROR
    if response.status == 401:  # a bad signature or a stale timestamp: refused before any listener ran
        return REFUSED
    body = response.body if isinstance(response.body, str) else ""
    if '"response_action"' in body:  # a form answered with field errors: the input was refused
        try:
            if json.loads(body).get("response_action") == "errors":
                return REFUSED
        except ValueError:
            pass
    return OK


def describe(body: dict[str, Any]) -> tuple[str, str]:
    """The request's kind and id as metric labels, each from a closed set ("other" for anything unknown)."""
    if "command" in body:
        return "slash_command", _known(body.get("command"), COMMANDS)
    kind = body.get("type")
    if kind == "block_actions":
        return "block_action", action_family((body.get("actions") or [{}])[0].get("action_id"))
    if kind == "block_suggestion":
        return "options", action_family(body.get("action_id"))
    if kind in ("view_submission", "view_closed"):
        return str(kind), _known((body.get("view") or {}).get("callback_id"), KNOWN_IDS)
    if kind == "event_callback":
        return "event", _known((body.get("event") or {}).get("type"), EVENTS)
    return "other", "other"


def action_family(action_id: Any) -> str:
    """The four paging buttons are one family, `page`; any other id of ours is its own."""
    if action_id in PAGING:
        return "page"
    return _known(action_id, KNOWN_IDS)


def _known(value: Any, known: frozenset[str]) -> str:
    return value if isinstance(value, str) and value in known else "other"
