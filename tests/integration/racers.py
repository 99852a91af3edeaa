"""What each raced process runs. Kept apart from the tests so a spawned child imports only this."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from licensing.service import apply, make_change
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

Outcome = tuple[str, str, tuple[str, ...], str | None, bool]  # user, status, error codes, batch id, replayed


def assign(
    url: str, start: Barrier, results: Queue[Outcome], actor: str, user_id: str, sku: str, key: str | None
) -> None:
    """Assign `sku` to one user of contoso once every racer is ready, and report the user's outcome."""
    engine = make_engine(url)
    try:
        with engine.connect():  # connecting is not part of the race
            pass
        uow = SqlUnitOfWork(make_session_factory(engine))
        change = make_change("contoso", [user_id], assign=[sku])
        start.wait(timeout=30)
        result = apply(change, actor=actor, uow=uow, idempotency_key=key)
        o = result.results[0]
        results.put((user_id, o.status.value, tuple(e.code.value for e in o.errors), result.batch_id, result.replayed))
    except Exception as exc:  # reported, not raised: the test asserts no racer failed this way
        results.put((user_id, "error", (repr(exc),), None, False))
    finally:
        engine.dispose()
