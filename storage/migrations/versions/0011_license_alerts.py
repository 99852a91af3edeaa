"""Low-license alerts: each low or overused subscription's alert, its thread and its next daily reminder.

No foreign key to the outbox (as 0010): delivered history may be pruned, and a reply to a thread that is gone goes
alone.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "license_alerts",
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("sku", KEY, nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_license_alerts_customers")),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_license_alerts_products")),
        sa.PrimaryKeyConstraint("customer_id", "sku", name=op.f("pk_license_alerts")),
    )
    op.create_index(op.f("ix_license_alerts_next_reminder_at"), "license_alerts", ["next_reminder_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_license_alerts_next_reminder_at"), table_name="license_alerts")
    op.drop_table("license_alerts")
