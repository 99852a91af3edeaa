"""The fake Partner Center is as strict as the documentation: its token, the whole resource with the current ETag,
the offer's range, an MS-RequestId, Partner Center's error body."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from fakes.m365 import FakeM365
from tests.m365.helpers import TENANT
from tests.partner_center.helpers import PARTNER, Shop

SCOPE = "https://api.partnercenter.microsoft.com/.default"


class Http:
    def __init__(self, m365: FakeM365, token: str) -> None:
        self.m365, self.token = m365, token

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        sent = {"Authorization": f"Bearer {self.token}", "MS-RequestId": "r-1", **headers}
        url = f"{self.m365.partner_center_url}{path}"
        # verify per request: REQUESTS_CA_BUNDLE in the environment would replace a session's
        return requests.request(method, url, json=body, headers=sent, verify=self.m365.ca_pem_path)


def token(m365: FakeM365, tenant: str, scope: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": m365.client_id, "client_secret": m365.client_secret}
    answer = requests.post(
        f"{m365.login_url}/{tenant}/oauth2/v2.0/token", data={**form, "scope": scope}, verify=m365.ca_pem_path
    )
    return str(answer.json()["access_token"])


def today() -> date:
    return datetime.now(UTC).date()  # Partner Center's day


@pytest.fixture
def pc(m365: FakeM365, shop: Shop) -> Http:
    return Http(m365, token(m365, PARTNER, SCOPE))


def path(shop: Shop) -> str:
    return f"/v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"


def test_a_graph_token_or_a_customer_tenants_token_is_refused(m365: FakeM365, shop: Shop) -> None:
    graph = Http(m365, token(m365, PARTNER, f"{m365.graph_url}/.default"))
    assert graph.call("GET", "/v1/customers").status_code == 401
    customer = Http(m365, token(m365, TENANT, SCOPE))
    assert customer.call("GET", "/v1/customers").status_code == 403
    assert Http(m365, "").call("GET", "/v1/customers").status_code == 401


def test_a_partner_center_token_is_refused_by_graph(m365: FakeM365, pc: Http) -> None:
    answer = requests.get(
        f"{m365.graph_url}/v1.0/subscribedSkus",
        headers={"Authorization": f"Bearer {pc.token}"},
        verify=m365.ca_pem_path,
    )
    assert answer.status_code == 401


def test_a_patch_needs_the_current_etag(pc: Http, shop: Shop, m365: FakeM365) -> None:
    resource = pc.call("GET", path(shop)).json()
    m365.partner.touch(shop.tenant_id, shop.visio.id)
    refused = pc.call("PATCH", path(shop), {**resource, "quantity": 26})
    assert refused.status_code == 412 and refused.json()["code"] == 2055
    assert set(refused.json()) == {"code", "description", "data", "source"}
    without = {k: v for k, v in resource.items() if k != "attributes"}
    assert pc.call("PATCH", path(shop), {**without, "quantity": 26}).status_code == 412
    assert m365.partner.patches == []


def test_a_patch_needs_the_whole_resource_and_a_request_id(pc: Http, shop: Shop, m365: FakeM365) -> None:
    resource = pc.call("GET", path(shop)).json()
    assert pc.call("PATCH", path(shop), {"quantity": 26}).status_code == 400
    assert pc.call("PATCH", path(shop), {**resource, "quantity": 26}, **{"MS-RequestId": ""}).status_code == 400
    assert m365.partner.patches == []


def test_an_out_of_range_quantity_is_refused_with_the_documented_code(pc: Http, shop: Shop, m365: FakeM365) -> None:
    resource = pc.call("GET", path(shop)).json()
    for quantity in (0, 301):
        refused = pc.call("PATCH", path(shop), {**resource, "quantity": quantity})
        assert (refused.status_code, refused.json()["code"]) == (400, 2002)
    assert m365.partner.quantity(shop.tenant_id, shop.visio.id) == 25


def test_an_accepted_change_reaches_the_tenant_after_partner_centers_delay(
    pc: Http, shop: Shop, m365: FakeM365
) -> None:
    m365.partner.delayed = True
    resource = pc.call("GET", path(shop)).json()
    changed = pc.call("PATCH", path(shop), {**resource, "quantity": 27}).json()
    assert changed["quantity"] == 27 and changed["attributes"]["etag"] != resource["attributes"]["etag"]
    assert m365.tenant(TENANT).skus[shop.visio.sku_id].enabled == 25  # not yet
    m365.partner.release()
    assert m365.tenant(TENANT).skus[shop.visio.sku_id].enabled == 27


def test_provisioning_status_names_the_graph_sku(pc: Http, shop: Shop) -> None:
    status = pc.call("GET", f"{path(shop)}/provisioningstatus").json()
    assert status["skuId"] == shop.visio.sku_id and status["quantity"] == 25


def test_a_reduction_is_accepted_only_inside_the_cancellation_window(pc: Http, shop: Shop, m365: FakeM365) -> None:
    assigned = m365.tenant(TENANT).consumed(shop.visio.sku_id)
    assert assigned < 24  # the seed leaves Visio licenses unused
    for until in (None, today() - timedelta(days=1)):  # bought long ago, or its 7 days have passed
        shop.visio.cancellable_until = until
        resource = pc.call("GET", path(shop)).json()
        refused = pc.call("PATCH", path(shop), {**resource, "quantity": 24})
        assert refused.status_code == 400 and "cancellation window" in refused.json()["description"]
    shop.visio.cancellable_until = today()
    resource = pc.call("GET", path(shop)).json()
    assert resource["cancellationAllowedUntilDate"] == f"{today().isoformat()}T00:00:00Z"
    assert pc.call("PATCH", path(shop), {**resource, "quantity": 24}).json()["quantity"] == 24
    assert m365.tenant(TENANT).skus[shop.visio.sku_id].enabled == 24
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 24)]


def test_a_reduction_below_the_assigned_licenses_is_refused(pc: Http, shop: Shop, m365: FakeM365) -> None:
    shop.visio.cancellable_until = today() + timedelta(days=3)
    for n in range(3):
        m365.add_user(TENANT, f"visio{n}@{TENANT}", licenses=(shop.visio.sku_id,))
    assigned = m365.tenant(TENANT).consumed(shop.visio.sku_id)
    assert assigned >= 3
    resource = pc.call("GET", path(shop)).json()
    refused = pc.call("PATCH", path(shop), {**resource, "quantity": assigned - 1})
    assert refused.status_code == 400
    assert refused.json()["description"] == (
        f"The quantity cannot be reduced to {assigned - 1}: {assigned} licenses are assigned to users."
    )
    assert m365.partner.patches == [] and m365.partner.quantity(shop.tenant_id, shop.visio.id) == 25
