"""Scheduled changes: stored and read back in UTC, claimed when due by one holder with a lease (taken over once it
ran out), finished only by their holder, cancelled once, listed by customer scope and paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from licensing.model import ScheduledAction, ScheduledChange, ScheduledStatus
from licensing.types import Desired
from tests.contract.backends import Backend
from tests.world import ADMIN, E3, E5, SALES

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
RUN = datetime(2026, 3, 5, 23, 0, tzinfo=UTC)
PARIS_WINTER = timezone(timedelta(hours=1))


def change(
    run_at: datetime = RUN,
    customer: str = "contoso",
    key: str | None = None,
    action: ScheduledAction = ScheduledAction.START,
) -> ScheduledChange:
    users, desired = ("alice@contoso.com", "bob@contoso.com"), {E5: Desired.ASSIGN, E3: Desired.REVOKE}
    return ScheduledChange(0, customer, users, desired, action, run_at, ADMIN, AT, "DE", key)


def added(world: Backend, *changes: ScheduledChange) -> list[int]:
    with world.uow() as uow:
        ids = [uow.scheduled.add(c) for c in changes]
        uow.commit()
    return ids


def test_a_change_reads_back_as_stored_in_utc(world: Backend) -> None:
    [change_id] = added(world, change(RUN.astimezone(PARIS_WINTER), key="k"))
    with world.uow() as uow:
        uow.scheduled.set_thread([change_id], 7)
        uow.commit()
    with world.uow() as uow:
        stored = uow.scheduled.get(change_id)
        assert uow.scheduled.get(change_id + 100) is None
        assert uow.scheduled.by_key("k") == [stored] and uow.scheduled.by_key("other") == []
    assert stored == ScheduledChange(
        change_id,
        "contoso",
        ("alice@contoso.com", "bob@contoso.com"),
        {E5: Desired.ASSIGN, E3: Desired.REVOKE},
        ScheduledAction.START,
        RUN,
        ADMIN,
        AT,
        "DE",
        "k",
        thread=7,
    )
    assert stored.run_at.tzinfo is not None and stored.run_at.utcoffset() == timedelta(0)


def test_a_change_for_an_unknown_customer_or_twice_under_one_key_is_refused(world: Backend) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.scheduled.add(change(customer="nobody"))
        uow.commit()
    added(world, change(key="k"))
    with pytest.raises(world.refused), world.uow() as uow:
        uow.scheduled.add(change(key="k"))
        uow.commit()
    added(world, change(key="k", action=ScheduledAction.END))  # the end of the same save: another action


def test_due_changes_are_claimed_once_then_taken_over_when_the_lease_ran_out(world: Backend) -> None:
    soon, later = added(world, change(RUN), change(RUN + timedelta(days=1)))
    lease = RUN + timedelta(minutes=10)
    with world.uow() as uow:
        assert uow.scheduled.claim_due(now=RUN - timedelta(seconds=1), holder="a", until=lease, limit=5) == []
        [claimed] = uow.scheduled.claim_due(now=RUN, holder="a", until=lease, limit=5)
        uow.commit()
    assert (claimed.id, claimed.status, claimed.lease_holder, claimed.lease_until) == (
        soon,
        ScheduledStatus.RUNNING,
        "a",
        lease,
    )
    with world.uow() as uow:
        assert uow.scheduled.claim_due(now=RUN + timedelta(minutes=5), holder="b", until=lease, limit=5) == []
        again = lease + timedelta(minutes=10)
        [taken] = uow.scheduled.claim_due(now=lease + timedelta(seconds=1), holder="b", until=again, limit=5)
        uow.commit()
    assert (taken.id, taken.lease_holder) == (soon, "b")
    with world.uow() as uow:
        assert not uow.scheduled.finish(soon, holder="a", status="done", outcome="1 updated", at=lease)
        assert uow.scheduled.finish(soon, holder="b", status="failed", outcome="1 failed", at=lease)
        uow.commit()
    with world.uow() as uow:
        done = uow.scheduled.get(soon)
        assert not uow.scheduled.finish(soon, holder="b", status="done", outcome="again", at=lease)
        far = RUN + timedelta(days=2)
        assert [c.id for c in uow.scheduled.claim_due(now=far, holder="c", until=far, limit=1)] == [later]
    assert done is not None and (done.status, done.outcome, done.finished_at) == (
        ScheduledStatus.FAILED,
        "1 failed",
        lease,
    )


def test_a_pending_change_is_cancelled_once_and_a_running_one_not_at_all(world: Backend) -> None:
    first, second = added(world, change(), change())
    with world.uow() as uow:
        assert uow.scheduled.cancel(first, by=SALES, at=AT)
        assert not uow.scheduled.cancel(first, by=ADMIN, at=AT)
        uow.scheduled.claim_due(now=RUN, holder="a", until=RUN, limit=5)
        assert not uow.scheduled.cancel(second, by=ADMIN, at=AT)
        uow.commit()
    with world.uow() as uow:
        gone = uow.scheduled.get(first)
    assert gone is not None and (gone.status, gone.cancelled_by, gone.cancelled_at) == (
        ScheduledStatus.CANCELLED,
        SALES,
        AT,
    )


def test_pending_is_scoped_paged_and_soonest_first(world: Backend) -> None:
    ids = added(world, *(change(RUN + timedelta(hours=5 - i)) for i in range(5)), change(customer="fabrikam"))
    with world.uow() as uow:
        page, total = uow.scheduled.pending(frozenset({"contoso"}), offset=1, limit=2)
        assert total == 5 and [c.id for c in page] == [ids[3], ids[2]]
        assert uow.scheduled.pending(None, offset=0, limit=100)[1] == 6
        assert uow.scheduled.pending(frozenset(), offset=0, limit=10) == ([], 0)
        uow.scheduled.cancel(ids[4], by=ADMIN, at=AT)
        assert uow.scheduled.pending(frozenset({"contoso"}), offset=0, limit=1)[0][0].id == ids[3]
