"""The schema. Alembic migrations (storage/migrations) create it; this module is what they are checked against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import AutoId, Key, NullableJSON, UTCDateTime

# Stable constraint names, so a later migration can drop or alter a constraint by name on either database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Joins the parts of a search column; no one types it, so a query cannot match across two parts.
SEARCH_SEPARATOR = "\x1f"

# The trigram index only exists on PostgreSQL (SQLite has no such index type); see the migration.
USER_SEARCH_TRGM_INDEX = "ix_users_search_trgm"


def name_key(name: str) -> str:
    """What names sort by: the domain's `User.sort_key` casefolds, and so must the database's order."""
    return name.casefold()


def search_key(*parts: str) -> str:
    """The text a case-insensitive substring search looks in."""
    return SEARCH_SEPARATOR.join(p.casefold() for p in parts)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ProductRow(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    requires_one_of: Mapped[list[str]] = mapped_column(JSON)
    excludes: Mapped[list[str]] = mapped_column(JSON)
    unavailable_in: Mapped[list[str]] = mapped_column(JSON)


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (Index(None, "name_key", "id"),)

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    name_key: Mapped[str] = mapped_column(Key)
    search: Mapped[str] = mapped_column(Key)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # The seat counter is the last line of defence against overselling: whatever the code decided, the
        # database refuses a local counter above the quantity owned. A connected tenant's counter mirrors its
        # consumedUnits, which Microsoft 365 lets exceed what is owned (overuse), so it is shown as it is.
        CheckConstraint("assigned >= 0", name="assigned_not_negative"),
        CheckConstraint("assigned <= quantity OR mirrored", name="assigned_within_quantity"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index(None, "sku"),
    )

    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(Key, ForeignKey("products.sku"), primary_key=True)
    quantity: Mapped[int]
    assigned: Mapped[int]
    alert_below: Mapped[int | None]
    service_plans: Mapped[list[str] | None] = mapped_column(NullableJSON)  # a connected tenant's (Subscription.plans)
    mirrored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a tenant's seats


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        # Serves the paged, searched user list: rows come in page order, and `search` being in the index lets
        # SQLite filter and count from the index alone.
        Index("ix_users_page", "customer_id", "name_key", "id", "search"),
        # Substring search (LIKE '%...%') on PostgreSQL; needs pg_trgm, so only the migration creates it.
        Index(
            USER_SEARCH_TRGM_INDEX, "search", postgresql_using="gin", postgresql_ops={"search": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), primary_key=True)
    id: Mapped[str] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    location: Mapped[str | None] = mapped_column(String(2))
    name_key: Mapped[str] = mapped_column(Key)
    search: Mapped[str] = mapped_column(Key)
    remote_id: Mapped[str | None] = mapped_column(String)  # a connected tenant's object id for the user
    # The tenant's generation when a connected save last wrote this user (a sync's older snapshot skips them).
    generation: Mapped[int | None]


class UserLicenseRow(Base):
    __tablename__ = "user_licenses"
    __table_args__ = (
        ForeignKeyConstraint(["customer_id", "user_id"], ["users.customer_id", "users.id"]),
        ForeignKeyConstraint(["customer_id", "sku"], ["subscriptions.customer_id", "subscriptions.sku"]),
        # Counting a subscription's holders (recount) and checking its foreign key.
        Index(None, "customer_id", "sku"),
    )

    customer_id: Mapped[str] = mapped_column(Key, primary_key=True)
    user_id: Mapped[str] = mapped_column(Key, primary_key=True)
    sku: Mapped[str] = mapped_column(Key, primary_key=True)
    # A connected tenant assigns it through a group (and not directly): it cannot be revoked from the user.
    via_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A connected tenant's service plans turned off in this license (NULL: none).
    disabled_plans: Mapped[list[str] | None] = mapped_column(NullableJSON)


class OperatorRow(Base):
    __tablename__ = "operators"

    slack_user_id: Mapped[str] = mapped_column(Key, primary_key=True)
    name: Mapped[str | None] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    customers: Mapped[list[str] | None] = mapped_column(NullableJSON)  # NULL: every customer


class BatchRow(Base):
    __tablename__ = "batches"
    __table_args__ = (Index(None, "customer_id", "created_at"),)

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String, unique=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"))
    operator: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditRow(Base):
    """Append-only: the migration adds triggers that refuse UPDATE and DELETE. No foreign keys, so that nothing
    else in the database can ever block or cascade into it."""

    __tablename__ = "audit"
    __table_args__ = (
        Index(None, "batch_id"),
        Index(None, "customer_id", "user_id"),
        # History and export page through (at, id), of every customer or of some.
        Index(None, "at", "id"),
        Index(None, "customer_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(Key)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String)
    customer_id: Mapped[str] = mapped_column(Key)
    user_id: Mapped[str] = mapped_column(Key)
    sku: Mapped[str | None] = mapped_column(Key)
    action: Mapped[str] = mapped_column(String)
    outcome: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(Text)


class PurchaseRequestRow(Base):
    """A "Buy more" request, and its one decision (licensing/purchases.py)."""

    __tablename__ = "purchase_requests"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), index=True)
    sku: Mapped[str] = mapped_column(Key, ForeignKey("products.sku"))
    quantity: Mapped[int]
    operator: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String, default="requested")  # approved, declined, fulfilled
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was declined
    target: Mapped[int | None]  # approved: the quantity the subscription is to reach
    message_channel: Mapped[str | None] = mapped_column(String)  # the posted request the decision was made on
    message_ts: Mapped[str | None] = mapped_column(String)
    outbox_id: Mapped[int | None]  # the thread the request was posted in: its decision is told there


class TenantRow(Base):
    """A customer connected to a Microsoft 365 tenant: its seats and users are a mirror of the tenant's."""

    __tablename__ = "tenants"

    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seats_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")  # bumped by each save's writes


class RemoteBatchRow(Base):
    """A connected save recorded before its first call to the tenant, until its outcome is recorded in `batches`.

    `holder` and `lease_until` say which process is calling the tenant for it; a lease that ran out means that
    process died, and the batch is reconciled by reading its users back.
    """

    __tablename__ = "remote_batches"
    __table_args__ = (Index(None, "lease_until"),)

    id: Mapped[str] = mapped_column(Key, primary_key=True)
    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"))
    tenant_id: Mapped[str] = mapped_column(String)
    operator: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String, unique=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    intent: Mapped[dict[str, Any]] = mapped_column(JSON)
    holder: Mapped[str] = mapped_column(String)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)


class JobLeaseRow(Base):
    """Which replica runs a periodic job (the tenant sync) until when."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    holder: Mapped[str] = mapped_column(String)
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class LicenseAlertRow(Base):
    """A subscription that is low or overused, and its alert (licensing/alerts.py); no row: not alerted."""

    __tablename__ = "license_alerts"
    __table_args__ = (Index(None, "next_reminder_at"),)

    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(Key, ForeignKey("products.sku"), primary_key=True)
    level: Mapped[str] = mapped_column(String)  # low, overused
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    next_reminder_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outbox_id: Mapped[int | None]  # the alert's thread: reminders and "back above" are replies there


def table(model: type[Base]) -> Table:
    """The Core table behind a model, for the bulk statements the ORM's unit of work would only slow down."""
    t = model.__table__
    assert isinstance(t, Table)
    return t


metadata = Base.metadata


class ScheduledChangeRow(Base):
    """A change to run later (licensing/scheduled/schedule.py): pending until `run_at`, then claimed with a lease by one
    replica, then done, failed or cancelled. `outbox_id` is the save's confirmation thread: the outcome goes there."""

    __tablename__ = "scheduled_changes"
    __table_args__ = (Index(None, "status", "run_at"), UniqueConstraint("save_key", "action"))

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"), index=True)
    user_ids: Mapped[list[str]] = mapped_column(JSON)
    desired: Mapped[dict[str, str]] = mapped_column(JSON)  # sku -> assign / revoke
    location: Mapped[str | None] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)  # start / end
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    operator: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    save_key: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    outcome: Mapped[str | None] = mapped_column(Text)
    outbox_id: Mapped[int | None]
    lease_holder: Mapped[str | None] = mapped_column(String)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
