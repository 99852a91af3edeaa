"""The domain's use cases end to end, through SqlUnitOfWork, on both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from licensing.directory import check_directory, import_directory
from licensing.errors import DirectoryFileError, Forbidden, IdempotencyKeyReused, UnknownCustomer
from licensing.model import Subscription, User
from licensing.queries import list_customers, page_users, summary
from licensing.results import ErrorCode, Status
from licensing.service import apply, make_change, plan
from storage.uow import SqlUnitOfWork
from tests.world import (
    ADMIN,
    AUDIO,
    E1,
    E3,
    E5,
    SALES,
    SCOPED,
    VISIO,
    contoso_users,
    load_world,
    snapshot,
    uid,
)

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def clock() -> datetime:
    return NOW


@pytest.fixture
def world(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    load_world(uow)
    return uow


def state(uow: SqlUnitOfWork, *names: str) -> tuple[dict[str, Subscription], dict[str, User]]:
    with uow:
        return uow.subscriptions.for_customer("contoso"), uow.users.get_many("contoso", [uid(n) for n in names])


# --- import and check ----------------------------------------------------------------------------------------------


def test_importing_a_directory_twice_changes_nothing_the_second_time(uow: SqlUnitOfWork) -> None:
    first = import_directory(snapshot(), uow=uow)
    assert first.counts == {"products": 6, "customers": 2, "subscriptions": 6, "users": 7, "operators": 3, "tenants": 0}
    assert import_directory(snapshot(), uow=uow).changed == 0
    assert check_directory(uow=uow) == []
    subs, users = state(uow, "alice", "erin")
    assert {sku: s.assigned for sku, s in subs.items()} == {E1: 1, E3: 2, E5: 0, AUDIO: 1, VISIO: 1}
    assert users[uid("erin")].licenses == {E3, AUDIO}


def test_an_import_that_breaks_a_rule_keeps_nothing(world: SqlUnitOfWork) -> None:
    s = snapshot()
    oversold = replace(
        s,
        subscriptions=tuple(
            replace(x, quantity=1) if x.sku == E3 and x.customer_id == "contoso" else x for x in s.subscriptions
        ),
        users=(*s.users, User("contoso", uid("new"), "New Person", "US")),
    )
    with pytest.raises(DirectoryFileError) as raised:
        import_directory(oversold, uow=world)
    assert "contoso: 2 users hold ENTERPRISEPACK but only 1 is owned" in raised.value.problems
    subs, users = state(world, "new")
    assert subs[E3] == Subscription("contoso", E3, 3, 2)
    assert users == {}


def test_check_directory_reports_what_is_broken_at_rest(world: SqlUnitOfWork) -> None:
    with world:
        # Bypassing the use cases: the counter no longer matches the holders.
        world.users.upsert([replace(contoso_users()[1], licenses=frozenset({E5}))])
        world.commit()
    assert check_directory(uow=world) == ["contoso: ENTERPRISEPREMIUM counts 0 assigned but 1 users hold it"]


# --- apply and plan (licenses and usage locations) ------------------------------------------------------------


def test_apply_assigns_takes_seats_and_records_batch_and_audit(world: SqlUnitOfWork) -> None:
    change = make_change("contoso", [uid("bob"), uid("carol"), uid("ghost")], assign=[E5])
    result = apply(change, actor=ADMIN, uow=world, clock=clock)
    assert [(o.user_id, o.status) for o in result.results] == [
        (uid("bob"), Status.UPDATED),
        (uid("carol"), Status.UPDATED),
        (uid("ghost"), Status.FAILED),
    ]
    subs, users = state(world, "bob", "carol")
    assert subs[E5].assigned == 2
    assert users[uid("bob")].licenses == {E5} and users[uid("carol")].licenses == {E5}
    with world:
        audit = world.audit.for_batch(result.batch_id or "")
    assert [(a.user_id, a.sku, a.action, a.outcome, a.at) for a in audit] == [
        (uid("bob"), E5, "assign", "applied", NOW),
        (uid("carol"), E5, "assign", "applied", NOW),
        (uid("ghost"), E5, "assign", "failed", NOW),
    ]
    assert check_directory(uow=world) == []


def test_apply_refuses_seats_beyond_the_quantity_per_user(world: SqlUnitOfWork) -> None:
    change = make_change("contoso", [uid(n) for n in ("bob", "carol", "frank")], assign=[E5])  # E5: 2 seats
    result = apply(change, actor=ADMIN, uow=world)
    assert [o.status for o in result.results] == [Status.UPDATED, Status.UPDATED, Status.FAILED]
    assert result.results[2].errors[0].code is ErrorCode.INSUFFICIENT_LICENSES
    subs, _ = state(world)
    assert subs[E5].assigned == 2
    assert check_directory(uow=world) == []


def test_apply_swaps_and_revokes(world: SqlUnitOfWork) -> None:
    apply(make_change("contoso", [uid("frank")], assign=[E3], revoke=[E1]), actor=ADMIN, uow=world)
    apply(make_change("contoso", [uid("dave")], revoke=[VISIO]), actor=ADMIN, uow=world)
    subs, users = state(world, "frank", "dave")
    assert (users[uid("frank")].licenses, users[uid("dave")].licenses) == ({E3}, frozenset())
    assert (subs[E1].assigned, subs[E3].assigned, subs[VISIO].assigned) == (0, 3, 0)
    assert check_directory(uow=world) == []


def test_an_idempotency_key_replays_the_first_result(world: SqlUnitOfWork) -> None:
    change = make_change("contoso", [uid("bob")], assign=[E5])
    first = apply(change, actor=ADMIN, uow=world, idempotency_key="k1")
    again = apply(change, actor=ADMIN, uow=world, idempotency_key="k1")
    assert again.replayed and not first.replayed
    assert replace(again, replayed=False) == first
    subs, _ = state(world)
    assert subs[E5].assigned == 1
    with pytest.raises(IdempotencyKeyReused):
        apply(make_change("contoso", [uid("carol")], assign=[E5]), actor=ADMIN, uow=world, idempotency_key="k1")


def test_plan_decides_like_apply_but_writes_nothing(world: SqlUnitOfWork) -> None:
    change = make_change("contoso", [uid("bob"), uid("alice")], assign=[E5], revoke=[E3])
    planned = plan(change, actor=ADMIN, uow=world)
    assert planned.dry_run and planned.batch_id is None
    subs, users = state(world, "bob", "alice")
    assert subs[E5].assigned == 0 and users[uid("alice")].licenses == {E3}
    applied = apply(change, actor=ADMIN, uow=world)
    assert applied.results == planned.results


def test_operators_out_of_scope_change_nothing(world: SqlUnitOfWork) -> None:
    result = apply(make_change("contoso", [uid("bob")], assign=[E5]), actor=SCOPED, uow=world)
    assert [e.code for o in result.results for e in o.errors] == [ErrorCode.FORBIDDEN]
    with pytest.raises(UnknownCustomer):
        apply(make_change("nowhere", ["x"], assign=[E5]), actor=ADMIN, uow=world)
    subs, _ = state(world)
    assert subs[E5].assigned == 0


def test_a_location_save_sets_it_and_refuses_a_country_a_held_product_is_unavailable_in(
    world: SqlUnitOfWork,
) -> None:
    move = make_change("contoso", [uid("alice"), uid("bob")], location="cn")
    result = apply(move, actor=ADMIN, uow=world, clock=clock)
    by_user = {o.user_id: o for o in result.results}
    assert by_user[uid("alice")].errors[0].code is ErrorCode.LOCATION_NOT_ALLOWED  # holds E3
    assert by_user[uid("bob")].status is Status.UPDATED
    _, users = state(world, "alice", "bob")
    assert (users[uid("alice")].location, users[uid("bob")].location) == ("US", "CN")
    with world:
        actions = [(a.user_id, a.action, a.outcome) for a in world.audit.for_batch(result.batch_id or "")]
    assert actions == [(uid("alice"), "set_location:CN", "failed"), (uid("bob"), "set_location:CN", "applied")]
    refused = apply(make_change("contoso", [uid("bob")], location="DE"), actor=SALES, uow=world)
    assert refused.results[0].errors[0].code is ErrorCode.FORBIDDEN


def test_a_move_with_licenses_commits_together_or_not_at_all(world: SqlUnitOfWork) -> None:
    both = make_change("contoso", [uid("bob")], assign=[E5], location="FR")
    result = apply(both, actor=ADMIN, uow=world, idempotency_key="k1")
    _, users = state(world, "bob")
    assert (users[uid("bob")].location, users[uid("bob")].licenses) == ("FR", {E5})
    with world:
        actions = sorted(a.action for a in world.audit.for_batch(result.batch_id or ""))
    assert actions == ["assign", "set_location:FR"]
    assert apply(both, actor=ADMIN, uow=world, idempotency_key="k1").replayed
    with pytest.raises(IdempotencyKeyReused):  # the same key for another save: nothing of it is committed
        apply(make_change("contoso", [uid("carol")], location="US"), actor=ADMIN, uow=world, idempotency_key="k1")
    _, users = state(world, "carol")
    assert users[uid("carol")].location == "CN"


# --- the read-only queries -----------------------------------------------------------------------------------------


def test_queries_page_list_and_summarise(world: SqlUnitOfWork) -> None:
    assert [c.id for c in list_customers(actor=ADMIN, uow=world)] == ["contoso", "fabrikam"]
    assert [c.id for c in list_customers(actor=SCOPED, uow=world)] == ["fabrikam"]
    with pytest.raises(Forbidden):
        list_customers(actor="UNKNOWN", uow=world)
    page = page_users("contoso", actor=ADMIN, query="e", page=9, page_size=2, uow=world)
    assert (page.page, page.total, [u.name for u in page.users]) == (2, 4, ["Dave Doe", "Erin Evans"])
    found = summary("contoso", [uid("erin"), uid("alice"), uid("ghost")], actor=ADMIN, uow=world)
    assert [u.id for u in found.selected] == [uid("alice"), uid("erin")] and found.missing == (uid("ghost"),)
    e3 = next(p for p in found.products if p.sku == E3)
    assert (e3.quantity, e3.assigned, e3.state) == (3, 2, "all")
