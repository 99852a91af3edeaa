"""Manage licenses' two kinds of product choice get one name each: `initial` (what each radio started at when the
modal opened) and `choices` (what the operator left each at), where they were `choices` and `picked`.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # In two steps: the new name of one column is the old name of the other.
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.alter_column("choices", new_column_name="initial")
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.alter_column("picked", new_column_name="choices")


def downgrade() -> None:
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.alter_column("choices", new_column_name="picked")
    with op.batch_alter_table("view_sessions") as sessions:
        sessions.alter_column("initial", new_column_name="choices")
