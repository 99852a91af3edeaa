"""SQL implementation of licensing.ports.PartnerOrders: an approved purchase's change in Partner Center, recorded
before it is sent, and who is placing it (a lease, so a replica that died is taken over)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from licensing.partner import Order
from storage.bulk import rowcount
from storage.models import Base
from storage.types import AutoId, Key, UTCDateTime


class PartnerOrderRow(Base):
    """One per approved request of a connected customer: the subscription, the MS-RequestId and the quantity to
    reach; `placed` once Partner Center has it. A refused order is deleted (the request is open again)."""

    __tablename__ = "partner_orders"
    __table_args__ = (Index(None, "placed", "lease_until"),)

    purchase_id: Mapped[int] = mapped_column(AutoId, ForeignKey("purchase_requests.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(Key, ForeignKey("customers.id"))
    subscription_id: Mapped[str] = mapped_column(String, index=True)
    request_id: Mapped[str] = mapped_column(String)
    quantity: Mapped[int]
    holder: Mapped[str] = mapped_column(String)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    placed: Mapped[bool] = mapped_column(default=False)


class SqlPartnerOrders:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, order: Order) -> None:
        self._session.add(
            PartnerOrderRow(
                purchase_id=order.purchase_id,
                customer_id=order.customer_id,
                subscription_id=order.subscription_id,
                request_id=order.request_id,
                quantity=order.quantity,
                holder=order.holder,
                lease_until=order.lease_until,
                placed=order.placed,
            )
        )
        self._session.flush()

    def get(self, purchase_id: int) -> Order | None:
        row = self._session.get(PartnerOrderRow, purchase_id, populate_existing=True)
        return None if row is None else _order(row)

    def in_flight(self, subscription_id: str) -> bool:
        found = self._session.scalar(
            select(PartnerOrderRow.purchase_id).where(
                PartnerOrderRow.subscription_id == subscription_id, PartnerOrderRow.placed.is_(False)
            )
        )
        return found is not None

    def expired(self, now: datetime) -> list[int]:
        stmt = (
            select(PartnerOrderRow.purchase_id)
            .where(PartnerOrderRow.placed.is_(False), PartnerOrderRow.lease_until < now)
            .order_by(PartnerOrderRow.purchase_id)
        )
        return list(self._session.scalars(stmt))

    def claim(self, purchase_id: int, *, holder: str, now: datetime, until: datetime) -> Order | None:
        won = rowcount(
            self._session.execute(
                update(PartnerOrderRow)
                .where(
                    PartnerOrderRow.purchase_id == purchase_id,
                    PartnerOrderRow.placed.is_(False),
                    PartnerOrderRow.lease_until < now,
                )
                .values(holder=holder, lease_until=until)
                .execution_options(synchronize_session=False)
            )
        )
        return self.get(purchase_id) if won == 1 else None

    def placed(self, purchase_id: int, *, holder: str) -> bool:
        return 1 == rowcount(
            self._session.execute(
                update(PartnerOrderRow)
                .where(PartnerOrderRow.purchase_id == purchase_id, PartnerOrderRow.holder == holder)
                .values(placed=True)
                .execution_options(synchronize_session=False)
            )
        )

    def drop(self, purchase_id: int, *, holder: str) -> bool:
        return 1 == rowcount(
            self._session.execute(
                delete(PartnerOrderRow)
                .where(PartnerOrderRow.purchase_id == purchase_id, PartnerOrderRow.holder == holder)
                .execution_options(synchronize_session=False)
            )
        )


def _order(row: PartnerOrderRow) -> Order:
    return Order(
        row.purchase_id,
        row.customer_id,
        row.subscription_id,
        row.request_id,
        row.quantity,
        row.holder,
        row.lease_until,
        row.placed,
    )
