"""Manage licenses in pages of products: the choices made on every page, the product page and its filter.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Server defaults fill the rows of modals open during the upgrade (SQLite cannot add a NOT NULL column without).
    with op.batch_alter_table("view_sessions") as batch:
        batch.add_column(sa.Column("picked", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
        batch.add_column(sa.Column("product_page", sa.Integer(), server_default=sa.text("1"), nullable=False))
        batch.add_column(sa.Column("product_query", sa.String(), server_default=sa.text("''"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("view_sessions") as batch:
        batch.drop_column("product_query")
        batch.drop_column("product_page")
        batch.drop_column("picked")
