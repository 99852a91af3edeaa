from __future__ import annotations

from fakes.m365 import generate_users
from tests.m365.helpers import Graph


def test_graph_wants_a_bearer_token(graph: Graph) -> None:
    graph.token = "made-up"
    reply = graph.call("GET", "/users")
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_subscribed_skus_have_graphs_shape(graph: Graph) -> None:
    graph.m365.add_user("contoso.onmicrosoft.com", "ann@contoso.onmicrosoft.com", licenses=(seed_e1(),))
    skus = {s["skuPartNumber"]: s for s in graph.call("GET", "/subscribedSkus").json()["value"]}
    e1 = skus["STANDARDPACK"]
    assert e1["consumedUnits"] == 1
    assert e1["prepaidUnits"] == {"enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0}
    assert e1["appliesTo"] == "User" and e1["capabilityStatus"] == "Enabled"
    assert {p["servicePlanName"] for p in e1["servicePlans"]} >= {"EXCHANGE_S_STANDARD", "TEAMS1"}
    assert skus["SHAREPOINTSTORAGE"]["appliesTo"] == "Company"


def test_users_come_in_pages_with_only_the_selected_fields(graph: Graph) -> None:
    generate_users(graph.m365.tenant("contoso.onmicrosoft.com"), 250)
    seen: list[dict[str, object]] = []
    url = "/users?$select=id,usageLocation&$top=100"
    pages = 0
    while url:
        page = graph.call("GET", url).json()
        seen += page["value"]
        url = page.get("@odata.nextLink", "")
        pages += 1
    assert pages == 3
    assert len({u["id"] for u in seen}) == 250
    assert set(seen[0]) == {"id", "usageLocation"}
    assert graph.call("GET", "/users?$top=1000").json()["error"]["message"].startswith("Invalid page size")


def test_a_user_is_found_by_id_or_upn_and_patched(graph: Graph) -> None:
    user = graph.m365.add_user("contoso.onmicrosoft.com", "Bob@contoso.onmicrosoft.com", usage_location=None)
    assert graph.call("GET", "/users/bob@contoso.onmicrosoft.com").json()["id"] == user.id
    assert graph.call("PATCH", f"/users/{user.id}", {"usageLocation": "DE"}).status_code == 204
    read_back = graph.call("GET", f"/users/{user.id}?$select=usageLocation").json()
    assert {k: v for k, v in read_back.items() if k != "@odata.context"} == {"usageLocation": "DE"}
    missing = graph.call("GET", "/users/nobody@contoso.onmicrosoft.com")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_each_tenant_sees_only_its_own_users(graph: Graph) -> None:
    m365 = graph.m365
    m365.add_user("contoso.onmicrosoft.com", "ann@contoso.onmicrosoft.com")
    m365.add_tenant("fabrikam.onmicrosoft.com")
    m365.add_user("fabrikam.onmicrosoft.com", "zed@fabrikam.onmicrosoft.com")
    other = Graph(m365, "fabrikam.onmicrosoft.com")
    names = [u["userPrincipalName"] for u in other.call("GET", "/users").json()["value"]]
    other.http.close()
    assert names == ["zed@fabrikam.onmicrosoft.com"]


def seed_e1() -> str:
    from fakes.m365.seed import E1

    return E1
