"""Approve = buy: an approved Buy more request's order in Partner Center, recorded before it is sent.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "partner_orders",
        sa.Column("purchase_id", AUTO_ID, nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("subscription_id", sa.String(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_partner_orders_customers")),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchase_requests.id"], name=op.f("fk_partner_orders_purchase_requests")
        ),
        sa.PrimaryKeyConstraint("purchase_id", name=op.f("pk_partner_orders")),
    )
    op.create_index(op.f("ix_partner_orders_subscription_id"), "partner_orders", ["subscription_id"])
    op.create_index(op.f("ix_partner_orders_placed_lease_until"), "partner_orders", ["placed", "lease_until"])


def downgrade() -> None:
    op.drop_index(op.f("ix_partner_orders_placed_lease_until"), table_name="partner_orders")
    op.drop_index(op.f("ix_partner_orders_subscription_id"), table_name="partner_orders")
    op.drop_table("partner_orders")
