"""Orders placed in Partner Center for approved Buy more requests (licensing/connected/orders.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from licensing.partner import Order


class PartnerOrders(Protocol):
    def add(self, order: Order) -> None:
        """Record the intent, in the approval's transaction (one order per request)."""
        ...

    def get(self, purchase_id: int) -> Order | None: ...

    def in_flight(self, subscription_id: str) -> bool:
        """An order of this subscription is being placed (a second one would compute its quantity from a stale one)."""
        ...

    def expired(self, now: datetime) -> list[int]:
        """Orders not yet placed whose holder's lease ended before `now`, oldest first."""
        ...

    def claim(self, purchase_id: int, *, holder: str, now: datetime, until: datetime) -> Order | None:
        """Take an unplaced order whose lease ended before `now` (a guarded update); None if someone holds it."""
        ...

    def placed(self, purchase_id: int, *, holder: str) -> bool:
        """Mark it placed if `holder` still holds it; False if another process took it over."""
        ...

    def drop(self, purchase_id: int, *, holder: str) -> bool:
        """Forget an order Partner Center refused (nothing was bought), if `holder` still holds it."""
        ...
