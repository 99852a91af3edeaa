"""Time-bound assignments: changes scheduled for later, claimed with a lease by one replica when due.

No foreign key to the outbox (as 0010): delivered history may be pruned, and a reply to a thread gone goes alone.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "scheduled_changes",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("user_ids", sa.JSON(), nullable=False),
        sa.Column("desired", sa.JSON(), nullable=False),
        sa.Column("location", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("save_key", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("lease_holder", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_scheduled_changes_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_changes")),
        sa.UniqueConstraint("save_key", "action", name=op.f("uq_scheduled_changes_save_key")),
    )
    op.create_index(op.f("ix_scheduled_changes_customer_id"), "scheduled_changes", ["customer_id"])
    op.create_index(op.f("ix_scheduled_changes_status_run_at"), "scheduled_changes", ["status", "run_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scheduled_changes_status_run_at"), table_name="scheduled_changes")
    op.drop_index(op.f("ix_scheduled_changes_customer_id"), table_name="scheduled_changes")
    op.drop_table("scheduled_changes")
