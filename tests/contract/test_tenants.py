"""Connected customers: the tenant mirror and connected saves in flight, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from licensing.model import Change, Product, Subscription, User
from licensing.results import Status, UserOutcome
from licensing.tenants import Operation, PendingBatch, Tenant
from licensing.types import Desired
from tests.contract.backends import Backend
from tests.world import E1, E3, E5, uid

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def connected(world: Backend) -> Backend:
    """fabrikam connected to a tenant (the world gives it 10 E3 and Zoe, as if synced before)."""
    with world.uow() as uow:
        uow.mirror.upsert([Tenant("fabrikam", "fabrikam.onmicrosoft.com")])
        uow.commit()
    return world


def test_a_tenant_is_upserted_and_keeps_its_sync_times(connected: Backend) -> None:
    with connected.uow() as uow:
        uow.mirror.mark_synced("fabrikam", T0, users=True)
        uow.mirror.mark_synced("fabrikam", T0 + timedelta(minutes=5), users=False)
        assert uow.mirror.upsert([Tenant("fabrikam", "fabrikam.onmicrosoft.com")]) == 0
        uow.commit()
    with connected.uow() as uow:
        assert uow.mirror.get("fabrikam") == Tenant(
            "fabrikam", "fabrikam.onmicrosoft.com", T0, T0 + timedelta(minutes=5)
        )
        assert uow.mirror.get("contoso") is None
        assert [t.customer_id for t in uow.mirror.all()] == ["fabrikam"]


def test_a_tenant_needs_its_customer(world: Backend) -> None:
    with pytest.raises(world.refused), world.uow() as uow:
        uow.mirror.upsert([Tenant("nobody", "nobody.example.com")])
        uow.commit()


def test_seats_are_set_exactly_overuse_included_and_the_rest_dropped_with_their_licenses(connected: Backend) -> None:
    with connected.uow() as uow:
        subs = [Subscription("fabrikam", E1, 4, 6), Subscription("fabrikam", E5, 7, 2)]
        assert uow.mirror.set_seats("fabrikam", subs) == 3  # E3 gone, E1 and E5 new
        uow.commit()
    with connected.uow() as uow:
        got = uow.subscriptions.for_customer("fabrikam")
        assert got == {
            E1: Subscription("fabrikam", E1, 4, 6, mirrored=True),  # 6 assigned of 4 owned: overused by 2
            E5: Subscription("fabrikam", E5, 7, 2, mirrored=True),
        }
        assert (got[E1].available, got[E1].overused) == (-2, 2)
        assert uow.subscriptions.for_customers(frozenset({"fabrikam"})) == [got[E5], got[E1]]  # by sku
        assert uow.users.get_many("fabrikam", ["zoe@fabrikam.com"])["zoe@fabrikam.com"].licenses == frozenset()
        assert uow.mirror.set_seats("fabrikam", subs) == 0


def test_a_local_row_the_tenant_reports_again_is_marked_mirrored(connected: Backend) -> None:
    with connected.uow() as uow:  # fabrikam's E3 was written before it was connected: a local row, 1 of 10
        assert uow.mirror.set_seats("fabrikam", [Subscription("fabrikam", E3, 10, 1)]) == 1  # only the flag moves
        uow.commit()
    with connected.uow() as uow:
        assert uow.subscriptions.for_customer("fabrikam") == {E3: Subscription("fabrikam", E3, 10, 1, mirrored=True)}


def test_an_import_neither_caps_nor_recounts_nor_unflags_a_mirrored_counter(connected: Backend) -> None:
    with connected.uow() as uow:
        uow.mirror.set_seats("fabrikam", [Subscription("fabrikam", E3, 5, 6)])  # Zoe alone holds E3 in the mirror
        uow.commit()
    with connected.uow() as uow:  # what an import does: quantities (and thresholds) upserted, then a recount
        assert uow.subscriptions.upsert([Subscription("fabrikam", E3, 4, alert_below=1)]) == 1
        uow.subscriptions.recount(["fabrikam"])
        uow.commit()
    with connected.uow() as uow:
        assert uow.subscriptions.for_customer("fabrikam") == {
            E3: Subscription("fabrikam", E3, 4, 6, alert_below=1, mirrored=True)
        }


def test_a_mirrored_counter_may_pass_its_quantity_and_a_local_one_may_not(connected: Backend) -> None:
    with connected.uow() as uow:
        uow.mirror.set_seats("fabrikam", [Subscription("fabrikam", E3, 1, 1)])  # Zoe's
        uow.users.upsert([User("fabrikam", "yan@fabrikam.com", "Yan", "FR")])
        uow.users.change_licenses("fabrikam", grants=[("yan@fabrikam.com", E3)], removals=[])
        uow.commit()
    with connected.uow() as uow:
        assert uow.subscriptions.for_customer("fabrikam")[E3].assigned == 2
    grants = [(uid(n), E5) for n in ("alice", "bob", "carol")]  # contoso is local: E5, 2 owned, none assigned
    with pytest.raises(connected.refused), connected.uow() as uow:
        uow.users.change_licenses("contoso", grants=grants, removals=[])
    with connected.uow() as uow:
        assert uow.subscriptions.for_customer("contoso")[E5] == Subscription("contoso", E5, 2, 0)


def test_users_are_mirrored_with_group_licenses_and_object_ids(connected: Backend) -> None:
    ann = User("fabrikam", "ann@fabrikam.com", "Ann", "NL", frozenset({E3}), frozenset({E3}))
    with connected.uow() as uow:
        n = uow.mirror.set_users("fabrikam", [ann], object_ids={"ann@fabrikam.com": "oid-ann"}, complete=True)
        assert n == 2  # Ann created, Zoe removed
        uow.commit()
    with connected.uow() as uow:
        assert uow.users.get_many("fabrikam", ["ann@fabrikam.com", "zoe@fabrikam.com"]) == {"ann@fabrikam.com": ann}
        assert list(uow.users.all_for_customer("fabrikam")) == [ann]
        assert uow.users.page("fabrikam", query="", offset=0, limit=5) == ([ann], 1)
        assert uow.mirror.object_ids("fabrikam", ["ann@fabrikam.com", "x"]) == {"ann@fabrikam.com": "oid-ann"}
        direct = User("fabrikam", "ann@fabrikam.com", "Ann", "NL", frozenset({E3}))
        assert uow.mirror.set_users("fabrikam", [direct], object_ids={}, complete=False) == 1
        uow.commit()
    with connected.uow() as uow:
        assert uow.users.get_many("fabrikam", ["ann@fabrikam.com"])["ann@fabrikam.com"].group_licenses == frozenset()


def test_one_holder_at_a_time_takes_a_lease(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.mirror.take_lease("sync", holder="a", now=T0, until=T0 + timedelta(minutes=1))
        assert not uow.mirror.take_lease("sync", holder="b", now=T0 + timedelta(seconds=30), until=T0)
        assert uow.mirror.take_lease("sync", holder="a", now=T0, until=T0 + timedelta(minutes=2))  # renewing
        assert uow.mirror.take_lease("sync", holder="b", now=T0 + timedelta(minutes=3), until=T0)
        uow.commit()


def batch(bid: str = "b1", key: str | None = "k1") -> PendingBatch:
    change = Change("fabrikam", ("zoe@fabrikam.com",), {E3: Desired.REVOKE}, "FR")
    decided = (UserOutcome("zoe@fabrikam.com", Status.UPDATED, "Zoe Zhang", revoked=(E3,)),)
    ops = (Operation("zoe@fabrikam.com", "oid-zoe", remove=(E3,), location="FR"),)
    return PendingBatch(
        bid, "fabrikam", "fabrikam.onmicrosoft.com", "UADMIN", T0, key, "fp", change, decided, ops, {"channel": "C1"}
    )


def test_a_connected_batch_is_held_by_one_process_until_its_lease_ends(connected: Backend) -> None:
    with connected.uow() as uow:
        uow.remote.add(batch(), holder="p1", lease_until=T0 + timedelta(minutes=10))
        uow.commit()
    with connected.uow() as uow:
        assert uow.remote.get_by_key("k1") == batch()
        assert uow.remote.get_by_key("k2") is None
        assert uow.remote.expired(T0 + timedelta(minutes=5)) == []
        assert uow.remote.claim("b1", holder="p2", now=T0, lease_until=T0) is None
        assert uow.remote.expired(T0 + timedelta(minutes=11)) == ["b1"]
        assert uow.remote.claim("b1", holder="p2", now=T0 + timedelta(minutes=11), lease_until=T0 + timedelta(hours=1))
        assert not uow.remote.finish("b1", holder="p1")  # p1 came back too late: p2 records it
        assert uow.remote.finish("b1", holder="p2")
        uow.commit()
    with connected.uow() as uow:
        assert uow.remote.get_by_key("k1") is None


def test_a_key_is_taken_by_one_connected_batch(connected: Backend) -> None:
    with pytest.raises(connected.refused), connected.uow() as uow:
        uow.remote.add(batch("b1"), holder="p1", lease_until=T0)
        uow.remote.add(batch("b2"), holder="p1", lease_until=T0)


def test_products_made_by_a_sync_need_no_rules(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.products.upsert([Product("SPB", "Microsoft 365 Business Premium")]) == 1
        uow.commit()


def test_disabled_plans_are_mirrored_per_license_and_a_change_of_them_is_a_change(connected: Backend) -> None:
    ann = User("fabrikam", "ann@fabrikam.com", "Ann", "NL", frozenset({E3}), disabled_plans={E3: frozenset({"TEAMS1"})})
    with connected.uow() as uow:
        uow.mirror.set_users("fabrikam", [ann], object_ids={}, complete=False)
        uow.commit()
    with connected.uow() as uow:
        assert uow.users.get_many("fabrikam", [ann.id])[ann.id].disabled_plans == {E3: frozenset({"TEAMS1"})}
        assert uow.mirror.set_users("fabrikam", [ann], object_ids={}, complete=False) == 0
        more = User("fabrikam", ann.id, "Ann", "NL", frozenset({E3}), disabled_plans={E3: frozenset({"TEAMS1", "X"})})
        assert uow.mirror.set_users("fabrikam", [more], object_ids={}, complete=False) == 1
        uow.commit()
    with connected.uow() as uow:
        [stored] = [u for u in uow.users.all_for_customer("fabrikam") if u.id == ann.id]
        assert stored.disabled_plans == {E3: frozenset({"TEAMS1", "X"})}


def test_a_sync_fenced_at_an_older_generation_leaves_users_a_save_wrote_since(connected: Backend) -> None:
    zoe = "zoe@fabrikam.com"
    with connected.uow() as uow:
        before = uow.mirror.get("fabrikam")
        assert before is not None and before.generation == 0
        stamp = uow.mirror.bump("fabrikam")
        saved = User("fabrikam", zoe, "Zoe Zhang", "FR", frozenset({E3}))
        uow.mirror.set_users("fabrikam", [saved], object_ids={}, complete=False, stamp=stamp)
        uow.commit()
    with connected.uow() as uow:
        assert stamp == 1 and uow.mirror.get("fabrikam") == Tenant("fabrikam", "fabrikam.onmicrosoft.com", generation=1)
        old = User("fabrikam", zoe, "Zoe Zhang", "DE", frozenset())  # what a snapshot begun at generation 0 saw
        ann = User("fabrikam", "ann@fabrikam.com", "Ann", "NL", frozenset())
        assert uow.mirror.set_users("fabrikam", [old, ann], object_ids={}, complete=True, fence=0) == 1  # Ann
        uow.commit()
    with connected.uow() as uow:
        assert uow.users.get_many("fabrikam", [zoe])[zoe] == saved
        # A sync that began after the save writes it as it is, and without Zoe, removes her.
        assert uow.mirror.set_users("fabrikam", [ann], object_ids={}, complete=True, fence=1) == 1
        assert uow.mirror.remove_users("fabrikam", ["ann@fabrikam.com", "nobody"]) == 1
        uow.commit()
    with connected.uow() as uow:
        assert list(uow.users.all_for_customer("fabrikam")) == []


def test_only_the_holder_renews_a_batch_lease(connected: Backend) -> None:
    with connected.uow() as uow:
        uow.remote.add(batch(), holder="p1", lease_until=T0 + timedelta(minutes=1))
        assert not uow.remote.renew("b1", holder="p2", until=T0 + timedelta(hours=1))
        assert uow.remote.renew("b1", holder="p1", until=T0 + timedelta(minutes=20))
        assert not uow.remote.renew("b2", holder="p1", until=T0 + timedelta(minutes=20))
        uow.commit()
    with connected.uow() as uow:
        assert uow.remote.expired(T0 + timedelta(minutes=19)) == []
        assert uow.remote.expired(T0 + timedelta(minutes=21)) == ["b1"]
