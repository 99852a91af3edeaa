"""Right-size: a connected customer's unused licenses that Partner Center still takes back (new commerce: until the
subscription's cancellationAllowedUntilDate, 7 days after its purchase or renewal), and Reduce, a request for fewer.

A Reduce request is a Buy more request of a negative quantity: it is posted, approved and placed in Partner Center
exactly as one (licensing/purchases.py, licensing/connected/orders.py). It never asks to give back an assigned
license: not when it is requested, nor when it is approved (the tenant may have assigned more since). Whether the
window is still open is Partner Center's to say: its refusal is shown as it words it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from licensing import purchases
from licensing.errors import InvalidRequest
from licensing.model import Subscription
from licensing.notifications import OutgoingThread
from licensing.ports import PartnerCenter, UnitOfWork
from licensing.purchases import PurchaseRequest
from licensing.types import Clock, utcnow


@dataclass(frozen=True)
class Reducible:
    """A product with unused licenses that one of its subscriptions can still give back."""

    sku: str
    unused: int  # owned − assigned in the tenant, as the last sync read it
    until: date  # the last day Partner Center takes a reduction (cancellationAllowedUntilDate)
    subscription: str  # the subscription's offer name


def reducible(customer_id: str, *, uow: UnitOfWork, partner: PartnerCenter, today: date) -> dict[str, Reducible]:
    """By SKU: the customer's products with unused licenses and a subscription whose window is still open (the one
    open longest when several are); {} for a customer not connected to Microsoft 365."""
    with uow:
        tenant = uow.mirror.get(customer_id)
        owned = uow.subscriptions.for_customer(customer_id)
    if tenant is None:
        return {}
    found: dict[str, Reducible] = {}
    for s in partner.subscriptions(tenant.tenant_id):
        sub = owned.get(s.sku)
        if s.status != "active" or s.cancellable_until is None or s.cancellable_until < today:
            continue
        if sub is None or sub.available <= 0:
            continue
        if s.sku not in found or found[s.sku].until < s.cancellable_until:
            found[s.sku] = Reducible(s.sku, sub.available, s.cancellable_until, s.name)
    return found


def request_reduction(
    customer_id: str,
    sku: str,
    quantity: int,
    *,
    actor: str,
    uow: UnitOfWork,
    note: str | None = None,
    notify: Callable[[PurchaseRequest], OutgoingThread] | None = None,
    clock: Clock = utcnow,
) -> PurchaseRequest:
    """Records that the operator wants `quantity` fewer licenses of `sku`, for the deciders to approve."""
    if quantity < 1:
        raise InvalidRequest("Ask to reduce by at least 1 license.")

    def check(uow: UnitOfWork, sub: Subscription | None) -> None:
        if uow.mirror.get(customer_id) is None:
            raise InvalidRequest(f"{customer_id} is not connected to Microsoft 365: Reduce is for Partner Center.")
        unused = max(sub.available, 0) if sub is not None else 0
        if quantity > unused:
            raise InvalidRequest(
                f"{customer_id} has {unused:,} unused {sku}: reduce by that many at most (assigned licenses are "
                "never given back)."
            )

    return purchases.request_more(
        customer_id, sku, -quantity, actor=actor, uow=uow, note=note, notify=notify, clock=clock, check=check
    )
