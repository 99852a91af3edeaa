"""Customers connected to Microsoft 365: the tenant of each, the mirror's extra columns, connected saves in flight,
and the lease that lets one replica at a time run the sync.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of storage.types, so this file keeps meaning what it meant when the models change.
KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("remote_id", sa.String(), nullable=True))
    with op.batch_alter_table("user_licenses") as licenses:
        licenses.add_column(sa.Column("via_group", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "tenants",
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("synced_at", INSTANT, nullable=True),
        sa.Column("seats_at", INSTANT, nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_tenants_customers")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_tenants")),
    )
    op.create_table(
        "remote_batches",
        sa.Column("id", KEY, nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("tenant_id", sa.String(), nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("intent", sa.JSON(), nullable=False),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("lease_until", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_remote_batches_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_batches")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_remote_batches_idempotency_key")),
    )
    op.create_index(op.f("ix_remote_batches_lease_until"), "remote_batches", ["lease_until"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("holder", sa.String(), nullable=False),
        sa.Column("until", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_index(op.f("ix_remote_batches_lease_until"), table_name="remote_batches")
    op.drop_table("remote_batches")
    op.drop_table("tenants")
    with op.batch_alter_table("user_licenses") as licenses:
        licenses.drop_column("via_group")
    with op.batch_alter_table("users") as users:
        users.drop_column("remote_id")
