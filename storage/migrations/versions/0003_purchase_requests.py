"""Buy more requests, recorded for the partner's admins until a purchase flow exists.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "purchase_requests",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("sku", KEY, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_purchase_requests_customers")),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_purchase_requests_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_requests")),
    )
    op.create_index(op.f("ix_purchase_requests_customer_id"), "purchase_requests", ["customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_purchase_requests_customer_id"), table_name="purchase_requests")
    op.drop_table("purchase_requests")
