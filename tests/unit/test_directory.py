from __future__ import annotations

from dataclasses import replace

import pytest

from licensing.directory import Snapshot, check_directory, import_directory
from licensing.errors import DirectoryFileError
from licensing.model import Customer, Subscription, User
from tests.memory import FakeUnitOfWork
from tests.world import E1, E3, PRODUCTS, contoso_users, world


def snapshot() -> Snapshot:
    return Snapshot(
        products=tuple(PRODUCTS),
        customers=(Customer("contoso", "Contoso Ltd"),),
        subscriptions=(Subscription("contoso", E1, 5), Subscription("contoso", E3, 3)),
        users=tuple(u for u in contoso_users() if u.licenses <= {E1, E3}),
    )


def test_import_loads_and_counts_seats_then_a_second_import_changes_nothing() -> None:
    uow = FakeUnitOfWork()
    report = import_directory(snapshot(), uow=uow)
    assert report.counts["users"] == 4 and report.changed > 0
    assert uow.state.subscriptions[("contoso", E3)].assigned == 1
    assert import_directory(snapshot(), uow=uow).changed == 0


def test_import_that_would_oversell_is_rejected_whole() -> None:
    uow = FakeUnitOfWork()
    snap = snapshot()
    crowd = tuple(User("contoso", f"u{i}", f"U {i}", "US", frozenset({E3})) for i in range(3))
    with pytest.raises(DirectoryFileError) as caught:
        import_directory(replace(snap, users=snap.users + crowd), uow=uow)
    # Storage caps the counter at the quantity (the CHECK): the one problem is said once, not again as the counter.
    assert caught.value.problems == ["contoso: 4 users hold ENTERPRISEPACK but only 3 are owned"]
    assert uow.commits == 0 and uow.state.customers == {}


def test_check_reports_every_broken_invariant() -> None:
    uow = world()
    assert check_directory(uow=uow) == []
    s = uow.state
    s.users[("contoso", "x")] = User("contoso", "x", "X", "CN", frozenset({E1, E3}))
    problems = check_directory(uow=uow)
    assert "contoso/x: holds ENTERPRISEPACK, which is not available in CN" in problems
    assert "contoso/x: holds Office 365 E3 and Office 365 E1, which exclude each other" in problems
    assert "contoso: ENTERPRISEPACK counts 2 assigned but 3 users hold it" in problems
