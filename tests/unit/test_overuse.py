"""A connected tenant can have more assigned than it owns (overuse). The domain shows it as it is and stays safe:
nothing more is assigned, a revoke frees no seat for others until the count is back under what is owned, and it
is not reported as a broken rule of licensebot's."""

from __future__ import annotations

from dataclasses import replace

from licensing.directory import check_directory
from licensing.invariants import violations
from licensing.model import Change, Customer, Subscription
from licensing.planning import decide
from licensing.results import ErrorCode, Status
from licensing.service import make_change, plan
from tests.tenants.scripted import connect
from tests.world import ADMIN, E3, PRODUCTS, VISIO, contoso_users, uid, world

CONTOSO = Customer("contoso", "Contoso Ltd")
CATALOGUE = {p.sku: p for p in PRODUCTS}
USERS = {u.id: u for u in contoso_users()}


def seats(owned: int, assigned: int) -> dict[str, Subscription]:
    return {E3: Subscription("contoso", E3, owned, assigned, mirrored=True)}


def decided(change: Change, owned: dict[str, Subscription]) -> list[tuple[str, Status, list[str]]]:
    outcomes = decide(change, customer=CONTOSO, users=USERS, catalogue=CATALOGUE, owned=owned)
    return [(o.user_id, o.status, [e.code.value for e in o.errors]) for o in outcomes]


def test_an_overused_subscription_shows_a_negative_available_and_how_far_over() -> None:
    over = Subscription("contoso", VISIO, 5, 6, mirrored=True)
    assert (over.available, over.overused) == (-1, 1)
    assert (Subscription("contoso", VISIO, 5, 5).available, Subscription("contoso", VISIO, 5, 5).overused) == (0, 0)


def test_nothing_is_assigned_from_an_overused_subscription_and_the_refusal_says_so() -> None:
    change = make_change("contoso", [uid("bob")], assign=[E3])
    [outcome] = decide(change, customer=CONTOSO, users=USERS, catalogue=CATALOGUE, owned=seats(1, 2))
    assert (outcome.status, [e.code for e in outcome.errors]) == (Status.FAILED, [ErrorCode.INSUFFICIENT_LICENSES])
    assert (
        outcome.errors[0].message == "No Office 365 E3 license left: 2 are assigned but only 1 owned (overused by 1)."
    )


def test_a_revoke_frees_no_seat_for_others_until_the_count_is_back_under_what_is_owned() -> None:
    revoke = make_change("contoso", [uid("alice")], revoke=[E3])
    assign = make_change("contoso", [uid("bob")], assign=[E3])
    assert decided(revoke, seats(1, 2)) == [(uid("alice"), Status.UPDATED, [])]  # a revoke is always allowed
    # A save decides each product for all its users alike, so a revoke and an assign of one product are two saves.
    # After the revoke: 1 assigned of 1 owned. Seats went from -1 to 0: still none to give Bob.
    assert decided(assign, seats(1, 1)) == [(uid("bob"), Status.FAILED, ["insufficient_licenses"])]
    assert decided(assign, seats(1, 0)) == [(uid("bob"), Status.UPDATED, [])]  # one more revoke: one seat


def test_the_preview_of_a_connected_customer_refuses_an_assign_of_its_overused_product() -> None:
    uow = connect(world())
    with uow:
        subs = uow.subscriptions.for_customer("contoso")
        uow.mirror.set_seats("contoso", [*(s for k, s in subs.items() if k != E3), replace(subs[E3], quantity=1)])
        uow.commit()
    result = plan(make_change("contoso", [uid("bob")], assign=[E3]), actor=ADMIN, uow=uow)
    [bob] = result.results
    assert (bob.status, [e.message for e in bob.errors]) == (
        Status.FAILED,
        ["No Office 365 E3 license left: 2 are assigned but only 1 owned (overused by 1)."],
    )


def test_an_overused_connected_subscription_is_not_a_broken_rule_but_a_local_one_is() -> None:
    holders = [replace(u, licenses=frozenset({E3})) for u in contoso_users() if E3 in u.licenses]  # Alice and Erin
    mirrored = {E3: Subscription("contoso", E3, 1, 2, mirrored=True)}
    assert violations(CONTOSO, mirrored, holders, CATALOGUE) == []
    local = {E3: Subscription("contoso", E3, 1, 2)}
    assert violations(CONTOSO, local, holders, CATALOGUE) == [
        "contoso: 2 users hold ENTERPRISEPACK but only 1 is owned"
    ]
    uow = connect(world())
    with uow:
        subs = uow.subscriptions.for_customer("contoso")
        uow.mirror.set_seats("contoso", [*(s for k, s in subs.items() if k != E3), replace(subs[E3], quantity=1)])
        uow.commit()
    assert check_directory(uow=uow) == []  # what `licensebot check` reports
