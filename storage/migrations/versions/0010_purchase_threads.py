"""Buy more: the outbox thread each request was posted in, so its decision is told in that thread.

No foreign key to the outbox: delivered history may be pruned, and a reply to a thread that is gone goes alone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_requests") as purchases:
        purchases.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_requests") as purchases:
        purchases.drop_column("outbox_id")
