"""Partner Center, where a connected customer's licenses are bought: the values its provider trades in.

The provider (providers/partner_center) speaks in these values only, so the domain never sees Partner Center's
JSON, ETags or request ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


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


@dataclass(frozen=True)
class Order:
    """An approved Buy more request's change in Partner Center, recorded before anything is sent (the intent), so
    a retry or a restart reads the subscription and compares before sending again."""

    purchase_id: int
    customer_id: str
    subscription_id: str
    request_id: str  # the MS-RequestId, made once for this purchase and sent with every try
    quantity: int  # the subscription's quantity once bought
    holder: str  # the process placing it
    lease_until: datetime  # after this, another process may take it over (the holder died)
    placed: bool = False


class OrderState(StrEnum):
    PLACED = "placed"  # Partner Center has the new quantity
    REFUSED = "refused"  # nothing was bought; the request can be decided again
    PENDING = "pending"  # no answer yet: licensebot reads the subscription and tries again
    BY_HAND = "by_hand"  # licensebot is not connected to Partner Center: a person places it


@dataclass(frozen=True)
class OrderNews:
    """What became of an approved request's order, for the messages."""

    state: OrderState
    detail: str = ""  # Partner Center's description (refused), or why (pending, by hand)
    quantity: int | None = None  # placed: the subscription's quantity in Partner Center now
    subscription: str = ""  # placed: which subscription (its offer name)
