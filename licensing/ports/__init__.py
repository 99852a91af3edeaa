"""What the use cases need from storage and from Microsoft 365: Protocols that `storage/` and `providers/`
implement, and tests/memory.py fakes in memory. One module per aggregate; every name is re-exported here, so
adapters and use cases import them from `licensing.ports`."""

from licensing.ports.alerts import LicenseAlerts
from licensing.ports.connected import RemoteBatches, TenantMirror, TenantProvider
from licensing.ports.directory import (
    CustomerRepository,
    OperatorRepository,
    ProductRepository,
    SubscriptionRepository,
    UserRepository,
)
from licensing.ports.orders import PartnerOrders
from licensing.ports.outbox import Outbox
from licensing.ports.partner import PartnerCenter
from licensing.ports.purchases import PurchaseRequests
from licensing.ports.records import AuditLog, BatchRepository
from licensing.ports.scheduled import ScheduledChanges
from licensing.ports.unit_of_work import UnitOfWork

__all__ = [
    "AuditLog",
    "BatchRepository",
    "CustomerRepository",
    "LicenseAlerts",
    "OperatorRepository",
    "Outbox",
    "PartnerCenter",
    "PartnerOrders",
    "ProductRepository",
    "PurchaseRequests",
    "RemoteBatches",
    "ScheduledChanges",
    "SubscriptionRepository",
    "TenantMirror",
    "TenantProvider",
    "UnitOfWork",
    "UserRepository",
]
