"""Manage licenses' Services: what the operator chose for each service of each product (sku -> plan -> on | off),
kept on the server across the Services view's pages and Back, like the product choices; and a connected tenant's
service plans of each product (subscriptions.service_plans, from subscribedSkus; NULL for a local customer).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.add_column(sa.Column("service_choices", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.add_column(sa.Column("service_plans", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.drop_column("service_plans")
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.drop_column("service_choices")
