"""The bot's open modals (storage.sessions): which customer, page and search, and which users are selected.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "view_sessions",
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("slack_user_id", sa.String(), nullable=False),
        sa.Column("channel_id", sa.String(), nullable=True),
        sa.Column("customer_id", KEY, nullable=True),
        sa.Column("customer_name", sa.String(), nullable=True),
        sa.Column("query", sa.String(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("showing_selected", sa.Boolean(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("page_keys", sa.JSON(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_view_sessions")),
    )
    op.create_index(op.f("ix_view_sessions_updated_at"), "view_sessions", ["updated_at"])
    op.create_table(
        "view_selections",
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("user_id", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["token"], ["view_sessions.token"], name=op.f("fk_view_selections_view_sessions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token", "user_id", name=op.f("pk_view_selections")),
    )


def downgrade() -> None:
    op.drop_table("view_selections")
    op.drop_table("view_sessions")
