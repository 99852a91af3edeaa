"""License alert states: saved and replaced, cleared, listed when due, and a reminder claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.alert_types import AlertState, Level
from tests.contract.backends import Backend
from tests.world import E3, E5, VISIO

AT = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
NEXT = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def saved(world: Backend, *states: AlertState) -> None:
    with world.uow() as uow:
        for s in states:
            uow.alerts.save(s)
        uow.commit()


def test_a_state_reads_back_as_saved_and_is_replaced_by_the_next_save(world: Backend) -> None:
    low = AlertState("contoso", E3, Level.LOW, AT, NEXT, thread=7)
    saved(world, low, AlertState("fabrikam", E3, Level.LOW, AT, NEXT))
    with world.uow() as uow:
        assert uow.alerts.for_customer("contoso") == {E3: low}
        assert uow.alerts.watch is None  # built without alert settings: alerts are off
    over = AlertState("contoso", E3, Level.OVERUSED, NEXT, NEXT + timedelta(days=1), thread=9, last_reminded_at=NEXT)
    saved(world, over)
    with world.uow() as uow:
        assert uow.alerts.for_customer("contoso") == {E3: over}


def test_for_customers_reads_the_states_of_the_customers_named_in_one_read(world: Backend) -> None:
    saved(
        world,
        AlertState("fabrikam", E3, Level.LOW, AT, NEXT),
        AlertState("contoso", E5, Level.LOW, AT, NEXT),
        AlertState("contoso", E3, Level.OVERUSED, AT, NEXT),
    )
    with world.uow() as uow:
        assert [(s.customer_id, s.sku) for s in uow.alerts.for_customers(None)] == [
            ("contoso", E3),
            ("contoso", E5),
            ("fabrikam", E3),
        ]
        assert [s.customer_id for s in uow.alerts.for_customers(frozenset({"fabrikam", "nobody"}))] == ["fabrikam"]
        assert uow.alerts.for_customers(frozenset()) == []


def test_a_cleared_state_is_gone_and_an_uncommitted_save_is_not_kept(world: Backend) -> None:
    saved(world, AlertState("contoso", E3, Level.LOW, AT, NEXT), AlertState("contoso", E5, Level.LOW, AT, NEXT))
    with world.uow() as uow:
        uow.alerts.clear("contoso", E3)
        uow.alerts.clear("contoso", VISIO)  # none: nothing to do
        uow.commit()
    with world.uow() as uow:
        uow.alerts.save(AlertState("contoso", VISIO, Level.LOW, AT, NEXT))
    with world.uow() as uow:
        assert list(uow.alerts.for_customer("contoso")) == [E5]


def test_due_lists_the_states_whose_reminder_has_come_by_customer_then_sku(world: Backend) -> None:
    saved(
        world,
        AlertState("fabrikam", E3, Level.LOW, AT, NEXT),
        AlertState("contoso", E5, Level.LOW, AT, NEXT),
        AlertState("contoso", E3, Level.OVERUSED, AT, NEXT - timedelta(hours=1)),
        AlertState("contoso", VISIO, Level.LOW, AT, NEXT + timedelta(seconds=1)),
    )
    with world.uow() as uow:
        assert [(s.customer_id, s.sku) for s in uow.alerts.due(NEXT)] == [
            ("contoso", E3),
            ("contoso", E5),
            ("fabrikam", E3),
        ]
        assert uow.alerts.due(AT) == []


def test_a_reminder_is_claimed_once_and_moves_on_to_the_next(world: Backend) -> None:
    saved(world, AlertState("contoso", E3, Level.LOW, AT, NEXT, thread=3))
    later = NEXT + timedelta(days=1)
    with world.uow() as uow:
        assert not uow.alerts.claim_reminder("contoso", E3, now=NEXT - timedelta(minutes=1), next_at=later)
        assert uow.alerts.claim_reminder("contoso", E3, now=NEXT, next_at=later)
        assert not uow.alerts.claim_reminder("contoso", E3, now=NEXT, next_at=later)  # its rival, after it
        assert not uow.alerts.claim_reminder("contoso", E5, now=NEXT, next_at=later)  # no such alert
        uow.commit()
    with world.uow() as uow:
        state = uow.alerts.for_customer("contoso")[E3]
    assert (state.next_reminder_at, state.last_reminded_at, state.thread) == (later, NEXT, 3)


def test_a_state_needs_its_customer_and_product(world: Backend) -> None:
    with world.uow() as uow, pytest.raises(world.refused):
        uow.alerts.save(AlertState("nobody", E3, Level.LOW, AT, NEXT))
        uow.commit()
