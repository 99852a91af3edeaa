"""The initial schema: catalogue, customers, seats, users and their licenses, operators, batches, and the audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# Frozen copies of storage.types, so this file keeps meaning what it meant when the models change.
KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = sa.DateTime(timezone=True)

APPEND_ONLY_MESSAGE = "audit is append-only"


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("sku", KEY, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("requires_one_of", sa.JSON(), nullable=False),
        sa.Column("excludes", sa.JSON(), nullable=False),
        sa.Column("unavailable_in", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
    )
    op.create_table(
        "customers",
        sa.Column("id", KEY, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", KEY, nullable=False),
        sa.Column("search", KEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index(op.f("ix_customers_name_key_id"), "customers", ["name_key", "id"])
    op.create_table(
        "subscriptions",
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("sku", KEY, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("alert_below", sa.Integer(), nullable=True),
        sa.CheckConstraint("assigned >= 0", name=op.f("ck_subscriptions_assigned_not_negative")),
        sa.CheckConstraint("assigned <= quantity", name=op.f("ck_subscriptions_assigned_within_quantity")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_subscriptions_quantity_not_negative")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_subscriptions_customers")),
        sa.ForeignKeyConstraint(["sku"], ["products.sku"], name=op.f("fk_subscriptions_products")),
        sa.PrimaryKeyConstraint("customer_id", "sku", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_sku"), "subscriptions", ["sku"])
    op.create_table(
        "users",
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("id", KEY, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("location", sa.String(length=2), nullable=True),
        sa.Column("name_key", KEY, nullable=False),
        sa.Column("search", KEY, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_users_customers")),
        sa.PrimaryKeyConstraint("customer_id", "id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_page"), "users", ["customer_id", "name_key", "id", "search"])
    op.create_table(
        "user_licenses",
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("user_id", KEY, nullable=False),
        sa.Column("sku", KEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id", "user_id"], ["users.customer_id", "users.id"], name=op.f("fk_user_licenses_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id", "sku"],
            ["subscriptions.customer_id", "subscriptions.sku"],
            name=op.f("fk_user_licenses_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "user_id", "sku", name=op.f("pk_user_licenses")),
    )
    op.create_index(op.f("ix_user_licenses_customer_id_sku"), "user_licenses", ["customer_id", "sku"])
    op.create_table(
        "operators",
        sa.Column("slack_user_id", KEY, nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("customers", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("slack_user_id", name=op.f("pk_operators")),
    )
    op.create_table(
        "batches",
        sa.Column("id", KEY, nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=True),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_batches_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_batches_idempotency_key")),
    )
    op.create_index(op.f("ix_batches_customer_id_created_at"), "batches", ["customer_id", "created_at"])
    op.create_table(
        "audit",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("batch_id", KEY, nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("operator", sa.String(), nullable=False),
        sa.Column("customer_id", KEY, nullable=False),
        sa.Column("user_id", KEY, nullable=False),
        sa.Column("sku", KEY, nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_batch_id"), "audit", ["batch_id"])
    op.create_index(op.f("ix_audit_customer_id_user_id"), "audit", ["customer_id", "user_id"])

    if op.get_bind().dialect.name == "postgresql":
        _postgresql_append_only_audit()
        _postgresql_user_search_index()
    else:
        _sqlite_append_only_audit()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        op.execute("DROP TRIGGER IF EXISTS audit_append_only ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
        op.execute("DROP INDEX IF EXISTS ix_users_search_trgm")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for name in ("audit", "batches", "operators", "user_licenses", "users", "subscriptions", "customers", "products"):
        op.drop_table(name)


def _sqlite_append_only_audit() -> None:
    # RAISE(ABORT) fails the statement as a constraint violation, i.e. IntegrityError, as on PostgreSQL below.
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def _postgresql_append_only_audit() -> None:
    op.execute(
        f"""
        CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
    )
    # TRUNCATE skips row triggers, so it needs its own.
    op.execute(
        "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
    )


def _postgresql_user_search_index() -> None:
    """A trigram index answers `search LIKE '%text%'` without reading every user of a large customer.

    pg_trgm is a trusted extension (PostgreSQL 13+): an owner of the database may create it. Where the migration's
    role may not, a superuser can run `CREATE EXTENSION pg_trgm` once beforehand.
    """
    bind = op.get_bind()
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The extension may live in a schema not on this search_path (e.g. public, when tables go to their own schema).
    ext_schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    opclass = f"{bind.dialect.identifier_preparer.quote_identifier(ext_schema)}.gin_trgm_ops"
    op.execute(f"CREATE INDEX ix_users_search_trgm ON users USING gin (search {opclass})")
