"""The in-memory PartnerOrders of tests/memory.py (kept apart so that module stays readable)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from licensing.partner import Order


class _State(Protocol):
    orders: dict[int, Order]  # by purchase id


class _Txn(Protocol):
    def use(self) -> _State: ...


class FakePartnerOrders:
    def __init__(self, t: _Txn) -> None:
        self.t = t

    def add(self, order: Order) -> None:
        s = self.t.use()
        if order.purchase_id in s.orders:
            raise ValueError(f"request {order.purchase_id} already has an order")  # the primary key refuses it
        s.orders[order.purchase_id] = order

    def get(self, purchase_id: int) -> Order | None:
        return self.t.use().orders.get(purchase_id)

    def in_flight(self, subscription_id: str) -> bool:
        return any(o.subscription_id == subscription_id and not o.placed for o in self.t.use().orders.values())

    def expired(self, now: datetime) -> list[int]:
        return sorted(i for i, o in self.t.use().orders.items() if not o.placed and o.lease_until < now)

    def claim(self, purchase_id: int, *, holder: str, now: datetime, until: datetime) -> Order | None:
        s = self.t.use()
        o = s.orders.get(purchase_id)
        if o is None or o.placed or o.lease_until >= now:
            return None
        s.orders[purchase_id] = replace(o, holder=holder, lease_until=until)
        return s.orders[purchase_id]

    def placed(self, purchase_id: int, *, holder: str) -> bool:
        s = self.t.use()
        o = s.orders.get(purchase_id)
        if o is None or o.holder != holder:
            return False
        s.orders[purchase_id] = replace(o, placed=True)
        return True

    def drop(self, purchase_id: int, *, holder: str) -> bool:
        s = self.t.use()
        o = s.orders.get(purchase_id)
        if o is None or o.holder != holder:
            return False
        del s.orders[purchase_id]
        return True
