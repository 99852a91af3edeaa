"""GET /users/{id}/licenseDetails: each SKU a user holds, with each plan Disabled or Success for that user."""

from __future__ import annotations

from typing import Any

from fakes.m365.seed import E3, EXCHANGE_S_ENTERPRISE, OFFICESUBSCRIPTION, SHAREPOINTENTERPRISE, TEAMS1, VISIO
from tests.m365.helpers import Graph

T = "contoso.onmicrosoft.com"
SP = SHAREPOINTENTERPRISE.id


def details(graph: Graph, user: str) -> dict[str, dict[str, Any]]:
    reply = graph.call("GET", f"/users/{user}/licenseDetails")
    assert reply.status_code == 200, reply.text
    return {d["skuId"]: d for d in reply.json()["value"]}


def statuses(detail: dict[str, Any]) -> dict[str, str]:
    return {p["servicePlanId"]: p["provisioningStatus"] for p in detail["servicePlans"]}


def test_license_details_show_each_held_sku_and_which_plans_are_off(graph: Graph) -> None:
    user = graph.m365.add_user(
        T,
        "ann@contoso.onmicrosoft.com",
        licenses=(E3,),
        group_licenses={VISIO: "g-visio"},
        disabled_plans={E3: (SP,)},
    )
    reply = graph.call("GET", f"/users/{user.id}/licenseDetails")
    assert reply.json()["@odata.context"].endswith(f"/$metadata#users('{user.id}')/licenseDetails")
    found = details(graph, user.id)
    assert set(found) == {E3, VISIO}  # direct and group-given alike
    e3 = found[E3]
    assert set(e3) == {"id", "skuId", "skuPartNumber", "servicePlans"}
    assert e3["skuPartNumber"] == "ENTERPRISEPACK"
    assert statuses(e3) == {
        EXCHANGE_S_ENTERPRISE.id: "Success",
        SP: "Disabled",
        TEAMS1.id: "Success",
        OFFICESUBSCRIPTION.id: "Success",
    }
    assert {p["servicePlanName"] for p in e3["servicePlans"]} >= {"SHAREPOINTENTERPRISE", "TEAMS1"}
    assert all(p["appliesTo"] == "User" for p in e3["servicePlans"])
    assert set(statuses(found[VISIO]).values()) == {"Success"}
    assert e3["id"] != found[VISIO]["id"]


def test_license_details_follow_a_change_of_disabled_plans(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    body = {"addLicenses": [{"skuId": E3, "disabledPlans": [TEAMS1.id]}], "removeLicenses": []}
    assert graph.call("POST", f"/users/{user.id}/assignLicense", body).status_code == 200
    after = statuses(details(graph, user.id)[E3])
    assert after[SP] == "Success" and after[TEAMS1.id] == "Disabled"


def test_a_user_without_licenses_has_no_details(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    assert details(graph, user.upn) == {}


def test_an_unknown_user_is_not_found(graph: Graph) -> None:
    reply = graph.call("GET", "/users/nobody@contoso.onmicrosoft.com/licenseDetails")
    assert reply.status_code == 404
    error = reply.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert error["message"] == (
        "Resource 'nobody@contoso.onmicrosoft.com' does not exist or one of its queried reference-property "
        "objects are not present."
    )


def test_license_details_select_and_its_unknown_properties(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,))
    picked = graph.call("GET", f"/users/{user.id}/licenseDetails?$select=skuId,skuPartNumber").json()["value"]
    assert picked == [{"skuId": E3, "skuPartNumber": "ENTERPRISEPACK"}]
    refused = graph.call("GET", f"/users/{user.id}/licenseDetails?$select=skuId,assignedLicenses")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "Could not find a property named 'assignedLicenses' on type 'microsoft.graph.licenseDetails'."
    )


def test_license_details_inside_a_batch(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (SP,)})
    requests = [
        {"id": "ann", "method": "GET", "url": f"/users/{user.id}/licenseDetails"},
        {"id": "nobody", "method": "GET", "url": "/users/nobody@contoso.onmicrosoft.com/licenseDetails"},
    ]
    responses = {r["id"]: r for r in graph.call("POST", "/$batch", {"requests": requests}).json()["responses"]}
    assert responses["ann"]["status"] == 200
    assert statuses(responses["ann"]["body"]["value"][0])[SP] == "Disabled"
    assert responses["nobody"]["status"] == 404
    assert responses["nobody"]["body"]["error"]["code"] == "Request_ResourceNotFound"
