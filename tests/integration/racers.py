"""What each raced process runs. Kept apart from the tests so a spawned child imports only this."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from licensing.service import apply, make_change
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

Outcome = tuple[str, str, tuple[str, ...], str | None, bool]  # user, status, error codes, batch id, replayed


@contextmanager
def connected(url: str) -> Iterator[SqlUnitOfWork]:
    """A unit of work on a connection already made (connecting is not part of the race); disposed at the end."""
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
        yield SqlUnitOfWork(make_session_factory(engine))
    finally:
        engine.dispose()


def assign(
    url: str, start: Barrier, results: Queue[Outcome], actor: str, user_id: str, sku: str, key: str | None
) -> None:
    """Assign `sku` to one user of contoso once every racer is ready, and report the user's outcome."""
    try:
        with connected(url) as uow:
            change = make_change("contoso", [user_id], assign=[sku])
            start.wait(timeout=30)
            result = apply(change, actor=actor, uow=uow, idempotency_key=key)
        o = result.results[0]
        results.put((user_id, o.status.value, tuple(e.code.value for e in o.errors), result.batch_id, result.replayed))
    except Exception as exc:  # reported, not raised: the test asserts no racer failed this way
        results.put((user_id, "error", (repr(exc),), None, False))


Decided = tuple[str, str]  # racer, "approved" | "declined" | "already" | "error: ..."


def decide(url: str, start: Barrier, results: Queue[Decided], actor: str, request_id: int, how: str) -> None:
    """Approve (or decline) purchase request `request_id` once every racer is ready, and report who won."""
    from licensing.purchases import AlreadyDecided, approve, decline

    try:
        with connected(url) as uow:
            start.wait(timeout=30)
            try:
                if how == "approve":
                    decision = approve(request_id, actor=actor, uow=uow)
                else:
                    decision = decline(request_id, f"declined by {actor}", actor=actor, uow=uow)
                results.put((actor, decision.status.value))
            except AlreadyDecided:
                results.put((actor, "already"))
    except Exception as exc:
        results.put((actor, f"error: {exc!r}"))


def guarded_update(url: str, start: Barrier, results: Queue[Decided], actor: str, request_id: int, how: str) -> None:
    """The storage guard alone, without the customer's lock: one UPDATE ... WHERE status = 'requested', committed."""
    from datetime import UTC, datetime

    try:
        with connected(url) as uow:
            start.wait(timeout=30)
            with uow:
                won = uow.purchases.decide(request_id, status=how, by=actor, at=datetime.now(UTC), reason="race")
                uow.commit()
        results.put((actor, how if won else "already"))
    except Exception as exc:
        results.put((actor, f"error: {exc!r}"))


Ran = tuple[str, tuple[int, ...]]  # racer, the scheduled changes it finished


def run_scheduled(url: str, start: Barrier, results: Queue[Ran], holder: str, at: str) -> None:
    """A replica's scheduled-changes job at `at` (ISO), one change a claim until none is due; reports what it ran."""
    from datetime import datetime

    from licensing.scheduled.runs import run_due

    try:
        with connected(url) as uow:
            now = datetime.fromisoformat(at)
            start.wait(timeout=30)
            ran: list[int] = []
            while done := run_due(
                uow=uow, render=lambda c, r, e: {"text": f"ran {c.id}"}, clock=lambda: now, holder=holder, limit=1
            ):
                ran += done
        results.put((holder, tuple(ran)))
    except Exception:  # reported, not raised: the test asserts every change ran once, which -1 never is
        results.put((holder, (-1,)))
