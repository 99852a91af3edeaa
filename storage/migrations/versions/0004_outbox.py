"""The outbox (storage.outbox): messages queued with the change they report, and per-channel pacing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("parent_id", AUTO_ID, nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("batch_id", sa.String(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("fallback_user", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("unsure", sa.Boolean(), nullable=False),
        sa.Column("dm", sa.Boolean(), nullable=False),
        sa.Column("lane", sa.String(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("deadline", WHEN, nullable=False),
        sa.Column("next_at", WHEN, nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("sent_channel", sa.String(), nullable=True),
        sa.Column("ts", sa.String(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["outbox.id"], name=op.f("fk_outbox_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_parent_id_position"), "outbox", ["parent_id", "position"])
    op.create_index(op.f("ix_outbox_status_next_at"), "outbox", ["status", "next_at"])
    op.create_table(
        "outbox_channels",
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("next_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_outbox_channels")),
    )


def downgrade() -> None:
    op.drop_table("outbox_channels")
    op.drop_index(op.f("ix_outbox_status_next_at"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_parent_id_position"), table_name="outbox")
    op.drop_table("outbox")
