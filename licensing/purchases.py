"""Buy more, with approval: an operator asks for more licenses, the request is posted for the partner's sales
people, and one of them approves or declines it, once.

Approving a local customer's request raises the subscription's quantity there and then. A connected customer's
tenant is the truth: approving records that the order is to be placed in Partner Center, and the sync that first
sees the new quantity closes the request (`fulfil_synced`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from licensing import alerts
from licensing.errors import Forbidden, InvalidRequest, LicensingError, UnknownCustomer
from licensing.model import Product, Purchase, Role, Subscription, any_of
from licensing.model import PurchaseStatus as Status
from licensing.notifications import OutgoingThread
from licensing.partner import OrderNews
from licensing.ports import UnitOfWork
from licensing.purchase_log import how_many, record, tell_requester
from licensing.queries import operator_for
from licensing.types import Clock, utcnow

MAX_QUANTITY = 10_000
NOTE_MAX = 500
REASON_MAX = 500
SYNC = "licensebot-sync"  # the audit's operator for what a sync closed
DECIDERS = frozenset({Role.SALES_AGENT, Role.ADMIN_AGENT, Role.GLOBAL_ADMIN})


@dataclass(frozen=True)
class PurchaseRequest:
    id: int
    customer_id: str
    customer_name: str
    sku: str
    product_name: str
    quantity: int
    operator: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    request: PurchaseRequest
    status: Status
    decided_by: str
    at: datetime
    reason: str | None = None
    connected: bool = False  # approved for a connected customer: the order is placed in Partner Center
    new_quantity: int | None = None  # approved: the quantity raised to (local) or to be reached (connected)
    order: OrderNews | None = None  # connected: what Partner Center did with the order (None: placed by hand)


class AlreadyDecided(LicensingError):
    def __init__(self, purchase: Purchase, who: str | None = None) -> None:
        self.purchase = purchase
        by = f" by {who}" if who else ""
        super().__init__(f"Request {purchase.id} was already {purchase.status.value}{by}.")


def request_more(
    customer_id: str,
    sku: str,
    quantity: int,
    *,
    actor: str,
    uow: UnitOfWork,
    note: str | None = None,
    notify: Callable[[PurchaseRequest], OutgoingThread] | None = None,
    clock: Clock = utcnow,
    check: Check | None = None,
) -> PurchaseRequest:
    """Records that the operator wants `quantity` more licenses of `sku` for the customer (fewer when negative: a
    reduction, which `check` allows), and queues the request's message for the deciders in the same transaction,
    so it is never lost."""
    # Fewer only through a `check` (licensing/connected/rightsize.py): "-3" typed into Buy more is not a reduction.
    if not 1 <= abs(quantity) <= MAX_QUANTITY or (quantity < 0 and check is None):
        raise InvalidRequest(f"Ask for between 1 and {MAX_QUANTITY:,} licenses.")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidRequest(f"Keep the note under {NOTE_MAX} characters.")
    with uow:
        # A writer from the first statement: on SQLite a transaction that read first cannot become the writer once
        # another writer (a save, the outbox worker) has committed since, and fails with "database is locked".
        customer = uow.customers.lock(customer_id)
        operator_for(actor, uow, customer_id)
        if customer is None:
            raise UnknownCustomer(customer_id)
        product = uow.products.get_many([sku]).get(sku)
        if product is None:
            raise InvalidRequest(f"No product with SKU '{sku}'.")
        if check is not None:
            check(uow, uow.subscriptions.for_customer(customer_id).get(sku))
        at = clock()
        request_id = uow.purchases.add(
            customer_id=customer_id, sku=sku, quantity=quantity, operator=actor, at=at, note=note
        )
        record(uow, request_id, at, actor, customer_id, sku, "requested", f"{how_many(quantity)} requested")
        request = PurchaseRequest(request_id, customer_id, customer.name, sku, product.name, quantity, actor, note)
        if notify is not None:
            uow.purchases.set_thread(request_id, uow.outbox.add_thread(notify(request)))
        uow.commit()
    return request


def check_decider(request_id: int, *, actor: str, uow: UnitOfWork) -> Purchase:
    """The request, if the operator may decide it (Forbidden otherwise); AlreadyDecided once it is decided."""
    with uow:
        purchase = _get(request_id, uow)
        _decider(actor, uow, purchase.customer_id)
        if purchase.status is not Status.REQUESTED:
            raise _already(purchase, uow)
        return purchase


# Inside a request's transaction, before it is recorded: refuses a reduction that may not be (licensing/connected).
Check = Callable[[UnitOfWork, Subscription | None], None]
# Inside the approval's transaction, once it is won: records what is to be bought (licensing/connected/orders.py).
Intent = Callable[[UnitOfWork, Purchase, datetime], None]


def approve(
    request_id: int,
    *,
    actor: str,
    uow: UnitOfWork,
    message: tuple[str, str] | None = None,
    notify: Callable[[Decision], dict[str, Any]] | None = None,
    clock: Clock = utcnow,
    intent: Intent | None = None,
) -> Decision:
    """Approves the request once: a local customer's subscription grows by the quantity asked for; a connected
    customer's order is placed in Partner Center (with `intent`) or by hand, and a later sync closes the request."""
    return _decide(
        request_id,
        Status.APPROVED,
        None,
        actor=actor,
        uow=uow,
        message=message,
        notify=notify,
        clock=clock,
        intent=intent,
    )


def decline(
    request_id: int,
    reason: str,
    *,
    actor: str,
    uow: UnitOfWork,
    message: tuple[str, str] | None = None,
    notify: Callable[[Decision], dict[str, Any]] | None = None,
    clock: Clock = utcnow,
) -> Decision:
    """Declines the request once, for the reason given."""
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("Say why the request is declined.")
    if len(reason) > REASON_MAX:
        raise InvalidRequest(f"Keep the reason under {REASON_MAX} characters.")
    return _decide(
        request_id, Status.DECLINED, reason, actor=actor, uow=uow, message=message, notify=notify, clock=clock
    )


def fulfil_synced(customer_id: str, uow: UnitOfWork, at: datetime) -> list[int]:
    """Inside a sync's transaction: closes the customer's approved requests whose quantity the tenant now has."""
    owned = uow.subscriptions.for_customer(customer_id)
    done = [
        p
        for p in uow.purchases.approved_for(customer_id)
        if p.target is not None
        and (sub := owned.get(p.sku)) is not None
        and (sub.quantity >= p.target if p.quantity > 0 else sub.quantity <= p.target)
    ]
    if done:
        uow.purchases.fulfil([p.id for p in done])
        for p in done:
            record(uow, p.id, at, SYNC, customer_id, p.sku, Status.FULFILLED.value, f"the tenant has {p.target}")
    return [p.id for p in done]


def _decide(
    request_id: int,
    status: Status,
    reason: str | None,
    *,
    actor: str,
    uow: UnitOfWork,
    message: tuple[str, str] | None,
    notify: Callable[[Decision], dict[str, Any]] | None,
    clock: Clock,
    intent: Intent | None = None,
) -> Decision:
    with uow:
        customer_id = _get(request_id, uow).customer_id
    with uow:
        customer = uow.customers.lock(customer_id)  # first: the subscription may change below
        _decider(actor, uow, customer_id)
        purchase = _get(request_id, uow)
        if customer is None or purchase.status is not Status.REQUESTED:
            raise _already(purchase, uow)
        product = uow.products.get_many([purchase.sku]).get(purchase.sku)
        connected = uow.mirror.get(customer_id) is not None
        sub = uow.subscriptions.for_customer(customer_id).get(purchase.sku)
        target = (sub.quantity if sub else 0) + purchase.quantity if status is Status.APPROVED else None
        if target is not None and sub is not None and purchase.quantity < 0 and target < sub.assigned:
            raise InvalidRequest(
                f"{sub.assigned:,} are assigned now: reduce by {sub.quantity - sub.assigned:,} at most."
            )
        at = clock()
        # The guarded update decides who won a double click: only a request still 'requested' changes.
        if not uow.purchases.decide(
            request_id, status=status, by=actor, at=at, reason=reason, target=target, message=message
        ):
            raise _already(_get(request_id, uow), uow)
        if intent is not None:
            intent(uow, purchase, at)
        if target is not None and not connected:
            uow.subscriptions.upsert([_raised(sub, customer_id, purchase.sku, target)])
            alerts.check(customer_id, uow, actor=actor, clock=clock)  # more owned: maybe back above
        what = f"{how_many(purchase.quantity)} {status.value}" + (f": {reason}" if reason else "")
        if target is not None:
            what += f" (to {target} in Partner Center)" if connected else f" (quantity {target})"
        record(uow, request_id, at, actor, customer_id, purchase.sku, status.value, what)
        decision = Decision(_request(purchase, customer.name, product), status, actor, at, reason, connected, target)
        if notify is not None:
            tell_requester(purchase, notify(decision), uow)
        uow.commit()
    return decision


def decision_of(purchase: Purchase, uow: UnitOfWork, order: OrderNews | None = None) -> Decision:
    """An approved request's decision as stored, with what became of its order (inside a transaction)."""
    customer = uow.customers.get(purchase.customer_id)
    product = uow.products.get_many([purchase.sku]).get(purchase.sku)
    request = _request(purchase, customer.name if customer else purchase.customer_id, product)
    at = purchase.decided_at or purchase.at
    return Decision(request, Status.APPROVED, purchase.decided_by or "", at, None, True, purchase.target, order)


def _request(purchase: Purchase, customer_name: str, product: Product | None) -> PurchaseRequest:
    return PurchaseRequest(
        purchase.id,
        purchase.customer_id,
        customer_name,
        purchase.sku,
        product.name if product else purchase.sku,
        purchase.quantity,
        purchase.operator,
        purchase.note,
    )


def _already(purchase: Purchase, uow: UnitOfWork) -> AlreadyDecided:
    """Says who decided: a plain name (the text shows where mrkdwn is escaped, or in a modal, as plain text)."""
    decider = uow.operators.get(purchase.decided_by) if purchase.decided_by else None
    return AlreadyDecided(purchase, (decider.name if decider else None) or purchase.decided_by)


def _raised(sub: Subscription | None, customer_id: str, sku: str, quantity: int) -> Subscription:
    return Subscription(customer_id, sku, quantity) if sub is None else replace(sub, quantity=quantity)


def _get(request_id: int, uow: UnitOfWork) -> Purchase:
    purchase = uow.purchases.get(request_id)
    if purchase is None:
        raise InvalidRequest(f"No purchase request {request_id}.")
    return purchase


def _decider(actor: str, uow: UnitOfWork, customer_id: str) -> None:
    operator = operator_for(actor, uow, customer_id)
    if operator.role not in DECIDERS:
        raise Forbidden(
            f"Your role ({operator.role.label}) cannot approve or decline purchases; ask {any_of(DECIDERS)}."
        )
