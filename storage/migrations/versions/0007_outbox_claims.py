"""Outbox claims start from the lanes: a partial index of each lane's undelivered messages, and a lane row for
every lane already in use (claims no longer create them; whatever gives a message a lane does).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

UNDELIVERED = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_index(
        op.f("ix_outbox_lane_id"),
        "outbox",
        ["lane", "id"],
        postgresql_where=UNDELIVERED,
        sqlite_where=UNDELIVERED,
    )
    # Messages queued before this revision may be in lanes no claim has created a row for yet. Free at once: the
    # time a message was queued is in the past, and is stored the way each database stores instants.
    op.execute(
        "INSERT INTO outbox_channels (channel, next_at) "
        "SELECT lane, MIN(created_at) FROM outbox "
        "WHERE lane IS NOT NULL AND status <> 'sent' AND lane NOT IN (SELECT channel FROM outbox_channels) "
        "GROUP BY lane"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_lane_id"), table_name="outbox")
