"""The fake Partner Center's data: the partner's customers, their subscriptions (each with its ETag), and every
quantity change it accepted, so a test can count purchases. A test sets it up through PartnerCenter's methods."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

# Told of an accepted quantity change, so the customer's tenant shows it: (tenant id, skuId, licenses added).
Provision = Callable[[str, str, int], None]
# How many licenses of a SKU the tenant has assigned (tenant id, skuId): a reduction below it is refused.
Assigned = Callable[[str, str], int]


@dataclass
class Subscription:
    id: str
    sku_id: str  # what provisioningstatus answers: the Graph skuId this subscription provisions
    offer_name: str
    quantity: int
    billing_cycle: str = "monthly"
    term: str = "P1M"
    commitment_end: date = field(default_factory=lambda: datetime.now(UTC).date() + timedelta(days=30))
    cancellable_until: date | None = None
    status: str = "active"
    min_quantity: int = 1
    max_quantity: int = 300
    offer_id: str = field(default_factory=lambda: f"CFQ7TTC0{uuid.uuid4().hex[:4].upper()}:0001")
    etag: str = field(default_factory=lambda: uuid.uuid4().hex)

    def resource(self) -> dict[str, Any]:
        """The whole Subscription resource, as GET answers it (and as PATCH expects it back)."""
        return {
            "id": self.id,
            "offerId": self.offer_id,
            "offerName": self.offer_name,
            "friendlyName": self.offer_name,
            "quantity": self.quantity,
            "unitType": "Licenses",
            "status": self.status,
            "autoRenewEnabled": True,
            "billingType": "license",
            "billingCycle": self.billing_cycle,
            "termDuration": self.term,
            "commitmentEndDate": f"{self.commitment_end.isoformat()}T00:00:00Z",
            "cancellationAllowedUntilDate": (
                f"{self.cancellable_until.isoformat()}T00:00:00Z" if self.cancellable_until else None
            ),
            "attributes": {"etag": self.etag, "objectType": "Subscription"},
        }


@dataclass
class Customer:
    tenant_id: str
    name: str
    domain: str
    subscriptions: dict[str, Subscription] = field(default_factory=dict)


@dataclass(frozen=True)
class Patch:
    """One quantity change Partner Center accepted: a purchase (or a reduction)."""

    tenant_id: str
    subscription_id: str
    request_id: str  # the MS-RequestId it came with
    before: int
    after: int


class PartnerCenter:
    """The partner's Partner Center account. Thread-safe; `provision` shows changes in the customers' tenants."""

    def __init__(self, provision: Provision | None = None) -> None:
        self.lock = threading.RLock()
        self.partner_tenant_id = ""  # the tenant whose app tokens Partner Center takes; "" refuses every token
        self.customers: dict[str, Customer] = {}
        self.patches: list[Patch] = []
        self.provision = provision
        self.assigned: Assigned | None = None
        # True: an accepted change reaches the tenant's subscribedSkus only at `release()` (Partner Center's delay,
        # which a test ends when it chooses); False: at once.
        self.delayed = False
        self.held: list[tuple[str, str, int]] = []

    def reset(self) -> None:
        with self.lock:
            self.partner_tenant_id = ""
            self.customers.clear()
            self.patches.clear()
            self.delayed = False
            self.held.clear()

    def add_customer(self, tenant_id: str, name: str, domain: str) -> Customer:
        with self.lock:
            customer = Customer(tenant_id.lower(), name, domain.lower())
            self.customers[customer.tenant_id] = customer
            return customer

    def add_subscription(
        self, tenant_id: str, sku_id: str, offer_name: str, quantity: int, **more: Any
    ) -> Subscription:
        with self.lock:
            sub = Subscription(str(uuid.uuid4()).upper(), sku_id.lower(), offer_name, quantity, **more)
            self.customers[tenant_id.lower()].subscriptions[sub.id] = sub
            return sub

    def touch(self, tenant_id: str, subscription_id: str, quantity: int | None = None) -> None:
        """Someone else changes the subscription in Partner Center (its ETag changes; its quantity too if given)."""
        with self.lock:
            sub = self.customers[tenant_id.lower()].subscriptions[subscription_id]
            sub.etag = uuid.uuid4().hex
            if quantity is not None:
                sub.quantity = quantity

    def release(self) -> None:
        """The delayed changes reach the customers' tenants now."""
        with self.lock:
            held, self.held = self.held, []
        for change in held:
            if self.provision is not None:
                self.provision(*change)

    def quantity(self, tenant_id: str, subscription_id: str) -> int:
        with self.lock:
            return self.customers[tenant_id.lower()].subscriptions[subscription_id].quantity
