"""Partner Center: the customers' subscriptions and their quantities (providers/partner_center implements it)."""

from __future__ import annotations

from typing import Protocol

from licensing.partner import CommerceSubscription, PartnerCustomer


class PartnerCenter(Protocol):
    """Never called inside a transaction. Failures: OrderRefused (Partner Center said no; nothing changed) and
    licensing.tenants.ProviderError (signed out, unreachable, still throttled at the deadline)."""

    def subscriptions(self, tenant: str) -> list[CommerceSubscription]:
        """The customer's subscriptions, each with the product (skuPartNumber) it provisions."""
        ...

    def subscription(self, tenant: str, subscription_id: str) -> CommerceSubscription:
        """One subscription as Partner Center has it now."""
        ...

    def set_quantity(
        self, tenant: str, subscription_id: str, quantity: int, *, request_id: str
    ) -> CommerceSubscription:
        """Makes the subscription's quantity `quantity` (read fresh, then changed with its ETag). `request_id` is the
        MS-RequestId: one per purchase, the same on every retry. A quantity already there is not sent again."""
        ...

    def customers(self) -> list[PartnerCustomer]:
        """Every customer of the partner."""
        ...
