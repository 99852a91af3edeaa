"""Indexes for reading the audit in time order (`/licenses history`, `licensebot audit export`): by (at, id), and
by customer then (at, id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_at_id"), "audit", ["at", "id"])
    op.create_index(op.f("ix_audit_customer_id_at_id"), "audit", ["customer_id", "at", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_customer_id_at_id"), table_name="audit")
    op.drop_index(op.f("ix_audit_at_id"), table_name="audit")
