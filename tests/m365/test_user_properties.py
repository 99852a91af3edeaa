"""Graph's default property set and $select: a user read says only what Graph would say (Graph's user-get page)."""

from __future__ import annotations

from typing import Any

import pytest

from fakes.m365.seed import E3, VISIO
from tests.m365.helpers import Graph

T = "contoso.onmicrosoft.com"
DEFAULTS = {
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
}
ONLY_WHEN_SELECTED = {"usageLocation", "assignedLicenses", "licenseAssignmentStates", "accountEnabled"}


def get(graph: Graph, path: str) -> dict[str, Any]:
    reply = graph.call("GET", path)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def refused_property(reply: Any, name: str) -> None:
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["code"] == "Request_BadRequest"
    assert error["message"] == f"Could not find a property named '{name}' on type 'microsoft.graph.user'."


def test_a_user_read_without_select_carries_only_the_default_properties(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", usage_location="NL", licenses=(E3,))
    body = get(graph, f"/users/{user.id}")
    assert body.pop("@odata.context").endswith("/$metadata#users/$entity")
    assert set(body) == DEFAULTS
    assert body["id"] == user.id and body["userPrincipalName"] == "ann@contoso.onmicrosoft.com"
    # Unset properties come back as Graph gives them: null, and an empty list of phones.
    assert body["businessPhones"] == [] and body["jobTitle"] is None and body["surname"] is None


def test_a_user_list_without_select_carries_only_the_default_properties(graph: Graph) -> None:
    graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,))
    graph.m365.add_user(T, "bob@contoso.onmicrosoft.com", usage_location=None)
    page = get(graph, "/users")
    assert page["@odata.context"].endswith("/$metadata#users")
    assert [set(u) for u in page["value"]] == [DEFAULTS, DEFAULTS]


def test_licenses_location_and_account_state_come_only_when_selected(graph: Graph) -> None:
    user = graph.m365.add_user(
        T, "ann@contoso.onmicrosoft.com", usage_location="NL", licenses=(E3,), group_licenses={VISIO: "g-visio"}
    )
    select = "usageLocation,assignedLicenses,licenseAssignmentStates,accountEnabled"
    body = get(graph, f"/users/{user.id}?$select={select}")
    assert body.pop("@odata.context").endswith(f"/$metadata#users({select})/$entity")
    assert set(body) == ONLY_WHEN_SELECTED  # not even the id, unless it is selected too
    assert body["usageLocation"] == "NL" and body["accountEnabled"] is True
    assert {a["skuId"]: a["disabledPlans"] for a in body["assignedLicenses"]} == {E3: [], VISIO: []}
    by_group = {s["skuId"]: s["assignedByGroup"] for s in body["licenseAssignmentStates"]}
    assert by_group == {E3: None, VISIO: "g-visio"}


@pytest.mark.parametrize("name", sorted(DEFAULTS | ONLY_WHEN_SELECTED))
def test_every_modelled_property_can_be_selected_alone(graph: Graph, name: str) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    body = get(graph, f"/users/{user.id}?$select={name}")
    assert set(body) == {"@odata.context", name}
    assert set(get(graph, f"/users?$select={name}")["value"][0]) == {name}


@pytest.mark.parametrize("name", ["signInActivity", "licenses"])
def test_a_property_graph_does_not_have_or_the_fake_does_not_model_is_refused(graph: Graph, name: str) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    refused_property(graph.call("GET", f"/users/{user.id}?$select=id,{name}"), name)
    refused_property(graph.call("GET", f"/users?$select=id,{name}&$top=5"), name)


def test_select_is_honoured_inside_a_batch(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", usage_location="DE", licenses=(E3,))
    requests = [
        {"id": "plain", "method": "GET", "url": f"/users/{user.id}"},
        {"id": "selected", "method": "GET", "url": f"/users/{user.id}?$select=id,usageLocation,assignedLicenses"},
        {"id": "unknown", "method": "GET", "url": f"/users/{user.id}?$select=id,signInActivity"},
        {"id": "list", "method": "GET", "url": "/users?$select=usageLocation"},
    ]
    reply = graph.call("POST", "/$batch", {"requests": requests})
    bodies = {r["id"]: r["body"] for r in reply.json()["responses"]}
    statuses = {r["id"]: r["status"] for r in reply.json()["responses"]}
    assert statuses == {"plain": 200, "selected": 200, "unknown": 400, "list": 200}
    assert set(bodies["plain"]) == DEFAULTS | {"@odata.context"}
    bodies["selected"].pop("@odata.context")
    assert bodies["selected"] == {
        "id": user.id,
        "usageLocation": "DE",
        "assignedLicenses": [{"disabledPlans": [], "skuId": E3}],
    }
    assert bodies["unknown"]["error"]["message"] == (
        "Could not find a property named 'signInActivity' on type 'microsoft.graph.user'."
    )
    assert bodies["list"]["value"] == [{"usageLocation": "DE"}]


def test_assign_license_answers_with_the_default_properties_only(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", group_licenses={VISIO: "g-visio"})
    reply = graph.assign(user.id, add=[E3])
    assert reply.status_code == 200
    body = reply.json()
    assert body.pop("@odata.context").endswith("/$metadata#users/$entity")
    assert set(body) == DEFAULTS  # no assignedLicenses, usageLocation or licenseAssignmentStates to trust
    assert body["id"] == user.id
    assert graph.m365.licenses(T, user.id) == {E3, VISIO}  # the change itself went through
