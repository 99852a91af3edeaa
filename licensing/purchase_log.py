"""What a Buy more or Reduce request leaves behind: its audit lines (licensing/purchases.py and, for an order in
Partner Center, licensing/connected/orders.py) and the requester's reply in the request's thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from licensing.model import Purchase
from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.ports import UnitOfWork
from licensing.results import AuditEntry


def how_many(quantity: int) -> str:
    """A request's quantity in words: "3 more", or "4 fewer" for a reduction (stored negative)."""
    return f"{quantity:,} more" if quantity > 0 else f"{-quantity:,} fewer"


def tell_requester(purchase: Purchase, told: dict[str, Any], uow: UnitOfWork) -> None:
    """The requester hears it in the request's thread (by DM if it was never posted)."""
    if purchase.thread is not None:
        uow.outbox.add_reply(OutgoingReply(purchase.thread, told, kind="purchase_outcome"))
    else:
        uow.outbox.add_thread(OutgoingThread(None, purchase.operator, told, kind="purchase_outcome"))


def audit(uow: UnitOfWork, purchase: Purchase, at: datetime, outcome: str, what: str) -> None:
    """An approved request's later step (its order bought or refused), in the approver's name."""
    actor = purchase.decided_by or purchase.operator
    record(uow, purchase.id, at, actor, purchase.customer_id, purchase.sku, outcome, what)


def record(
    uow: UnitOfWork, request_id: int, at: datetime, actor: str, customer_id: str, sku: str, outcome: str, what: str
) -> None:
    entries: Sequence[AuditEntry] = [
        AuditEntry(f"purchase-{request_id}", at, actor, customer_id, "", sku, "buy_more", outcome, what)
    ]
    uow.audit.append(entries)
