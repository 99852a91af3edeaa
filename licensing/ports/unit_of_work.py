"""One transaction over every repository: what a use case is given."""

from __future__ import annotations

from typing import Protocol, Self

from licensing.ports.alerts import LicenseAlerts
from licensing.ports.connected import RemoteBatches, TenantMirror
from licensing.ports.directory import (
    CustomerRepository,
    OperatorRepository,
    ProductRepository,
    SubscriptionRepository,
    UserRepository,
)
from licensing.ports.orders import PartnerOrders
from licensing.ports.outbox import Outbox
from licensing.ports.purchases import PurchaseRequests
from licensing.ports.records import AuditLog, BatchRepository
from licensing.ports.scheduled import ScheduledChanges


class UnitOfWork(Protocol):
    # Read-only properties, so implementations may declare their concrete repository types.
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def products(self) -> ProductRepository: ...
    @property
    def subscriptions(self) -> SubscriptionRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def operators(self) -> OperatorRepository: ...
    @property
    def batches(self) -> BatchRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def purchases(self) -> PurchaseRequests: ...
    @property
    def orders(self) -> PartnerOrders: ...  # approved purchases being bought in Partner Center
    @property
    def outbox(self) -> Outbox: ...
    @property
    def mirror(self) -> TenantMirror: ...  # a connected tenant's seats and users, as last read
    @property
    def remote(self) -> RemoteBatches: ...
    @property
    def alerts(self) -> LicenseAlerts: ...
    @property
    def scheduled(self) -> ScheduledChanges: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
