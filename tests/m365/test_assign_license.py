from __future__ import annotations

import pytest

from fakes.m365.seed import ARCHIVING, E1, E3, EXCHANGE_P1, EXTRA_STORAGE, VISIO
from tests.m365.helpers import Graph

T = "contoso.onmicrosoft.com"


def error(reply: object) -> str:
    body = reply.json()  # type: ignore[attr-defined]
    assert reply.status_code == 400, body  # type: ignore[attr-defined]
    assert body["error"]["code"] == "Request_BadRequest"
    return str(body["error"]["message"])


def test_a_missing_key_is_refused(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    reply = graph.call("POST", f"/users/{user.id}/assignLicense", {"addLicenses": []})
    assert reply.status_code == 400
    assert "removeLicenses" in reply.json()["error"]["message"]


def test_no_seats_left(graph: Graph) -> None:
    graph.m365.tenant(T).skus[E3].enabled = 1
    graph.m365.tenant(T).skus[E3].warning = 1  # grace-period seats still count
    first = graph.m365.add_user(T, "a@contoso.onmicrosoft.com")
    second = graph.m365.add_user(T, "b@contoso.onmicrosoft.com")
    third = graph.m365.add_user(T, "c@contoso.onmicrosoft.com")
    assert graph.assign(first.id, add=[E3]).status_code == 200
    assert graph.assign(second.id, add=[E3]).status_code == 200
    assert (
        error(graph.assign(third.id, add=[E3])) == f"Subscription with SKU {E3} does not have any available licenses."
    )


@pytest.mark.parametrize("location", [None, "CU"])
def test_usage_location_missing_or_not_sold_there(graph: Graph, location: str | None) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", usage_location=location)
    message = error(graph.assign(user.id, add=[VISIO]))
    assert message == "License assignment cannot be done for user with invalid usage location."


def test_mutually_exclusive_plans_and_the_swap_that_avoids_them(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    message = error(graph.assign(user.id, add=[E3]))
    assert message.startswith("License assignment failed because service plans ")
    assert message.endswith(" are mutually exclusive.")
    assert graph.m365.licenses(T, user.id) == {E1}
    assert graph.assign(user.id, add=[E3], remove=[E1]).status_code == 200
    assert graph.m365.licenses(T, user.id) == {E3}


def test_dependencies_on_assign_and_on_removal(graph: Graph) -> None:
    bare = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    assert " depends on the service plan(s) " in error(graph.assign(bare.id, add=[ARCHIVING]))
    archived = graph.m365.add_user(T, "bob@contoso.onmicrosoft.com", licenses=(EXCHANGE_P1, ARCHIVING))
    assert " depends on the service plan(s) " in error(graph.assign(archived.id, remove=[EXCHANGE_P1]))
    assert graph.m365.licenses(T, archived.id) == {EXCHANGE_P1, ARCHIVING}


def test_a_license_only_a_group_gives_cannot_be_removed_directly(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", group_licenses={E3: "g-e3"})
    message = error(graph.assign(user.id, remove=[E3]))
    assert (
        message == "User license is inherited from a group membership and it cannot be removed directly from the user."
    )
    assert graph.m365.licenses(T, user.id) == {E3}


def test_removing_the_direct_half_of_a_group_and_direct_license_keeps_the_groups(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), group_licenses={E3: "g-e3"})
    assert graph.m365.consumed(T, E3) == 1  # direct and group together take one seat
    assert graph.assign(user.id, remove=[E3]).status_code == 200
    assert graph.m365.licenses(T, user.id) == {E3}
    assert graph.m365.consumed(T, E3) == 1
    states = graph.call("GET", f"/users/{user.id}?$select=licenseAssignmentStates").json()
    assert [s["assignedByGroup"] for s in states["licenseAssignmentStates"]] == ["g-e3"]
    assert "inherited from a group membership" in error(graph.assign(user.id, remove=[E3]))


def test_adding_directly_what_a_group_gives_takes_no_second_seat(graph: Graph) -> None:
    graph.m365.set_owned(T, E3, 1)
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", group_licenses={E3: "g-e3"})
    assert graph.assign(user.id, add=[E3]).status_code == 200
    assert graph.m365.consumed(T, E3) == 1
    states = graph.call("GET", f"/users/{user.id}?$select=licenseAssignmentStates").json()
    assert [s["assignedByGroup"] for s in states["licenseAssignmentStates"]] == [None, "g-e3"]


def test_unknown_user_sku_and_tenant_only_sku(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    missing = graph.assign("nobody@contoso.onmicrosoft.com", add=[E3])
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"
    assert "does not correspond to a valid company License" in error(
        graph.assign(user.id, add=["00000000-0000-0000-0000-000000000000"])
    )
    assert error(graph.assign(user.id, add=[EXTRA_STORAGE])) == f"License {EXTRA_STORAGE} cannot be assigned to a user."
