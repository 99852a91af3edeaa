"""Customers, products and operators: reads, searches, and upserts that count what they changed."""

from __future__ import annotations

import pytest

from licensing.model import Customer, Operator, Product, Role
from tests.contract.backends import Backend
from tests.world import ADMIN, AUDIO, E1, E3, PRODUCTS, SCOPED

MORE = (
    Customer("adatum", "Adatum"),
    Customer("contoso-eu", "contoso Europe"),  # sorts before "Contoso Ltd": names compare case-insensitively
    Customer("z-contoso", "Contoso Ltd"),  # the same name: the id decides
)


@pytest.fixture
def customers(world: Backend) -> Backend:
    with world.uow() as uow:
        uow.customers.upsert(MORE)
        uow.commit()
    return world


def test_get_and_lock_return_the_customer_or_none(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.customers.get("contoso") == Customer("contoso", "Contoso Ltd")
        assert uow.customers.get("CONTOSO") is None  # ids are exact
        assert uow.customers.get("nobody") is None
    with world.uow() as uow:
        assert uow.customers.lock("fabrikam") == Customer("fabrikam", "Fabrikam")


def test_lock_all_lets_the_importer_write_every_customer(world: Backend) -> None:
    with world.uow() as uow:
        uow.customers.lock_all()
        assert uow.customers.upsert([Customer("contoso", "Contoso plc"), Customer("fabrikam", "Fabrikam")]) == 1
        uow.commit()
    with world.uow() as uow:
        assert uow.customers.get("contoso") == Customer("contoso", "Contoso plc")


@pytest.mark.parametrize(
    ("query", "only", "limit", "expected"),
    [
        ("", None, 10, ["adatum", "contoso-eu", "contoso", "z-contoso", "fabrikam"]),
        ("CONTOSO", None, 10, ["contoso-eu", "contoso", "z-contoso"]),  # name or id, any case
        ("z-con", None, 10, ["z-contoso"]),  # the id alone matches
        ("ltd", None, 10, ["contoso", "z-contoso"]),  # the name alone matches
        ("contoso", None, 2, ["contoso-eu", "contoso"]),  # the first `limit`, in order
        ("", frozenset({"fabrikam", "adatum", "nobody"}), 10, ["adatum", "fabrikam"]),  # an operator's scope
        ("contoso", frozenset({"fabrikam"}), 10, []),
        ("", frozenset(), 10, []),  # an empty scope is no customer, not every customer
        ("ltd\x1fcontoso", None, 10, []),  # a query never matches across name and id
        ("initech", None, 10, []),
        ("", None, 0, []),
    ],
)
def test_search_by_name_or_id_within_a_scope_sorted_by_name_then_id(
    customers: Backend, query: str, only: frozenset[str] | None, limit: int, expected: list[str]
) -> None:
    with customers.uow() as uow:
        assert [c.id for c in uow.customers.search(query, only=only, limit=limit)] == expected


def test_all_ids_are_sorted_by_code_point(customers: Backend) -> None:
    with customers.uow() as uow:
        assert uow.customers.all_ids() == ["adatum", "contoso", "contoso-eu", "fabrikam", "z-contoso"]


def test_customer_upsert_counts_created_and_changed_each_once(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.customers.upsert([Customer("a", "A"), Customer("b", "B")]) == 2
        assert uow.customers.upsert([Customer("a", "A"), Customer("b", "Bee")]) == 1
        assert uow.customers.upsert([Customer("a", "A")]) == 0
        # One key twice in a batch: the last one given wins, and counts once.
        assert uow.customers.upsert([Customer("c", "C1"), Customer("c", "C2")]) == 1
        assert uow.customers.upsert([]) == 0
        uow.commit()
    with backend.uow() as uow:
        assert [uow.customers.get(i) for i in "abc"] == [Customer("a", "A"), Customer("b", "Bee"), Customer("c", "C2")]


def test_products_round_trip_with_their_rule_sets(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.products.all() == {p.sku: p for p in PRODUCTS}
        found = uow.products.get_many([AUDIO, E1, "NOPE", AUDIO])  # unknown skus are left out, repeats once
        assert found == {AUDIO: PRODUCTS[3], E1: PRODUCTS[0]}
        assert found[AUDIO].requires_one_of == {E3, "ENTERPRISEPREMIUM"}
        assert uow.products.get_many([]) == {}


def test_product_upsert_counts_created_and_changed_and_compares_rule_sets_as_sets(backend: Backend) -> None:
    rules = Product("X", "X", requires_one_of=frozenset({"B", "A"}), excludes=frozenset({"C"}))
    with backend.uow() as uow:
        assert uow.products.upsert([rules, Product("Y", "Y")]) == 2
        assert uow.products.upsert([Product("X", "X", frozenset({"A", "B"}), frozenset({"C"}))]) == 0
        assert uow.products.upsert([Product("Y", "Y", unavailable_in=frozenset({"CN"})), Product("Y", "Y2")]) == 1
        uow.commit()
    with backend.uow() as uow:
        assert uow.products.all() == {"X": rules, "Y": Product("Y", "Y2")}


def test_operators_round_trip_with_and_without_a_customer_scope(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.operators.get(ADMIN) == Operator(ADMIN, Role.ADMIN_AGENT, "Ada Admin", None)
        assert uow.operators.get(SCOPED) == Operator(SCOPED, Role.HELPDESK_AGENT, "Hal Help", frozenset({"fabrikam"}))
        assert uow.operators.get("nobody") is None
        nameless = Operator("UNEW", Role.SALES_AGENT, None, frozenset())  # a scope of no customer at all
        assert uow.operators.upsert([nameless, Operator(ADMIN, Role.ADMIN_AGENT, "Ada Admin")]) == 1
        assert uow.operators.upsert([Operator(SCOPED, Role.GLOBAL_ADMIN, "Hal Help", None)]) == 1
        uow.commit()
    with world.uow() as uow:
        assert uow.operators.get("UNEW") == nameless
        assert uow.operators.get(SCOPED) == Operator(SCOPED, Role.GLOBAL_ADMIN, "Hal Help", None)
