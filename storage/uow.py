"""The unit of work the use cases run in: one session, one transaction, every repository sharing it."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from licensing.alert_types import AlertWatch
from licensing.notifications import DELIVERY_DEADLINE
from storage.alerts import SqlLicenseAlerts
from storage.audit import SqlAuditLog
from storage.db import refresh_statistics, take_bulk_loads
from storage.orders import SqlPartnerOrders
from storage.outbox.queue import SqlOutbox
from storage.purchases import SqlPurchaseRequests
from storage.repositories import (
    SqlBatchRepository,
    SqlCustomerRepository,
    SqlOperatorRepository,
    SqlProductRepository,
    SqlSubscriptionRepository,
    SqlUserRepository,
)
from storage.scheduled import SqlScheduledChanges
from storage.tenants import SqlRemoteBatches, SqlTenantMirror


class SqlUnitOfWork:
    """Implements `licensing.ports.UnitOfWork`.

    Reusable: each `with` block opens a fresh session (and so a fresh transaction), which is what lets a
    repository's `lock()` be the first statement of its transaction. Blocks may not nest. Whatever a block did not
    commit is rolled back when it ends.
    """

    customers: SqlCustomerRepository
    products: SqlProductRepository
    subscriptions: SqlSubscriptionRepository
    users: SqlUserRepository
    operators: SqlOperatorRepository
    batches: SqlBatchRepository
    audit: SqlAuditLog
    purchases: SqlPurchaseRequests
    orders: SqlPartnerOrders
    outbox: SqlOutbox
    mirror: SqlTenantMirror
    remote: SqlRemoteBatches
    alerts: SqlLicenseAlerts
    scheduled: SqlScheduledChanges

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        outbox_deadline: timedelta = DELIVERY_DEADLINE,
        alerts: AlertWatch | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._alerts = alerts  # low-license alerts: checked inside every change to seats (licensing/alerts.py)
        self._outbox_deadline = outbox_deadline  # how long the worker keeps trying to deliver a queued message
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("This unit of work is already in use; nested `with` blocks are not supported.")
        session = self._session = self._session_factory()
        self.customers = SqlCustomerRepository(session)
        self.products = SqlProductRepository(session)
        self.subscriptions = SqlSubscriptionRepository(session)
        self.users = SqlUserRepository(session)
        self.operators = SqlOperatorRepository(session)
        self.batches = SqlBatchRepository(session)
        self.audit = SqlAuditLog(session)
        self.purchases = SqlPurchaseRequests(session)
        self.orders = SqlPartnerOrders(session)
        self.outbox = SqlOutbox(session, deadline=self._outbox_deadline)
        self.mirror = SqlTenantMirror(session, self.users)
        self.remote = SqlRemoteBatches(session)
        self.alerts = SqlLicenseAlerts(session, self._alerts)
        self.scheduled = SqlScheduledChanges(session)
        return self

    def __exit__(self, *exc: object) -> None:
        session, self._session = self._active(), None
        try:
            session.rollback()
        finally:
            session.close()

    def commit(self) -> None:
        session = self._active()
        session.commit()
        refresh_statistics(session.get_bind().engine, take_bulk_loads(session))

    def rollback(self) -> None:
        self._active().rollback()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside a `with` block.")
        return self._session
