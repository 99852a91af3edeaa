"""SQL implementation of licensing.ports.LicenseAlerts: each low or overused subscription's alert state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from licensing.alert_types import AlertState, AlertWatch, Level
from storage.bulk import rowcount
from storage.models import LicenseAlertRow


class SqlLicenseAlerts:
    def __init__(self, session: Session, watch: AlertWatch | None = None) -> None:
        self._session = session
        self._watch = watch

    @property
    def watch(self) -> AlertWatch | None:
        return self._watch

    def for_customer(self, customer_id: str) -> dict[str, AlertState]:
        rows = self._session.scalars(
            select(LicenseAlertRow)
            .where(LicenseAlertRow.customer_id == customer_id)
            .execution_options(populate_existing=True)
        )
        return {r.sku: _state(r) for r in rows}

    def for_customers(self, only: frozenset[str] | None) -> list[AlertState]:
        if only is not None and not only:
            return []
        stmt = select(LicenseAlertRow).order_by(LicenseAlertRow.customer_id, LicenseAlertRow.sku)
        if only is not None:
            stmt = stmt.where(LicenseAlertRow.customer_id.in_(sorted(only)))
        return [_state(r) for r in self._session.scalars(stmt.execution_options(populate_existing=True))]

    def save(self, state: AlertState) -> None:
        row = self._session.get(LicenseAlertRow, (state.customer_id, state.sku), populate_existing=True)
        if row is None:
            row = LicenseAlertRow(customer_id=state.customer_id, sku=state.sku)
            self._session.add(row)
        row.level, row.since, row.next_reminder_at = state.level.value, state.since, state.next_reminder_at
        row.last_reminded_at, row.outbox_id = state.last_reminded_at, state.thread
        self._session.flush()

    def clear(self, customer_id: str, sku: str) -> None:
        self._session.execute(
            delete(LicenseAlertRow)
            .where(LicenseAlertRow.customer_id == customer_id, LicenseAlertRow.sku == sku)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()

    def due(self, now: datetime) -> list[AlertState]:
        rows = self._session.scalars(
            select(LicenseAlertRow)
            .where(LicenseAlertRow.next_reminder_at <= now)
            .order_by(LicenseAlertRow.customer_id, LicenseAlertRow.sku)
            .execution_options(populate_existing=True)
        )
        return [_state(r) for r in rows]

    def claim_reminder(self, customer_id: str, sku: str, *, now: datetime, next_at: datetime) -> bool:
        # The guard is the claim: of two replicas, only the first update finds the reminder still due.
        done = rowcount(
            self._session.execute(
                update(LicenseAlertRow)
                .where(
                    LicenseAlertRow.customer_id == customer_id,
                    LicenseAlertRow.sku == sku,
                    LicenseAlertRow.next_reminder_at <= now,
                )
                .values(next_reminder_at=next_at, last_reminded_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        return done == 1


def _state(row: LicenseAlertRow) -> AlertState:
    return AlertState(
        row.customer_id,
        row.sku,
        Level(row.level),
        row.since,
        row.next_reminder_at,
        row.outbox_id,
        row.last_reminded_at,
    )
