"""SQL implementation of licensing.ports.PurchaseRequests: Buy more requests and their one decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from licensing.model import Purchase, PurchaseStatus
from storage.bulk import rowcount
from storage.models import PurchaseRequestRow


class SqlPurchaseRequests:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, *, customer_id: str, sku: str, quantity: int, operator: str, at: datetime, note: str | None = None
    ) -> int:
        row = PurchaseRequestRow(
            customer_id=customer_id,
            sku=sku,
            quantity=quantity,
            operator=operator,
            at=at,
            status="requested",
            note=note,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, request_id: int) -> Purchase | None:
        row = self._session.get(PurchaseRequestRow, request_id, populate_existing=True)
        return None if row is None else _purchase(row)

    def set_thread(self, request_id: int, outbox_id: int) -> None:
        self._session.execute(
            update(PurchaseRequestRow)
            .where(PurchaseRequestRow.id == request_id)
            .values(outbox_id=outbox_id)
            .execution_options(synchronize_session=False)
        )

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
        channel, ts = message or (None, None)
        done = rowcount(
            self._session.execute(
                update(PurchaseRequestRow)
                .where(PurchaseRequestRow.id == request_id, PurchaseRequestRow.status == PurchaseStatus.REQUESTED.value)
                .values(
                    status=status,
                    decided_by=by,
                    decided_at=at,
                    reason=reason,
                    target=target,
                    message_channel=channel,
                    message_ts=ts,
                )
                .execution_options(synchronize_session=False)
            )
        )
        return done == 1

    def reopen(self, request_id: int) -> bool:
        reopened = self._session.execute(
            update(PurchaseRequestRow)
            .where(PurchaseRequestRow.id == request_id, PurchaseRequestRow.status == PurchaseStatus.APPROVED.value)
            .values(
                status=PurchaseStatus.REQUESTED.value,
                decided_by=None,
                decided_at=None,
                target=None,
                message_channel=None,
                message_ts=None,
            )
            .execution_options(synchronize_session=False)
        )
        return rowcount(reopened) == 1

    def approved_for(self, customer_id: str) -> list[Purchase]:
        rows = self._session.scalars(
            select(PurchaseRequestRow)
            .where(
                PurchaseRequestRow.customer_id == customer_id,
                PurchaseRequestRow.status == PurchaseStatus.APPROVED.value,
            )
            .order_by(PurchaseRequestRow.id)
            .execution_options(populate_existing=True)
        )
        return [_purchase(r) for r in rows]

    def pending(self, only: frozenset[str] | None, *, limit: int) -> list[Purchase]:
        if only is not None and not only:
            return []
        stmt = select(PurchaseRequestRow).where(PurchaseRequestRow.status == PurchaseStatus.REQUESTED.value)
        if only is not None:
            stmt = stmt.where(PurchaseRequestRow.customer_id.in_(sorted(only)))
        stmt = stmt.order_by(PurchaseRequestRow.at, PurchaseRequestRow.id).limit(limit)
        return [_purchase(r) for r in self._session.scalars(stmt.execution_options(populate_existing=True))]

    def fulfil(self, request_ids: Sequence[int]) -> None:
        self._session.execute(
            update(PurchaseRequestRow)
            .where(
                PurchaseRequestRow.id.in_(list(request_ids)), PurchaseRequestRow.status == PurchaseStatus.APPROVED.value
            )
            .values(status=PurchaseStatus.FULFILLED.value)
            .execution_options(synchronize_session=False)
        )


def _purchase(row: PurchaseRequestRow) -> Purchase:
    return Purchase(
        row.id,
        row.customer_id,
        row.sku,
        row.quantity,
        row.operator,
        row.at,
        row.note,
        PurchaseStatus(row.status),
        row.decided_by,
        row.decided_at,
        row.reason,
        row.target,
        row.message_channel,
        row.message_ts,
        row.outbox_id,
    )
