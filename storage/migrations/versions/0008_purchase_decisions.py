"""Buy more with approval: each request's note, its one decision (who, when, why) and the posted message it was
made on, and for an approval the quantity the subscription is to reach.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

# A frozen copy of storage.types, so this file keeps meaning what it meant when the models change.
INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("purchase_requests") as purchases:
        purchases.add_column(sa.Column("note", sa.Text(), nullable=True))
        purchases.add_column(sa.Column("decided_by", sa.String(), nullable=True))
        purchases.add_column(sa.Column("decided_at", INSTANT, nullable=True))
        purchases.add_column(sa.Column("reason", sa.Text(), nullable=True))
        purchases.add_column(sa.Column("target", sa.Integer(), nullable=True))
        purchases.add_column(sa.Column("message_channel", sa.String(), nullable=True))
        purchases.add_column(sa.Column("message_ts", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_requests") as purchases:
        for column in ("message_ts", "message_channel", "target", "reason", "decided_at", "decided_by", "note"):
            purchases.drop_column(column)
