"""Partner Center, where a connected customer's licenses are bought: the values its provider trades in.

The provider (providers/partner_center) speaks in these values only, so the domain never sees Partner Center's
JSON, ETags or request ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CommerceSubscription:
    """One of a customer's Partner Center subscriptions. Several may feed one product (annual and monthly)."""

    id: str
    sku: str  # the Graph skuPartNumber it provisions ("" when Partner Center does not say yet)
    name: str  # the offer's name, as the partner knows it
    quantity: int
    status: str = "active"
    term: str = ""  # termDuration, ISO 8601: P1M, P1Y, P3Y
    billing_cycle: str = ""  # monthly, annual
    commitment_end: date | None = None
    cancellable_until: date | None = None  # a reduction is allowed until this day (new commerce)


@dataclass(frozen=True)
class PartnerCustomer:
    name: str
    domain: str
    tenant_id: str


class OrderRefused(Exception):
    """Partner Center refused the change as asked: nothing was bought. `description` is Partner Center's own."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Partner Center refused it ({code}): {description}")
        self.code = code
        self.description = description
