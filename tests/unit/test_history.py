"""The audit read back: who sees which customers' changes, paging by cursor, filters, and the export's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.errors import Forbidden, InvalidRequest, UnknownCustomer
from licensing.history import UnknownUser, export, recent
from licensing.results import AuditEntry
from tests.memory import FakeUnitOfWork
from tests.world import ADMIN, E3, E5, SCOPED, STRANGER, uid, world

T0 = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)


def audited(n: int = 25) -> FakeUnitOfWork:
    """n lines, one a minute, alternating contoso (alice, bob) and fabrikam (zoe)."""
    uow = world()
    with uow:
        uow.audit.append(
            [
                AuditEntry(
                    f"b{i}",
                    T0 + timedelta(minutes=i),
                    ADMIN,
                    "contoso" if i % 2 else "fabrikam",
                    (uid("alice") if i % 4 == 1 else uid("bob")) if i % 2 else "zoe@fabrikam.com",
                    E5 if i % 3 else E3,
                    "assign",
                    "applied",
                )
                for i in range(1, n + 1)
            ]
        )
        uow.commit()
    return uow


def batches(records: tuple[object, ...] | list[object]) -> list[str]:
    return [r.entry.batch_id for r in records]  # type: ignore[attr-defined]


def test_an_operator_pages_back_and_forth_through_every_customer_newest_first() -> None:
    uow = audited(25)
    first = recent(actor=ADMIN, uow=uow, page_size=10)
    assert batches(first.records) == [f"b{i}" for i in range(25, 15, -1)]
    assert first.newer is None and first.older == first.records[-1].key
    second = recent(actor=ADMIN, uow=uow, before=first.older, page_size=10)
    third = recent(actor=ADMIN, uow=uow, before=second.older, page_size=10)
    assert batches(third.records) == [f"b{i}" for i in range(5, 0, -1)] and third.older is None
    assert recent(actor=ADMIN, uow=uow, after=third.newer, page_size=10) == second
    assert recent(actor=ADMIN, uow=uow, after=second.newer, page_size=10) == first
    assert first.customer_names == {"contoso": "Contoso Ltd", "fabrikam": "Fabrikam"}
    assert set(first.product_names) == {E3, E5}


def test_newer_than_a_short_remainder_is_the_newest_page() -> None:
    """Lines appended since the operator paged back: Newer lands on a full newest page, not a stub of three."""
    uow = audited(25)
    first = recent(actor=ADMIN, uow=uow, page_size=10)
    page = recent(actor=ADMIN, uow=uow, after=first.records[3].key, page_size=10)
    assert page == first and page.newer is None


def test_an_operator_scoped_to_some_customers_never_sees_the_others() -> None:
    page = recent(actor=SCOPED, uow=audited(), page_size=100)
    assert page.records and {r.entry.customer_id for r in page.records} == {"fabrikam"}
    assert page.customer_names == {"fabrikam": "Fabrikam"}
    with pytest.raises(Forbidden, match="not allowed to manage customer contoso"):
        recent(actor=SCOPED, uow=audited(), customer_id="contoso")


def test_a_stranger_is_refused() -> None:
    with pytest.raises(Forbidden, match="not a licensebot operator"):
        recent(actor=STRANGER, uow=audited())
    with pytest.raises(Forbidden):
        export(actor=STRANGER, uow=audited())


def test_filters_by_customer_and_user() -> None:
    uow = audited(25)
    fabrikam = recent(actor=ADMIN, uow=uow, customer_id="fabrikam", page_size=100)
    assert batches(fabrikam.records) == [f"b{i}" for i in range(24, 0, -2)]
    alice = recent(actor=ADMIN, uow=uow, customer_id="contoso", user_id=uid("alice"), page_size=100)
    assert batches(alice.records) == [f"b{i}" for i in range(25, 0, -4)]
    assert (alice.customer_id, alice.user_id) == ("contoso", uid("alice"))


def test_a_known_user_with_no_changes_has_an_empty_history_and_an_unknown_user_is_named() -> None:
    uow = audited()
    assert recent(actor=ADMIN, uow=uow, customer_id="contoso", user_id=uid("carol")).records == ()
    with pytest.raises(UnknownUser, match="Customer 'contoso' has no user 'zed@contoso.com'"):
        recent(actor=ADMIN, uow=uow, customer_id="contoso", user_id=uid("zed"))


def test_unknown_customer_and_bad_requests_are_refused() -> None:
    with pytest.raises(UnknownCustomer):
        recent(actor=ADMIN, uow=audited(), customer_id="initech")
    with pytest.raises(UnknownCustomer):
        export(actor=None, uow=audited(), customer_id="initech")
    with pytest.raises(InvalidRequest):
        recent(actor=ADMIN, uow=audited(), user_id=uid("alice"))
    with pytest.raises(InvalidRequest):
        recent(actor=ADMIN, uow=audited(), page_size=0)


def test_export_streams_oldest_first_within_dates_for_the_trusted_caller() -> None:
    lines = export(actor=None, uow=audited(25), since=T0 + timedelta(minutes=20), until=T0 + timedelta(minutes=23))
    assert batches(list(lines)) == ["b20", "b21", "b22"]
    contoso = export(actor=None, uow=audited(25), customer_id="contoso", chunk=2)
    assert batches(list(contoso)) == [f"b{i}" for i in range(1, 26, 2)]
    scoped = export(actor=SCOPED, uow=audited(25))
    assert {r.entry.customer_id for r in scoped} == {"fabrikam"}
