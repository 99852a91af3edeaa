"""The rules of services, pure: a user's new disabled list, who is changed, and Microsoft's table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from licensing.model import Change, User
from licensing.results import ErrorCode, ServiceChange, Status, UserOutcome
from licensing.services import (
    disabled_after,
    for_user,
    parse_switches,
    parse_table,
    plan_table,
    summarize,
)
from licensing.tenants import Operation, PendingBatch, RemoteUser
from licensing.types import HoldState, Switch

E3 = "ENTERPRISEPACK"
TEAMS = ServiceChange(E3, "TEAMS1", "Microsoft Teams", on=False)


def user(**kw: object) -> User:
    return User("contoso", "ann", "Ann", "US", **kw)  # type: ignore[arg-type]


def test_the_new_list_is_the_current_one_plus_off_minus_on() -> None:
    chosen = {"TEAMS1": Switch.OFF, "SWAY": Switch.ON, "FORMS_PLAN_E3": Switch.KEEP}
    assert disabled_after({"SWAY", "Deskless"}, chosen) == {"TEAMS1", "Deskless"}


def test_only_holders_and_those_given_the_product_change() -> None:
    switches = {E3: {"TEAMS1": Switch.OFF}}
    table = plan_table()
    holder = for_user(user(licenses=frozenset({E3})), switches, add=frozenset(), remove=frozenset(), table=table)
    given = for_user(user(), switches, add=frozenset({E3}), remove=frozenset(), table=table)
    neither = for_user(user(), switches, add=frozenset(), remove=frozenset(), table=table)
    assert holder.changes == given.changes == (TEAMS,)
    assert (neither.changes, neither.not_held) == ((), (E3,))


def test_a_product_a_group_gives_keeps_its_services_and_says_why() -> None:
    grouped = user(licenses=frozenset({E3}), group_licenses=frozenset({E3}))
    got = for_user(grouped, {E3: {"TEAMS1": Switch.OFF}}, add=frozenset(), remove=frozenset(), table=plan_table())
    assert got.changes == () and [p.code for p in got.problems] == [ErrorCode.GROUP_ASSIGNED]


def test_microsofts_table_names_plans_and_pages_are_needed_past_50() -> None:
    table = plan_table()
    assert table.title(E3, "teams1") == "Microsoft Teams" and table.canonical(E3, "deskless") == "Deskless"
    assert len(table.plans(E3)) == 37 and len(table.plans("SPE_E5")) > 50
    assert table.plans("NO_SUCH_SKU") == ()


def test_a_plan_listed_in_capitals_and_in_words_is_named_in_words() -> None:
    products = "sku_part_number,sku_id,display_name\nA,1,A\nB,2,B\n"
    plans = "sku_id,service_plan_name,service_plan_id,service_plan_display_name\n1,P,X,PLAN ONE\n2,P,X,Plan One\n"
    table = parse_table(products, plans)
    assert table.by_id["x"].title == "Plan One" and table.title("A", "P") == "PLAN ONE"


@pytest.mark.parametrize(
    ("enable", "disable", "error"),
    [((), ("E3",), "not SKU:PLAN"), (("E3:A",), ("e3:a",), "on and off at once"), ((), (":A",), "not SKU:PLAN")],
)
def test_malformed_switches_are_refused(enable: tuple[str, ...], disable: tuple[str, ...], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_switches(enable=enable, disable=disable)


def test_each_service_counts_the_holders_with_it_on() -> None:
    def holder(uid: str, *off: str) -> User:
        return User("contoso", uid, uid, "US", frozenset({E3}), disabled_plans={E3: frozenset(off)})

    holders = [holder("ann"), holder("bob", "TEAMS1", "SWAY"), holder("cy", "TEAMS1")]
    states = {
        s.plan: (s.state, s.on, s.holders)
        for s in summarize(E3, holders, plan_table(), ("TEAMS1", "SWAY", "EXCHANGE_S_ENTERPRISE"))
    }
    assert states == {
        "TEAMS1": (HoldState.SOME, 1, 3),
        "SWAY": (HoldState.SOME, 2, 3),
        "EXCHANGE_S_ENTERPRISE": (HoldState.ALL, 3, 3),
    }
    assert {s.state for s in summarize(E3, [holder("dee", "TEAMS1")], plan_table(), ("TEAMS1",))} == {HoldState.NONE}
    assert {(s.on, s.holders) for s in summarize(E3, [], plan_table(), ("TEAMS1",))} == {(0, 0)}


def test_services_are_part_of_a_changes_fingerprint() -> None:
    plain = Change("contoso", ("ann",))
    off = Change("contoso", ("ann",), services={E3: {"TEAMS1": Switch.OFF}})
    on = Change("contoso", ("ann",), services={E3: {"TEAMS1": Switch.ON}})
    assert len({plain.fingerprint(), off.fingerprint(), on.fingerprint()}) == 3


def test_a_pending_batch_keeps_its_services_for_a_reconcile() -> None:
    change = Change("contoso", ("ann",), services={E3: {"TEAMS1": Switch.OFF}})
    decided = (UserOutcome("ann", Status.UPDATED, "Ann", services=(TEAMS,)),)
    op = Operation("ann", "oid", (E3,), disabled={E3: ("SWAY", "TEAMS1")})
    batch = PendingBatch(
        "b", "contoso", "t", "U", datetime.now(UTC), None, change.fingerprint(), change, decided, (op,), {}
    )
    again = PendingBatch.from_dict(
        batch.to_dict(),
        id="b",
        customer_id="contoso",
        tenant_id="t",
        operator="U",
        created_at=batch.created_at,
        key=None,
        fingerprint=batch.fingerprint,
    )
    assert (again.change, again.decided, again.operations) == (change, decided, (op,))


def test_a_re_add_landed_only_when_the_tenant_shows_the_whole_new_list() -> None:
    op = Operation("ann", "oid", (E3,), disabled={E3: ("SWAY", "TEAMS1")})
    ann = RemoteUser("ann", "oid", "Ann", "US", frozenset({E3}), disabled_plans={E3: frozenset({"TEAMS1"})})
    assert not op.landed(ann)
    assert op.landed(op.after(ann)) and op.after(ann).disabled_plans == {E3: frozenset({"SWAY", "TEAMS1"})}


def test_a_connected_tenants_list_wins_over_microsofts_table_and_unknown_names_show_as_they_are() -> None:
    states = summarize(E3, [user(licenses=frozenset({E3}))], plan_table(), ("TEAMS1", "NEW_PLAN_2027"))
    assert [(s.plan, s.title, s.state) for s in states] == [
        ("TEAMS1", "Microsoft Teams", HoldState.ALL),
        ("NEW_PLAN_2027", "NEW_PLAN_2027", HoldState.ALL),
    ]
    assert len(summarize(E3, [], plan_table())) == 37  # a local customer: Microsoft's table
