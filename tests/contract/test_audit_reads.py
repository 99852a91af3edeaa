"""Reading the audit back: pages newest first cut at an (at, id) cursor, filters, and the oldest-first export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.results import AuditEntry, AuditQuery, AuditRecord
from tests.contract.backends import Backend
from tests.world import ADMIN, E3, E5, uid

T0 = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)


def line(n: int, customer: str = "contoso", user: str = "alice", minutes: int | None = None) -> AuditEntry:
    at = T0 + timedelta(minutes=n if minutes is None else minutes)
    return AuditEntry(f"b{n}", at, ADMIN, customer, uid(user), E5 if n % 2 else E3, "assign", "applied", None)


def keys(records: list[AuditRecord]) -> list[str]:
    return [r.entry.batch_id for r in records]


@pytest.fixture
def audited(world: Backend) -> Backend:
    """Ten lines appended out of time order; b3 and b4 share an instant, so only the id orders them."""
    with world.uow() as uow:
        uow.audit.append([line(n) for n in (5, 6, 7)])
        uow.audit.append([line(1), line(2, "fabrikam", "zoe"), line(3, minutes=3), line(4, minutes=3)])
        uow.audit.append([line(8, "fabrikam", "zoe"), line(9, user="bob"), line(10)])
        uow.commit()
    return world


def test_pages_run_newest_first_and_a_cursor_continues_exactly_where_the_last_page_ended(audited: Backend) -> None:
    every = AuditQuery()
    with audited.uow() as uow:
        first = uow.audit.page(every, limit=4)
        second = uow.audit.page(every, before=first[-1].key, limit=4)
        third = uow.audit.page(every, before=second[-1].key, limit=4)
        back = uow.audit.page(every, after=second[0].key, limit=4)
    assert keys(first) == ["b10", "b9", "b8", "b7"]
    assert keys(second) == ["b6", "b5", "b4", "b3"]  # b4 and b3 at one instant: the later id first
    assert keys(third) == ["b2", "b1"]
    assert back == first  # newer than the second page: the first again, still newest first
    assert all(r.entry.at.utcoffset() == timedelta(0) for r in first)
    assert len({r.id for r in first + second + third}) == 10


def test_a_cursor_between_two_lines_at_one_instant_splits_them(audited: Backend) -> None:
    with audited.uow() as uow:
        b4 = next(r for r in uow.audit.page(AuditQuery(), limit=10) if r.entry.batch_id == "b4")
        assert keys(uow.audit.page(AuditQuery(), before=b4.key, limit=2)) == ["b3", "b2"]
        assert keys(uow.audit.page(AuditQuery(), after=b4.key, limit=2)) == ["b6", "b5"]


def test_lines_appended_after_a_page_do_not_shift_the_next_one(audited: Backend) -> None:
    with audited.uow() as uow:
        first = uow.audit.page(AuditQuery(), limit=3)
    with audited.uow() as uow:
        uow.audit.append([line(11), line(12)])
        uow.commit()
    with audited.uow() as uow:
        assert keys(uow.audit.page(AuditQuery(), before=first[-1].key, limit=3)) == ["b7", "b6", "b5"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AuditQuery(customers=frozenset({"fabrikam"})), ["b8", "b2"]),
        (AuditQuery(customers=frozenset({"contoso"}), user_id=uid("bob")), ["b9"]),
        (AuditQuery(customers=frozenset({"contoso", "fabrikam"}), user_id=uid("nobody")), []),
        (AuditQuery(customers=frozenset()), []),  # an operator scoped to no customer sees nothing
        (AuditQuery(since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=6)), ["b5", "b4", "b3"]),
    ],
)
def test_pages_filter_by_customers_user_and_time(audited: Backend, query: AuditQuery, expected: list[str]) -> None:
    with audited.uow() as uow:
        assert keys(uow.audit.page(query, limit=20)) == expected


def test_export_streams_every_matching_line_oldest_first_in_any_chunk_size(audited: Backend) -> None:
    with audited.uow() as uow:
        newest_first = uow.audit.page(AuditQuery(), limit=20)
        for chunk in (1, 3, 10, 1000):
            assert list(uow.audit.export(AuditQuery(), chunk=chunk)) == newest_first[::-1]
        contoso = uow.audit.export(
            AuditQuery(customers=frozenset({"contoso"}), since=T0 + timedelta(minutes=7)), chunk=2
        )
        assert keys(list(contoso)) == ["b7", "b9", "b10"]
        assert list(uow.audit.export(AuditQuery(customers=frozenset({"initech"})), chunk=2)) == []
