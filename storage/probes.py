"""Read-only questions the bot's health checks and metrics ask the database: is it there, is its schema at the
migrations' head, and how is the outbox doing. Each runs in a short transaction of its own under a statement
timeout (PostgreSQL), so a slow database answers "too slow" instead of holding a scrape or a probe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, text

from storage.migrate import current_revisions, head_revisions
from storage.outbox.rows import DEAD, PENDING, SENDING, OutboxRow


@dataclass(frozen=True)
class OutboxStats:
    pending: int  # not delivered yet, in flight included
    dead: int
    oldest_pending: datetime | None  # when the oldest of those was queued


def ping(engine: Engine, *, timeout_s: float) -> None:
    with engine.connect() as conn:
        _limit(conn, timeout_s)
        conn.execute(text("SELECT 1"))


def schema_problem(engine: Engine, *, timeout_s: float) -> str | None:
    """None when the database is migrated to the code's head revision; otherwise what is wrong, in plain words."""
    with engine.connect() as conn:
        _limit(conn, timeout_s)
        current = current_revisions(conn)
    if not current:
        return "the database has no schema yet: run `licensebot db upgrade`"
    if current != head_revisions():
        return f"the database schema is at {', '.join(sorted(current))}, not {', '.join(sorted(head_revisions()))}"
    return None


def outbox_stats(engine: Engine, *, timeout_s: float) -> OutboxStats:
    # One pass over the (status, next_at) index's status prefix; created_at is read only for undelivered rows.
    stmt = (
        select(OutboxRow.status, func.count(), func.min(OutboxRow.created_at))
        .where(OutboxRow.status.in_([PENDING, SENDING, DEAD]))
        .group_by(OutboxRow.status)
    )
    with engine.connect() as conn:
        _limit(conn, timeout_s)
        rows = conn.execute(stmt).all()
    pending = [(n, oldest) for status, n, oldest in rows if status in (PENDING, SENDING)]
    oldest = min((o for _, o in pending if o is not None), default=None)  # min() keeps the column's UTC type
    return OutboxStats(sum(n for n, _ in pending), sum(n for status, n, _ in rows if status == DEAD), oldest)


def _limit(conn: Connection, timeout_s: float) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}"))
