"""The mirror follows the tenant: overuse as Microsoft 365 reports it, each license's disabled service plans, and a
generation that fences a sync's older snapshot off users a save wrote meanwhile.

- subscriptions.mirrored: the seats are a connected tenant's (consumedUnits can exceed what is owned, so the
  counter may too); a local customer's counter stays at or below its quantity, as before.
- user_licenses.disabled_plans: the service plans turned off in that license (NULL: none).
- tenants.generation, users.generation: each connected save's writes to the mirror bump the tenant's generation
  and stamp the users they wrote; a sync whose snapshot began at an older generation leaves those users alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as subs:
        subs.add_column(sa.Column("mirrored", sa.Boolean(), server_default=sa.false(), nullable=False))
        subs.drop_constraint(op.f("ck_subscriptions_assigned_within_quantity"), type_="check")
        subs.create_check_constraint("assigned_within_quantity", "assigned <= quantity OR mirrored")
    op.execute("UPDATE subscriptions SET mirrored = TRUE WHERE customer_id IN (SELECT customer_id FROM tenants)")
    with op.batch_alter_table("user_licenses") as licenses:
        licenses.add_column(sa.Column("disabled_plans", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("tenants") as tenants:
        tenants.add_column(sa.Column("generation", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("generation", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("generation")
    with op.batch_alter_table("tenants") as tenants:
        tenants.drop_column("generation")
    with op.batch_alter_table("user_licenses") as licenses:
        licenses.drop_column("disabled_plans")
    op.execute("UPDATE subscriptions SET assigned = quantity WHERE assigned > quantity")
    with op.batch_alter_table("subscriptions") as subs:
        subs.drop_constraint(op.f("ck_subscriptions_assigned_within_quantity"), type_="check")
        subs.create_check_constraint("assigned_within_quantity", "assigned <= quantity")
        subs.drop_column("mirrored")
