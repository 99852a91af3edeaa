"""Purchase requests: stored with their note, decided once by a guarded update, and fulfilled once approved."""

from __future__ import annotations

from datetime import UTC, datetime

from licensing.model import Purchase, PurchaseStatus
from tests.contract.backends import Backend
from tests.world import ADMIN, E3, E5, SALES

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LATER = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def requested(world: Backend, customer: str = "contoso", sku: str = E5, note: str | None = None) -> int:
    with world.uow() as uow:
        request_id = uow.purchases.add(customer_id=customer, sku=sku, quantity=3, operator=ADMIN, at=AT, note=note)
        uow.commit()
    return request_id


def test_a_request_reads_back_as_stored(world: Backend) -> None:
    request_id = requested(world, note="for the new hires")
    with world.uow() as uow:
        assert uow.purchases.get(request_id) == Purchase(request_id, "contoso", E5, 3, ADMIN, AT, "for the new hires")
        assert uow.purchases.get(request_id + 1000) is None


def test_a_request_is_decided_once(world: Backend) -> None:
    request_id = requested(world)
    with world.uow() as uow:
        won = uow.purchases.decide(request_id, status="approved", by=SALES, at=LATER, target=5, message=("C1", "1.5"))
        again = uow.purchases.decide(request_id, status="declined", by=ADMIN, at=LATER, reason="no")
        uow.commit()
    assert (won, again) == (True, False)
    with world.uow() as uow:
        stored = uow.purchases.get(request_id)
        assert not uow.purchases.decide(request_id, status="declined", by=ADMIN, at=LATER, reason="no")
    assert stored is not None
    assert (stored.status, stored.decided_by, stored.decided_at, stored.reason, stored.target) == (
        PurchaseStatus.APPROVED,
        SALES,
        LATER,
        None,
        5,
    )
    assert (stored.message_channel, stored.message_ts) == ("C1", "1.5")


def test_a_decision_not_committed_is_not_kept(world: Backend) -> None:
    request_id = requested(world)
    with world.uow() as uow:
        assert uow.purchases.decide(request_id, status="declined", by=ADMIN, at=LATER, reason="Budget")
    with world.uow() as uow:
        stored = uow.purchases.get(request_id)
        assert stored is not None and stored.status is PurchaseStatus.REQUESTED


def test_approved_requests_are_listed_per_customer_until_fulfilled(world: Backend) -> None:
    first, declined, other, second = (
        requested(world),
        requested(world),
        requested(world, "fabrikam", E3),
        requested(world),
    )
    with world.uow() as uow:
        for request_id in (first, other, second):
            uow.purchases.decide(request_id, status="approved", by=SALES, at=LATER, target=5)
        uow.purchases.decide(declined, status="declined", by=SALES, at=LATER, reason="no")
        uow.commit()
    with world.uow() as uow:
        assert [p.id for p in uow.purchases.approved_for("contoso")] == [first, second]
        uow.purchases.fulfil([first, declined])
        uow.commit()
    with world.uow() as uow:
        assert [p.id for p in uow.purchases.approved_for("contoso")] == [second]
        statuses = [uow.purchases.get(i).status for i in (first, declined)]  # type: ignore[union-attr]
    assert statuses == [PurchaseStatus.FULFILLED, PurchaseStatus.DECLINED]


def test_pending_lists_the_requests_waiting_for_a_decision_of_the_customers_named_oldest_first(world: Backend) -> None:
    first, second, third, fourth, fifth = (
        requested(world, c) for c in ("contoso", "fabrikam", "contoso", "contoso", "fabrikam")
    )
    with world.uow() as uow:
        assert uow.purchases.decide(third, status="declined", by=SALES, at=LATER, reason="no")
        assert uow.purchases.decide(fourth, status="approved", by=SALES, at=LATER, target=5)
        uow.purchases.fulfil([fourth])
        assert uow.purchases.decide(fifth, status="approved", by=SALES, at=LATER, target=14)  # with Partner Center
        uow.commit()
    with world.uow() as uow:
        assert [p.id for p in uow.purchases.pending(None, limit=10)] == [first, second]
        assert [p.id for p in uow.purchases.pending(None, limit=1)] == [first]
        assert [p.id for p in uow.purchases.pending(frozenset({"fabrikam"}), limit=10)] == [second]
        assert uow.purchases.pending(frozenset(), limit=10) == []
