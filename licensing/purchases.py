"""Buy more: until a purchase flow exists, a request is recorded for the partner's admins and the operator is told
so plainly."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.errors import InvalidRequest, UnknownCustomer
from licensing.ports import UnitOfWork
from licensing.queries import operator_for
from licensing.results import AuditEntry
from licensing.types import Clock, utcnow

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class PurchaseRequest:
    id: int
    customer_id: str
    customer_name: str
    sku: str
    product_name: str
    quantity: int


def request_more(
    customer_id: str, sku: str, quantity: int, *, actor: str, uow: UnitOfWork, clock: Clock = utcnow
) -> PurchaseRequest:
    """Records that the operator wants `quantity` more licenses of `sku` for the customer."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidRequest(f"Ask for between 1 and {MAX_QUANTITY:,} licenses.")
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
        at = clock()
        request_id = uow.purchases.add(customer_id=customer_id, sku=sku, quantity=quantity, operator=actor, at=at)
        uow.audit.append(
            [AuditEntry(f"purchase-{request_id}", at, actor, customer_id, "", sku, "buy_more", "requested",
                        f"{quantity} more requested")]
        )  # fmt: skip
        uow.commit()
    return PurchaseRequest(request_id, customer_id, customer.name, sku, product.name, quantity)
