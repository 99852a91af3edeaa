"""Approve = buy, exactly once: an approved Buy more request of a connected customer raises its subscription's
quantity in Partner Center.

The intent (which subscription, the quantity to reach, the MS-RequestId) commits in the approval's own transaction,
before anything is sent, and its guarded decision lets one approver win a double click or a race between replicas.
Then the subscription is read and compared with the intent: a quantity already reached is never sent again (an
answer lost after Partner Center applied it, a process killed after sending). An order whose process died is taken
over by `resume` once its lease ends, and read before anything is sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from licensing import purchase_log, purchases
from licensing.connected.sync import sync_tenant
from licensing.errors import InvalidRequest
from licensing.model import Purchase
from licensing.partner import CommerceSubscription, Order, OrderNews, OrderRefused, OrderState
from licensing.ports import PartnerCenter, TenantProvider, UnitOfWork
from licensing.purchases import Decision, PurchaseRequest
from licensing.tenants import ProviderError, Tenant
from licensing.types import Clock, utcnow

log = logging.getLogger(__name__)
# Longer than the client may spend on one order (its retry deadline and timeouts): a live holder is never overtaken.
LEASE = timedelta(minutes=5)  # the default of LICENSEBOT_PARTNER_ORDER_LEASE_S
Notify = Callable[[Decision], dict[str, Any]]


def feeding(
    request_id: int, *, actor: str, uow: UnitOfWork, partner: PartnerCenter
) -> tuple[PurchaseRequest, list[CommerceSubscription]]:
    """The request, and the active subscriptions that feed its product, for an approver to choose from (checked
    first: the operator may decide, and the request is still open)."""
    purchase = purchases.check_decider(request_id, actor=actor, uow=uow)
    tenant = _tenant(purchase.customer_id, uow)
    found = [s for s in partner.subscriptions(tenant.tenant_id) if s.sku == purchase.sku and s.status == "active"]
    if not found:
        raise InvalidRequest(
            f"Partner Center has no active subscription of {purchase.sku} for this customer: "
            "a product the customer does not own yet is ordered in Partner Center."
        )
    with uow:
        return purchases.decision_of(purchase, uow).request, found


def approve_and_buy(
    request_id: int,
    subscription_id: str,
    *,
    actor: str,
    uow: UnitOfWork,
    partner: PartnerCenter,
    provider: TenantProvider | None,
    holder: str,
    message: tuple[str, str] | None = None,
    notify: Notify | None = None,
    clock: Clock = utcnow,
    lease: timedelta = LEASE,
) -> Decision:
    """Approves the request and buys its licenses on `subscription_id`, once. The decision says what Partner
    Center did: placed (the customer is synced at once), refused (the request is open again), or pending."""
    purchase = purchases.check_decider(request_id, actor=actor, uow=uow)
    tenant = _tenant(purchase.customer_id, uow)
    now = partner.subscription(tenant.tenant_id, subscription_id)  # what the intent adds to
    if now.sku != purchase.sku:
        raise InvalidRequest(f"Subscription {now.name} does not provide {purchase.sku}.")
    order = Order(
        purchase.id,
        purchase.customer_id,
        subscription_id,
        str(uuid.uuid4()),
        now.quantity + purchase.quantity,
        holder,
        clock() + lease,
    )

    def intent(uow: UnitOfWork, decided: Purchase, at: datetime) -> None:
        if uow.orders.in_flight(subscription_id):  # its quantity would be computed from one not yet bought
            raise InvalidRequest("Another purchase of this subscription is being placed: approve again in a minute.")
        uow.orders.add(order)

    purchases.approve(request_id, actor=actor, uow=uow, message=message, clock=clock, intent=intent)
    return place(order, tenant, partner=partner, provider=provider, uow=uow, notify=notify, clock=clock)


def resume(
    *,
    uow: UnitOfWork,
    partner: PartnerCenter,
    provider: TenantProvider | None,
    holder: str,
    notify: Notify | None = None,
    clock: Clock = utcnow,
    lease: timedelta = LEASE,
) -> list[Decision]:
    """Places the orders whose process died or gave up (their lease ended): each is read before anything is sent."""
    with uow:
        due = uow.orders.expired(clock())
    done = []
    for purchase_id in due:
        with uow:
            order = uow.orders.claim(purchase_id, holder=holder, now=clock(), until=clock() + lease)
            uow.commit()
        if order is not None:
            tenant = _tenant(order.customer_id, uow)
            done.append(place(order, tenant, partner=partner, provider=provider, uow=uow, notify=notify, clock=clock))
    return done


def place(
    order: Order,
    tenant: Tenant,
    *,
    partner: PartnerCenter,
    provider: TenantProvider | None,
    uow: UnitOfWork,
    notify: Notify | None,
    clock: Clock,
) -> Decision:
    """Reads the subscription, sends the change only if its quantity has not reached the intent yet (from below for
    a purchase, from above for a reduction), records the outcome."""
    with uow:
        fewer = _purchase(order, uow).quantity < 0
    try:
        now = partner.subscription(tenant.tenant_id, order.subscription_id)
        if now.quantity > order.quantity if fewer else now.quantity < order.quantity:
            now = partner.set_quantity(
                tenant.tenant_id, order.subscription_id, order.quantity, request_id=order.request_id
            )
    except OrderRefused as e:
        return _refused(order, e, uow, notify, clock)
    except ProviderError as e:  # unanswered, throttled past the deadline: the order waits for `resume`
        log.warning("partner center: order for request %s not placed yet: %s", order.purchase_id, e.message)
        with uow:
            return purchases.decision_of(_purchase(order, uow), uow, OrderNews(OrderState.PENDING, e.message))
    news = OrderNews(OrderState.PLACED, quantity=now.quantity, subscription=now.name)
    decision = _record(order, news, uow, notify, clock)
    if provider is not None:
        try:  # at once, so the request closes as soon as the tenant shows it (else the next sync does)
            sync_tenant(order.customer_id, provider=provider, uow=uow, clock=clock)
        except ProviderError as e:
            log.warning("partner center: sync of %s after a purchase failed: %s", order.customer_id, e.message)
    return decision


def _record(order: Order, news: OrderNews, uow: UnitOfWork, notify: Notify | None, clock: Clock) -> Decision:
    with uow:
        uow.customers.lock(order.customer_id)
        purchase = _purchase(order, uow)
        decision = purchases.decision_of(purchase, uow, news)
        if not uow.orders.placed(order.purchase_id, holder=order.holder):
            return decision  # another process took it over: it records and tells
        done = "reduced" if purchase.quantity < 0 else "bought"
        what = f"{purchase_log.how_many(purchase.quantity)} {done} in Partner Center"
        what += f" ({news.subscription}: now {news.quantity})"
        purchase_log.audit(uow, purchase, clock(), done, what)
        if notify is not None:
            purchase_log.tell_requester(purchase, notify(decision), uow)
        uow.commit()
    return decision


def _refused(order: Order, e: OrderRefused, uow: UnitOfWork, notify: Notify | None, clock: Clock) -> Decision:
    with uow:
        uow.customers.lock(order.customer_id)
        purchase = _purchase(order, uow)
        decision = purchases.decision_of(purchase, uow, OrderNews(OrderState.REFUSED, e.description))
        if not uow.orders.drop(order.purchase_id, holder=order.holder):
            return decision
        uow.purchases.reopen(order.purchase_id)  # nothing was bought: it can be decided again
        purchase_log.audit(uow, purchase, clock(), "refused", f"Partner Center refused it: {e.description}")
        if notify is not None:
            purchase_log.tell_requester(purchase, notify(decision), uow)
        uow.commit()
    return decision


def _purchase(order: Order, uow: UnitOfWork) -> Purchase:
    purchase = uow.purchases.get(order.purchase_id)
    if purchase is None:
        raise InvalidRequest(f"No purchase request {order.purchase_id}.")
    return purchase


def _tenant(customer_id: str, uow: UnitOfWork) -> Tenant:
    with uow:
        tenant = uow.mirror.get(customer_id)
    if tenant is None:
        raise InvalidRequest(f"{customer_id} is not connected to Microsoft 365: its purchases are not placed there.")
    return tenant
