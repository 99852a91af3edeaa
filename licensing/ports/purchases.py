"""Buy more requests and their one decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from licensing.model import Purchase


class PurchaseRequests(Protocol):
    def add(
        self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime, note: str | None = None
    ) -> int:
        """Records a request for more licenses; returns its number."""
        ...

    def get(self, request_id: int) -> Purchase | None: ...

    def set_thread(self, request_id: int, outbox_id: int) -> None:
        """Records the outbox thread the request is posted in (its decision is told there)."""
        ...

    def decide(
        self,
        request_id: int,
        *,
        status: str,
        by: str,
        at: datetime,
        reason: str | None = None,
        target: int | None = None,
        message: tuple[str, str] | None = None,
    ) -> bool:
        """Approve or decline a request still 'requested' (a guarded update); False when it was decided already, by
        this transaction's rival or earlier. `message` is the (channel, ts) of the posted request decided on."""
        ...

    def reopen(self, request_id: int) -> bool:
        """An approved request whose purchase Partner Center refused is 'requested' again, undecided (a guarded
        update); False if it was not approved."""
        ...

    def approved_for(self, customer_id: str) -> list[Purchase]:
        """The customer's approved requests not yet fulfilled, oldest first."""
        ...

    def pending(self, only: frozenset[str] | None, *, limit: int) -> list[Purchase]:
        """Up to `limit` requests waiting for a decision (requested: not yet approved or declined) of the customers
        named (None: of every customer), oldest first."""
        ...

    def fulfil(self, request_ids: Sequence[int]) -> None:
        """Mark approved requests fulfilled (the tenant has the quantity approved)."""
        ...
