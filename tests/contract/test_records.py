"""What a change leaves behind: its batch under an idempotency key, the audit, purchase requests, queued messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from licensing.notifications import OutgoingReply, OutgoingThread
from licensing.results import AuditEntry, BatchResult, ErrorCode, Problem, Status, UserOutcome
from tests.contract.backends import Backend
from tests.world import ADMIN, E3, E5, uid

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def batch(batch_id: str | None = "b1", customer: str = "contoso") -> BatchResult:
    problem = Problem(ErrorCode.INSUFFICIENT_LICENSES, "No Office 365 E5 license left: all 2 are assigned.", E5)
    return BatchResult(
        batch_id,
        customer,
        False,
        (
            UserOutcome(uid("bob"), Status.UPDATED, "Bob Brown", assigned=(E5,)),
            UserOutcome(uid("carol"), Status.FAILED, "Carol Chen", errors=(problem,)),
        ),
        ADMIN,
        AT,
    )


def test_a_batch_is_found_by_its_idempotency_key_with_its_fingerprint(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.batches.get_by_key("k1") is None
        uow.batches.add(batch("b1"), key="k1", fingerprint="contoso|bob|E5=assign")
        uow.batches.add(batch("b2"), key=None, fingerprint="f2")
        uow.batches.add(batch("b3"), key=None, fingerprint="f3")  # many batches have no key
        uow.commit()
    with world.uow() as uow:
        assert uow.batches.get_by_key("k1") == ("contoso|bob|E5=assign", batch("b1"))
        assert uow.batches.get_by_key("k2") is None


@pytest.mark.parametrize(
    ("second", "key"),
    [
        (batch("b2"), "k1"),  # an idempotency key is used once
        (batch("b1"), "k2"),  # so is a batch id
        (batch("b2", customer="nobody"), "k2"),  # a batch belongs to a customer that exists
    ],
)
def test_storage_refuses_a_second_batch_under_a_key_or_id(world: Backend, second: BatchResult, key: str) -> None:
    with world.uow() as uow:
        uow.batches.add(batch("b1"), key="k1", fingerprint="f1")
        uow.commit()
    with pytest.raises(world.refused), world.uow() as uow:
        uow.batches.add(second, key=key, fingerprint="f2")
    with world.uow() as uow:
        assert uow.batches.get_by_key("k1") == ("f1", batch("b1"))
        assert uow.batches.get_by_key("k2") is None


def test_a_dry_run_is_not_recorded(world: Backend) -> None:
    with pytest.raises(ValueError, match="dry run"), world.uow() as uow:
        uow.batches.add(batch(None), key="k1", fingerprint="f1")


def entry(batch_id: str, user: str, at: datetime = AT, sku: str | None = E5, reason: str | None = None) -> AuditEntry:
    return AuditEntry(batch_id, at, ADMIN, "contoso", uid(user), sku, "assign", "applied", reason)


def test_the_audit_appends_in_order_and_never_replaces(world: Backend) -> None:
    paris = timezone(timedelta(hours=1))
    first = [entry("b1", "carol"), entry("b1", "alice", at=datetime(2026, 3, 4, 6, 0, tzinfo=paris))]
    with world.uow() as uow:
        uow.audit.append(first)
        uow.audit.append([entry("b2", "bob", sku=None, reason="forbidden: no")])
        uow.audit.append([])
        uow.commit()
    with world.uow() as uow:
        uow.audit.append([first[0]])  # the same entry again is a second line, not an update
        uow.commit()
    with world.uow() as uow:
        lines = uow.audit.for_batch("b1")
        assert lines == [*first, first[0]]
        assert [e.at.utcoffset() for e in lines] == [timedelta(0)] * 3  # read back in UTC, the same instants
        assert uow.audit.for_batch("b2") == [entry("b2", "bob", sku=None, reason="forbidden: no")]
        assert uow.audit.for_batch("nobody") == []


def test_storage_refuses_a_time_without_a_timezone(world: Backend) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.audit.append([entry("b1", "bob", at=datetime(2026, 3, 4, 5, 6, 7))])
    with pytest.raises(world.refused), world.uow() as uow:
        uow.purchases.add(customer_id="contoso", sku=E5, quantity=1, operator=ADMIN, at=datetime(2026, 3, 4))
    with world.uow() as uow:
        assert uow.audit.for_batch("b1") == []


def test_purchase_requests_are_numbered_in_order(world: Backend) -> None:
    with world.uow() as uow:
        first = uow.purchases.add(customer_id="contoso", sku=E5, quantity=3, operator=ADMIN, at=AT)
        second = uow.purchases.add(customer_id="fabrikam", sku=E3, quantity=1, operator=ADMIN, at=AT)
        uow.commit()
    with world.uow() as uow:
        third = uow.purchases.add(customer_id="contoso", sku=E5, quantity=1, operator=ADMIN, at=AT)
    assert 0 < first < second < third


@pytest.mark.parametrize(("customer", "sku"), [("nobody", E5), ("contoso", "NOPE")])
def test_storage_refuses_a_purchase_request_for_an_unknown_customer_or_product(
    world: Backend, customer: str, sku: str
) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.purchases.add(customer_id=customer, sku=sku, quantity=1, operator=ADMIN, at=AT)


def thread(name: str, replies: int = 0, channel: str | None = "C1") -> OutgoingThread:
    def text(t: str) -> dict[str, str]:
        return {"text": t}

    return OutgoingThread(channel, ADMIN, text(name), tuple(text(f"{name} {i}") for i in range(replies)), "b1")


def test_the_outbox_queues_threads_with_the_commit_and_only_then(world: Backend) -> None:
    with world.uow() as uow:
        one = uow.outbox.add_thread(thread("one", replies=2))
        two = uow.outbox.add_thread(thread("two", channel=None))
        uow.commit()
    with world.uow() as uow:
        uow.outbox.add_thread(thread("never"))
    assert 0 < one < two
    assert world.queued() == [thread("one", replies=2), thread("two", channel=None)]


def test_a_reply_queued_later_joins_the_end_of_its_thread_with_the_commit(world: Backend) -> None:
    with world.uow() as uow:
        one = uow.outbox.add_thread(thread("one", replies=2))
        uow.outbox.add_thread(thread("two"))
        uow.commit()
    with world.uow() as uow:
        uow.outbox.add_reply(OutgoingReply(one, {"text": "later"}, kind="outcome"))
    with world.uow() as uow:
        uow.outbox.add_reply(OutgoingReply(one, {"text": "later"}, kind="outcome"))
        uow.commit()
    [first, second] = world.queued()
    assert first.replies == ({"text": "one 0"}, {"text": "one 1"}, {"text": "later"})
    assert second == thread("two")


def test_a_reply_to_no_thread_is_refused(world: Backend) -> None:
    with world.uow() as uow, pytest.raises(LookupError, match="no outbox thread 999999"):
        uow.outbox.add_reply(OutgoingReply(999_999, {"text": "lost"}))
