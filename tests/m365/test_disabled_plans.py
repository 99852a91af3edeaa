"""disabledPlans are kept per user and SKU, and re-adding a SKU replaces them (Microsoft's page on disabling access
to services with PowerShell says so)."""

from __future__ import annotations

from typing import Any

import pytest

from fakes.m365.seed import (
    ARCHIVING,
    E1,
    E3,
    EXCHANGE_P1,
    EXCHANGE_S_STANDARD,
    SHAREPOINTENTERPRISE,
    SHAREPOINTSTANDARD,
    TEAMS1,
)
from tests.m365.helpers import Graph

T = "contoso.onmicrosoft.com"
SP = SHAREPOINTENTERPRISE.id


def readd(graph: Graph, user: str, sku_id: str, disabled: list[str]) -> Any:
    body = {"addLicenses": [{"skuId": sku_id, "disabledPlans": disabled}], "removeLicenses": []}
    return graph.call("POST", f"/users/{user}/assignLicense", body)


def assigned(graph: Graph, user: str) -> dict[str, set[str]]:
    body = graph.call("GET", f"/users/{user}?$select=assignedLicenses").json()
    return {a["skuId"]: set(a["disabledPlans"]) for a in body["assignedLicenses"]}


def test_re_adding_with_an_empty_list_enables_the_plans_again(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    assert assigned(graph, user.id) == {E3: {SP}}
    assert readd(graph, user.id, E3, []).status_code == 200
    assert graph.m365.disabled_plans(T, user.id, E3) == set()
    assert assigned(graph, user.id) == {E3: set()}


def test_re_adding_with_the_same_list_changes_nothing(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    assert readd(graph, user.id, E3, [SP]).status_code == 200
    assert graph.m365.disabled_plans(T, user.id, E3) == {SP}
    assert graph.m365.consumed(T, E3) == 1


def test_re_adding_with_another_list_replaces_it_rather_than_merging(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    assert readd(graph, user.id, E3, [TEAMS1.id]).status_code == 200
    assert graph.m365.disabled_plans(T, user.id, E3) == {TEAMS1.id}


def test_each_user_keeps_their_own_list(graph: Graph) -> None:
    ann = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    bob = graph.m365.add_user(T, "bob@contoso.onmicrosoft.com", licenses=(E3,))
    assert readd(graph, bob.id, E3, [TEAMS1.id]).status_code == 200
    assert graph.m365.disabled_plans(T, ann.id, E3) == {SP}
    assert graph.m365.disabled_plans(T, bob.id, E3) == {TEAMS1.id}


def test_re_adding_a_held_sku_needs_no_free_seat(graph: Graph) -> None:
    graph.m365.tenant(T).skus[E3].enabled = 1
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    assert readd(graph, user.id, E3, []).status_code == 200
    assert graph.m365.disabled_plans(T, user.id, E3) == set()


def test_a_plan_of_another_sku_is_refused_and_nothing_changes(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    reply = readd(graph, user.id, E3, [SHAREPOINTSTANDARD.id])  # E1's SharePoint, not E3's
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "Request_BadRequest"
    assert graph.m365.disabled_plans(T, user.id, E3) == {SP}


def test_disabling_a_plan_another_one_depends_on_is_refused(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(EXCHANGE_P1, ARCHIVING))
    reply = readd(graph, user.id, EXCHANGE_P1, [EXCHANGE_S_STANDARD.id])
    assert reply.status_code == 400
    assert " depends on the service plan(s) " in reply.json()["error"]["message"]
    assert graph.m365.disabled_plans(T, user.id, EXCHANGE_P1) == set()


def test_drift_sets_disabled_plans_outside_licensebot(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,))
    graph.m365.set_licenses(T, user.id, licenses=(E3,), disabled_plans={E3: (SP, TEAMS1.id)})
    assert assigned(graph, user.id) == {E3: {SP, TEAMS1.id}}
    states = graph.call("GET", f"/users/{user.id}?$select=licenseAssignmentStates").json()
    assert [set(s["disabledPlans"]) for s in states["licenseAssignmentStates"]] == [{SP, TEAMS1.id}]
    graph.m365.set_licenses(T, user.id, licenses=(E3,))
    assert graph.m365.disabled_plans(T, user.id, E3) == set()


def test_the_test_api_refuses_plans_a_user_could_not_have_disabled(graph: Graph) -> None:
    with pytest.raises(ValueError):
        graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E1,), disabled_plans={E3: (SP,)})
    with pytest.raises(ValueError):
        graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: ("not-a-plan",)})
    assert graph.m365.tenant(T).find_user("ann@contoso.onmicrosoft.com") is None
    bob = graph.m365.add_user(T, "bob@contoso.onmicrosoft.com", licenses=(E1,))
    with pytest.raises(ValueError):
        graph.m365.set_licenses(T, bob.id, licenses=(E3,), disabled_plans={E1: (SP,)})
    assert graph.m365.licenses(T, bob.id) == {E1}  # a refused drift leaves the user as they were
    with pytest.raises(KeyError):
        graph.m365.disabled_plans(T, bob.id, E3)
