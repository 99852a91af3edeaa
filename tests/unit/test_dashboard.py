"""The App Home dashboard: scope, the low subscriptions first, open purchase requests and the operator's changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.dashboard import dashboard
from licensing.errors import Forbidden
from licensing.model import Customer, Subscription
from licensing.results import AuditEntry
from tests.world import ADMIN, E3, E5, SALES, SCOPED, STRANGER, VISIO, uid, world

T0 = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)


def test_the_admin_sees_every_customer_the_one_with_low_seats_first() -> None:
    board = dashboard(actor=ADMIN, uow=world())
    assert [c.customer.id for c in board.customers] == ["contoso", "fabrikam"]
    contoso = board.customers[0]
    assert contoso.low == 1 and board.low == 1
    first = contoso.subscriptions[0]
    assert (first.sku, first.name, first.assigned, first.owned, first.low) == (VISIO, "Visio Plan 2", 1, 1, True)
    assert [s.name for s in contoso.subscriptions[1:]] == [
        "Audio Conferencing",
        "Office 365 E1",
        "Office 365 E3",
        "Office 365 E5",
    ]
    assert not any(s.low for s in contoso.subscriptions[1:])


def test_low_customers_come_before_others_whatever_their_names() -> None:
    uow = world()
    with uow:
        uow.customers.upsert([Customer("aardvark", "Aardvark Ltd")])
        uow.subscriptions.upsert([Subscription("aardvark", E3, 4), Subscription("fabrikam", E5, 2, alert_below=3)])
        uow.subscriptions.upsert([Subscription("contoso", VISIO, 1)])  # no threshold any more
        uow.commit()
    board = dashboard(actor=ADMIN, uow=uow)
    assert [c.customer.id for c in board.customers] == ["fabrikam", "aardvark", "contoso"]
    assert [s.sku for s in board.customers[0].subscriptions] == [E5, E3]


def test_a_scoped_operator_sees_only_their_customers_and_a_stranger_nothing() -> None:
    board = dashboard(actor=SCOPED, uow=world())
    assert [c.customer.id for c in board.customers] == ["fabrikam"]
    assert board.customer_names == {"fabrikam": "Fabrikam"}
    with pytest.raises(Forbidden):
        dashboard(actor=STRANGER, uow=world())
    with pytest.raises(Forbidden):
        dashboard(actor=SCOPED, uow=world(), customer_id="contoso")


def test_one_customer_when_asked() -> None:
    board = dashboard(actor=ADMIN, uow=world(), customer_id="fabrikam")
    assert [c.customer.id for c in board.customers] == ["fabrikam"]


def test_open_purchase_requests_and_the_operators_own_changes_within_scope() -> None:
    uow = world()
    with uow:
        a = uow.purchases.add(customer_id="contoso", sku=E5, quantity=2, operator=ADMIN, at=T0)
        b = uow.purchases.add(customer_id="fabrikam", sku=E3, quantity=1, operator=SCOPED, at=T0)
        c = uow.purchases.add(customer_id="contoso", sku=E3, quantity=1, operator=ADMIN, at=T0)
        assert uow.purchases.decide(c, status="declined", by=SALES, at=T0, reason="no")
        uow.audit.append(
            [
                AuditEntry(
                    f"b{i}",
                    T0 + timedelta(minutes=i),
                    ADMIN if i % 2 else SCOPED,
                    "fabrikam" if i < 4 else "contoso",
                    "zoe@fabrikam.com" if i < 4 else uid("bob"),
                    E3,
                    "assign",
                    "applied",
                )
                for i in range(10)
            ]
        )
        uow.commit()
    board = dashboard(actor=ADMIN, uow=uow)
    assert [p.id for p in board.pending] == [a, b]
    assert [r.entry.batch_id for r in board.recent] == ["b9", "b7", "b5", "b3", "b1"]
    assert board.product_names[E3] == "Office 365 E3"
    scoped = dashboard(actor=SCOPED, uow=uow)
    assert [p.id for p in scoped.pending] == [b]
    assert [r.entry.batch_id for r in scoped.recent] == ["b2", "b0"]
