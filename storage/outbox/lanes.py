"""The lanes table (`outbox_channels`): one row per lane, when it may next be sent to, shared by every worker.

A claim starts from this table (storage/outbox/claims.py), so a lane's row must exist before any message in it can
be claimed: every statement that gives a message a lane calls `ensure` in the same transaction. Rows are never
deleted; a lane without due messages costs a claim one index probe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import case, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.outbox.rows import OutboxChannelRow

# A new lane is free at once.
NEVER_USED = datetime(2000, 1, 1, tzinfo=UTC)


def ensure(session: Session, lanes: Iterable[str]) -> None:
    """Create the rows of lanes not seen before; leaves existing rows (and their pacing) alone."""
    # Sorted: two transactions creating the same new lanes wait for each other in the same order, never in a cycle.
    new = [{"channel": lane, "next_at": NEVER_USED} for lane in sorted(set(lanes))]
    if not new:
        return
    # ON CONFLICT DO NOTHING does not wait for a worker's FOR UPDATE lock on an existing row, only for another
    # transaction inserting the same new lane.
    ins = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(ins(OutboxChannelRow).values(new).on_conflict_do_nothing())


def free_at(session: Session, lane: str, until: datetime) -> None:
    """The lane may be sent to again from `until` on."""
    session.execute(update(OutboxChannelRow).where(OutboxChannelRow.channel == lane).values(next_at=until))


def free_all(session: Session, until: Mapping[str, datetime]) -> None:
    """`free_at` for several lanes, in one statement."""
    if not until:
        return
    at = {lane: literal(when, OutboxChannelRow.next_at.type) for lane, when in until.items()}
    session.execute(
        update(OutboxChannelRow)
        .where(OutboxChannelRow.channel.in_(sorted(until)))
        .values(next_at=case(at, value=OutboxChannelRow.channel))
        .execution_options(synchronize_session=False)
    )
