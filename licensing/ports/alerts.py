"""Each subscription's low-license alert state."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from licensing.alert_types import AlertState, AlertWatch


class LicenseAlerts(Protocol):
    """Each subscription's alert state (licensing/alerts.py), and how alerts are set up for this process."""

    @property
    def watch(self) -> AlertWatch | None:
        """The alert settings (None: alerts are off, e.g. a unit of work built without them)."""
        ...

    def for_customer(self, customer_id: str) -> dict[str, AlertState]:
        """The customer's alert states, by sku."""
        ...

    def for_customers(self, only: frozenset[str] | None) -> list[AlertState]:
        """The alert states of the customers named (None: of every customer), by customer then sku, in one read."""
        ...

    def save(self, state: AlertState) -> None:
        """Create or replace the state of (customer_id, sku)."""
        ...

    def clear(self, customer_id: str, sku: str) -> None: ...

    def due(self, now: datetime) -> list[AlertState]:
        """States whose next reminder is at or before `now`, by customer then sku."""
        ...

    def claim_reminder(self, customer_id: str, sku: str, *, now: datetime, next_at: datetime) -> bool:
        """A guarded update: moves a reminder still due at `now` on to `next_at` (and records `now` as the last one);
        False when it was not due (another replica claimed it first)."""
        ...
