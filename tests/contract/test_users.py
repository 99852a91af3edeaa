"""Reading users: by id, a page at a time (sorted, searched, counted), all of a customer; and setting locations."""

from __future__ import annotations

import pytest

from licensing.model import Customer, User
from tests.contract.backends import Backend
from tests.world import AUDIO, E3, VISIO, ZOE, contoso_users, uid

NAMES = ["anna", "Anna", "ANNA", "Émile", "emile", "Zoë", "Ölaf", "bob"]


@pytest.fixture
def crowd(backend: Backend) -> Backend:
    """Users whose names tie or differ only in case, so the order is decided by casefolded name and then id."""
    with backend.uow() as uow:
        uow.customers.upsert([Customer("c", "C")])
        uow.users.upsert([User("c", f"U{i}", name) for i, name in enumerate(NAMES)])
        uow.commit()
    return backend


def page_ids(backend: Backend, query: str = "", offset: int = 0, limit: int = 100) -> tuple[list[str], int]:
    with backend.uow() as uow:
        users, total = uow.users.page("c", query=query, offset=offset, limit=limit)
    return [u.id for u in users], total


def expected_order(query: str = "") -> list[str]:
    q = query.casefold()
    users = [User("c", f"U{i}", n) for i, n in enumerate(NAMES) if q in n.casefold() or q in f"u{i}"]
    return [u.id for u in sorted(users, key=lambda u: u.sort_key)]


def test_get_many_gives_known_users_with_their_licenses(world: Backend) -> None:
    with world.uow() as uow:
        got = uow.users.get_many("contoso", [uid("erin"), uid("dave"), uid("ghost"), uid("erin"), ZOE.id])
    by_name = {u.id: u for u in contoso_users()}
    assert got == {uid("erin"): by_name[uid("erin")], uid("dave"): by_name[uid("dave")]}
    assert got[uid("erin")].licenses == {E3, AUDIO} and got[uid("dave")].location is None


def test_page_sorts_by_casefolded_name_then_id_and_counts_every_match(crowd: Backend) -> None:
    assert page_ids(crowd) == (expected_order(), len(NAMES))
    assert page_ids(crowd, offset=2, limit=3) == (expected_order()[2:5], len(NAMES))
    assert page_ids(crowd, offset=6, limit=5) == (expected_order()[6:], len(NAMES))  # a short last page
    assert page_ids(crowd, offset=8, limit=5) == ([], len(NAMES))  # past the end: no users, still the total
    assert page_ids(crowd, offset=-3, limit=2) == (expected_order()[:2], len(NAMES))  # a negative offset is 0
    assert page_ids(crowd, offset=0, limit=-1) == ([], len(NAMES))
    with crowd.uow() as uow:
        assert uow.users.page("nobody", query="", offset=0, limit=10) == ([], 0)


@pytest.mark.parametrize("query", ["anna", "ANNA", "émile", "ÉMILE", "u7", "U1", "ö", "nobody", "a\x1fu"])
def test_page_searches_a_case_insensitive_substring_of_name_or_id(crowd: Backend, query: str) -> None:
    expected = expected_order(query) if "\x1f" not in query else []
    assert page_ids(crowd, query) == (expected, len(expected))


def test_page_returns_users_with_their_licenses_and_sees_writes_of_its_transaction(world: Backend) -> None:
    with world.uow() as uow:
        users, total = uow.users.page("contoso", query="EVANS", offset=0, limit=10)
        assert (users, total) == ([next(u for u in contoso_users() if u.name == "Erin Evans")], 1)
        uow.users.upsert([User("contoso", uid("eve"), "Eve Evans", "US")])
        users, total = uow.users.page("contoso", query="evans", offset=0, limit=10)
        assert ([u.name for u in users], total) == (["Erin Evans", "Eve Evans"], 2)


def test_all_for_customer_gives_every_user_by_id_with_licenses(world: Backend) -> None:
    with world.uow() as uow:
        assert list(uow.users.all_for_customer("contoso")) == sorted(contoso_users(), key=lambda u: u.id)
        assert list(uow.users.all_for_customer("fabrikam")) == [ZOE]
        assert list(uow.users.all_for_customer("nobody")) == []


def test_set_location_changes_the_users_named_and_ignores_unknown_ids(world: Backend) -> None:
    with world.uow() as uow:
        uow.users.set_location("contoso", [uid("alice"), uid("dave"), uid("ghost"), uid("alice")], "FR")
        uow.users.set_location("contoso", [], "CN")
        uow.users.set_location("fabrikam", [uid("bob")], "CN")  # bob is contoso's
        uow.commit()
    with world.uow() as uow:
        got = uow.users.get_many("contoso", [uid("alice"), uid("bob"), uid("dave"), uid("ghost")])
    assert {u: x.location for u, x in got.items()} == {uid("alice"): "FR", uid("bob"): "DE", uid("dave"): "FR"}
    assert got[uid("dave")].licenses == {VISIO}
