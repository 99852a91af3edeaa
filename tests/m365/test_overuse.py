"""A tenant can hold more licenses than it owns, and subscribedSkus says so rather than capping (Graph's
subscribedSku page)."""

from __future__ import annotations

from typing import Any

from fakes.m365.seed import E1, E3
from tests.m365.helpers import Graph

T = "contoso.onmicrosoft.com"


def sku(graph: Graph, sku_id: str) -> dict[str, Any]:
    skus = graph.call("GET", "/subscribedSkus").json()["value"]
    found: dict[str, Any] = next(s for s in skus if s["skuId"] == sku_id)
    return found


def test_an_admins_drift_can_take_consumed_units_above_enabled(graph: Graph) -> None:
    graph.m365.set_owned(T, E3, 2)
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com") for n in range(3)]
    for u in users:
        graph.m365.set_licenses(T, u.id, licenses=(E3,))
    e3 = sku(graph, E3)
    assert e3["consumedUnits"] == 3
    assert e3["prepaidUnits"]["enabled"] == 2


def test_a_reduced_subscription_leaves_its_users_licensed_and_refuses_new_ones(graph: Graph) -> None:
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com", licenses=(E1,)) for n in range(3)]
    graph.m365.set_owned(T, E1, 1)
    assert (sku(graph, E1)["consumedUnits"], sku(graph, E1)["prepaidUnits"]["enabled"]) == (3, 1)
    assert all(graph.m365.licenses(T, u.id) == {E1} for u in users)
    newcomer = graph.m365.add_user(T, "new@contoso.onmicrosoft.com")
    refused = graph.assign(newcomer.id, add=[E1])
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == f"Subscription with SKU {E1} does not have any available licenses."
    assert graph.assign(users[0].id, remove=[E1]).status_code == 200
    assert sku(graph, E1)["consumedUnits"] == 2  # still above the one seat owned, and shown as it is
