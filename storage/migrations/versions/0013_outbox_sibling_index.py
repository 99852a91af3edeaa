"""Outbox claims check a reply's earlier siblings in a partial index of the undelivered messages by thread.

Without it PostgreSQL answered "is an earlier sibling still to send?" by intersecting the thread's index with the
whole partial lane index, once per lane per claim: on a fresh 10,000-message backlog (statistics not yet caught
up) that was most of the database's CPU in a drain.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

UNDELIVERED = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_index(
        op.f("ix_outbox_parent_id_position_undelivered"),
        "outbox",
        ["parent_id", "position"],
        postgresql_where=UNDELIVERED,
        sqlite_where=UNDELIVERED,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_parent_id_position_undelivered"), table_name="outbox")
