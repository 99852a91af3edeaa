"""Subscriptions and the licenses users hold: the seat counters move with the licenses, within 0..quantity."""

from __future__ import annotations

import pytest

from licensing.model import Subscription, User
from tests.contract.backends import Backend
from tests.world import AUDIO, E1, E3, E5, PBI, VISIO, ZOE, uid


def seats(backend: Backend, customer: str = "contoso") -> dict[str, tuple[int, int]]:
    with backend.uow() as uow:
        return {sku: (s.quantity, s.assigned) for sku, s in uow.subscriptions.for_customer(customer).items()}


def licenses(backend: Backend, *names: str) -> dict[str, frozenset[str]]:
    with backend.uow() as uow:
        users = uow.users.get_many("contoso", [uid(n) for n in names])
    return {n: users[uid(n)].licenses for n in names}


def test_for_customer_gives_each_subscription_with_its_counter(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.subscriptions.for_customer("contoso") == {
            E1: Subscription("contoso", E1, 5, 1),
            E3: Subscription("contoso", E3, 3, 2),
            E5: Subscription("contoso", E5, 2, 0),
            AUDIO: Subscription("contoso", AUDIO, 5, 1),
            VISIO: Subscription("contoso", VISIO, 1, 1, alert_below=1),
        }
        assert uow.subscriptions.for_customer("fabrikam") == {E3: Subscription("fabrikam", E3, 10, 1)}
        assert uow.subscriptions.for_customer("nobody") == {}


def test_subscription_upsert_never_takes_the_counter_from_its_input(world: Backend) -> None:
    with world.uow() as uow:
        assert uow.subscriptions.upsert([Subscription("contoso", E3, 3, assigned=0)]) == 0  # only the counter differs
        assert uow.subscriptions.upsert([Subscription("fabrikam", E5, 4, assigned=4)]) == 1
        assert uow.subscriptions.upsert([Subscription("contoso", E1, 6, 0, alert_below=2)]) == 1
        uow.commit()
    assert seats(world, "fabrikam")[E5] == (4, 0)
    assert seats(world)[E1] == (6, 1)


def test_lowering_a_quantity_below_the_seats_taken_caps_the_counter_and_recount_says_so(world: Backend) -> None:
    with world.uow() as uow:
        uow.subscriptions.upsert([Subscription("contoso", E3, 1)])  # two users hold E3
        assert uow.subscriptions.for_customer("contoso")[E3] == Subscription("contoso", E3, 1, 1)
        uow.subscriptions.recount(["contoso"])
        assert uow.subscriptions.for_customer("contoso")[E3] == Subscription("contoso", E3, 1, 1)


def test_recount_sets_counters_from_the_licenses_held_for_the_customers_named(world: Backend) -> None:
    with world.uow() as uow:
        uow.users.upsert([User("contoso", uid("bob"), "Bob Brown", "DE", frozenset({E5})), ZOE])
        uow.users.upsert([User("fabrikam", "yan@fabrikam.com", "Yan", "FR", frozenset({E3}))])
        assert uow.subscriptions.for_customer("contoso")[E5].assigned == 0  # upserts leave counters alone
        uow.subscriptions.recount(["contoso", "contoso", "nobody"])
        uow.commit()
    assert seats(world)[E5] == (2, 1)
    assert seats(world, "fabrikam")[E3] == (10, 1)  # not named, not recounted


@pytest.mark.parametrize(
    "bad",
    [
        Subscription("nobody", E3, 1),  # no such customer
        Subscription("contoso", "NOPE", 1),  # no such product
        Subscription("contoso", PBI, -1),  # a negative quantity
    ],
)
def test_storage_refuses_a_subscription_it_cannot_hold(world: Backend, bad: Subscription) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.subscriptions.upsert([bad])
    assert PBI not in seats(world)


def test_change_licenses_grants_and_removes_and_moves_the_counters(world: Backend) -> None:
    with world.uow() as uow:
        uow.users.change_licenses(
            "contoso",
            grants=[(uid("bob"), E5), (uid("carol"), E5), (uid("frank"), E3)],
            removals=[(uid("frank"), E1), (uid("dave"), VISIO)],
        )
        uow.commit()
    assert licenses(world, "bob", "carol", "frank", "dave") == {
        "bob": {E5},
        "carol": {E5},
        "frank": {E3},
        "dave": frozenset(),
    }
    assert seats(world) == {E1: (5, 0), E3: (3, 3), E5: (2, 2), AUDIO: (5, 1), VISIO: (1, 0)}


def test_change_licenses_takes_each_pair_once_and_removes_before_it_grants(world: Backend) -> None:
    with world.uow() as uow:
        # VISIO is full (1 of 1): moving it from Dave to Bob in one call never exceeds it.
        grants = [(uid("bob"), VISIO), (uid("bob"), VISIO)]
        uow.users.change_licenses("contoso", grants=grants, removals=[(uid("dave"), VISIO)] * 2)
        # Removing and granting the same license leaves it held, and the counter where it was.
        uow.users.change_licenses("contoso", grants=[(uid("alice"), E3)], removals=[(uid("alice"), E3)])
        uow.users.change_licenses("contoso", grants=[], removals=[])
        uow.commit()
    assert licenses(world, "bob", "dave", "alice") == {"bob": {VISIO}, "dave": frozenset(), "alice": {E3}}
    assert seats(world)[VISIO] == (1, 1) and seats(world)[E3] == (3, 2)


def test_removing_a_license_the_user_does_not_hold_raises_and_keeps_nothing(world: Backend) -> None:
    # The use cases remove only what they read under the customer's lock; anything else is a bug that would skew
    # the counters, so storage refuses the whole call rather than guess.
    with pytest.raises(RuntimeError, match="remove 2 licenses of contoso, but 1 were held"), world.uow() as uow:
        uow.users.change_licenses("contoso", grants=[], removals=[(uid("alice"), E3), (uid("bob"), E3)])
    with pytest.raises(RuntimeError, match="but 0 were held"), world.uow() as uow:
        uow.users.change_licenses("contoso", grants=[], removals=[(uid("ghost"), E3)])
    assert licenses(world, "alice")["alice"] == {E3}
    assert seats(world)[E3] == (3, 2)


@pytest.mark.parametrize(
    ("customer", "grants"),
    [
        ("contoso", [(uid(n), E5) for n in ("alice", "bob", "carol")]),  # 3 seats of 2: the CHECK refuses
        ("contoso", [(uid("alice"), E3)]),  # already held
        ("contoso", [(uid("bob"), PBI)]),  # no subscription of it
        ("contoso", [(uid("ghost"), E5)]),  # no such user
        ("fabrikam", [(ZOE.id, E5)]),  # another customer's subscription does not count
    ],
)
def test_storage_refuses_a_grant_it_cannot_hold(world: Backend, customer: str, grants: list[tuple[str, str]]) -> None:
    before = seats(world), seats(world, "fabrikam")
    with pytest.raises(world.refused), world.uow() as uow:
        uow.users.change_licenses(customer, grants=grants, removals=[])
    assert (seats(world), seats(world, "fabrikam")) == before
    assert licenses(world, "alice", "bob")["bob"] == frozenset()


def test_user_upsert_sets_exactly_the_licenses_given_and_leaves_counters_to_recount(world: Backend) -> None:
    erin = User("contoso", uid("erin"), "Erin Evans", "US", frozenset({E5}))
    gus = User("contoso", uid("gus"), "Gus", None, frozenset())
    with world.uow() as uow:
        assert uow.users.upsert([erin, gus, User("contoso", uid("bob"), "Bob Brown", "DE")]) == 2
        assert uow.users.upsert([erin, gus]) == 0
        assert uow.users.upsert([replace_name(gus, "Gus A"), replace_name(gus, "Gus B")]) == 1  # last wins, once
        uow.commit()
    assert licenses(world, "erin", "gus") == {"erin": {E5}, "gus": frozenset()}
    assert seats(world)[E3] == (3, 2) and seats(world)[E5] == (2, 0)
    with world.uow() as uow:
        assert uow.users.get_many("contoso", [uid("gus")])[uid("gus")].name == "Gus B"


@pytest.mark.parametrize(
    "bad",
    [
        User("nobody", "x", "X", "US"),  # no such customer
        User("contoso", "x", "X", "US", frozenset({PBI})),  # a license of no subscription
        User("fabrikam", "x", "X", "US", frozenset({E5})),  # contoso's subscription is not fabrikam's
    ],
)
def test_storage_refuses_a_user_it_cannot_hold(world: Backend, bad: User) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.users.upsert([bad])
    with world.uow() as uow:
        assert uow.users.get_many(bad.customer_id, ["x"]) == {}


def replace_name(user: User, name: str) -> User:
    return User(user.customer_id, user.id, name, user.location, user.licenses)


def test_for_customers_reads_the_subscriptions_of_many_customers_at_once(world: Backend) -> None:
    with world.uow() as uow:
        everyone = uow.subscriptions.for_customers(None)
        some = uow.subscriptions.for_customers(frozenset({"fabrikam", "nobody"}))
        none = uow.subscriptions.for_customers(frozenset())
        contoso = uow.subscriptions.for_customer("contoso")
    assert some == [Subscription("fabrikam", E3, 10, 1)]
    assert none == []
    assert [s for s in everyone if s.customer_id == "contoso"] == sorted(contoso.values(), key=lambda s: s.sku)
    assert Subscription("fabrikam", E3, 10, 1) in everyone
    assert [(s.customer_id, s.sku) for s in everyone] == sorted((s.customer_id, s.sku) for s in everyone)
