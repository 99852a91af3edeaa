"""The Partner Center client against the fake: sign-in, subscriptions with their products, and quantity changes
that are sent once, with one MS-RequestId, through throttling, ETag changes and lost answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fakes.m365 import FakeM365
from licensing.partner import OrderRefused
from licensing.tenants import ProviderError
from providers.partner_center import PartnerCenterClient
from tests.m365.helpers import TENANT, config_for
from tests.partner_center.helpers import PARTNER, Shop

SUB = r"/subscriptions/[^/]+$"


def test_subscriptions_name_the_product_they_feed_and_their_terms(partner: PartnerCenterClient, shop: Shop) -> None:
    subs = {s.id: s for s in partner.subscriptions(TENANT)}  # by verified domain: looked up among the customers
    assert subs[shop.visio.id].sku == "VISIOCLIENT"
    assert (subs[shop.visio.id].quantity, subs[shop.visio.id].billing_cycle) == (25, "monthly")
    e3 = subs[shop.e3.id]
    assert (e3.sku, e3.term, e3.billing_cycle, e3.commitment_end) == (
        "ENTERPRISEPACK",
        "P1Y",
        "annual",
        shop.e3.commitment_end,
    )


def test_the_product_of_a_subscription_is_asked_once(m365: FakeM365, partner: PartnerCenterClient, shop: Shop) -> None:
    partner.subscriptions(shop.tenant_id)
    partner.subscriptions(shop.tenant_id)
    partner.subscription(shop.tenant_id, shop.visio.id)
    asked = [k for k in m365.requests if k.endswith("/provisioningstatus")]
    assert sum(m365.requests[k] for k in asked) == 2  # one per subscription, not one per read


def test_a_quantity_change_is_one_patch_with_the_request_id(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    after = partner.set_quantity(shop.tenant_id, shop.visio.id, 28, request_id="req-1")
    assert after.quantity == 28 == m365.partner.quantity(shop.tenant_id, shop.visio.id)
    assert [(p.request_id, p.before, p.after) for p in m365.partner.patches] == [("req-1", 25, 28)]
    assert m365.tenant(TENANT).skus[shop.visio.sku_id].enabled == 28  # the tenant shows it


def test_a_quantity_already_there_is_not_sent(m365: FakeM365, partner: PartnerCenterClient, shop: Shop) -> None:
    assert partner.set_quantity(shop.tenant_id, shop.visio.id, 25, request_id="req-1").quantity == 25
    assert m365.partner.patches == []


def test_throttling_is_waited_out_and_the_same_request_id_sent_again(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    m365.fail_next(1, status=429, retry_after=0.2, method="PATCH", path=SUB)
    partner.set_quantity(shop.tenant_id, shop.visio.id, 27, request_id="req-2")
    assert [p.request_id for p in m365.partner.patches] == ["req-2"]
    assert m365.requests[f"PATCH /v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"] == 2


def test_an_etag_changed_underneath_is_read_again_then_sent(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    original = partner._http.call  # the subscription changes between licensebot's first read and its write
    touched: list[bool] = []

    def racing(method: str, path: str, **kw: object) -> object:
        if method == "PATCH" and not touched:
            touched.append(True)
            m365.partner.touch(shop.tenant_id, shop.visio.id)
        return original(method, path, **kw)  # type: ignore[arg-type]

    partner._http.call = racing  # type: ignore[method-assign]
    partner.set_quantity(shop.tenant_id, shop.visio.id, 26, request_id="req-3")
    assert [(p.request_id, p.after) for p in m365.partner.patches] == [("req-3", 26)]
    assert m365.requests[f"PATCH /v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"] == 2  # 412, then 200


def test_an_answer_lost_after_the_change_is_not_sent_again(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    m365.fail_after_running(1, status=504, method="PATCH", path=SUB, inner=False)
    assert partner.set_quantity(shop.tenant_id, shop.visio.id, 30, request_id="req-4").quantity == 30
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 30)]


def test_a_refusal_carries_partner_centers_description(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    with pytest.raises(OrderRefused) as refused:
        partner.set_quantity(shop.tenant_id, shop.visio.id, 503, request_id="req-5")
    assert refused.value.code == 2002
    assert refused.value.description.startswith("Quantity 503 is not within the allowed range of 1 to 300")
    assert m365.partner.patches == [] and m365.partner.quantity(shop.tenant_id, shop.visio.id) == 25


def test_a_wrong_secret_is_one_clear_line_without_the_secret(m365: FakeM365, shop: Shop) -> None:
    client = PartnerCenterClient(config_for(m365, client_secret="wrong-secret"), PARTNER, url=m365.partner_center_url)
    with pytest.raises(ProviderError) as failed:
        client.subscriptions(shop.tenant_id)
    assert failed.value.sent is False
    assert "Partner Center sign-in refused" in failed.value.message and "AADSTS7000215" in failed.value.message
    assert "\n" not in failed.value.message and "wrong-secret" not in failed.value.message
    client.close()


def test_a_customer_the_partner_does_not_have_is_said(partner: PartnerCenterClient, m365: FakeM365) -> None:
    m365.add_tenant("fabrikam.onmicrosoft.com")
    with pytest.raises(ProviderError, match="fabrikam.onmicrosoft.com is not one of the partner's customers"):
        partner.subscriptions("fabrikam.onmicrosoft.com")


def test_customers_are_listed_with_their_tenant(partner: PartnerCenterClient, shop: Shop) -> None:
    [contoso] = partner.customers()
    assert (contoso.name, contoso.domain, contoso.tenant_id) == ("Contoso Ltd", TENANT, shop.tenant_id)


def test_a_reduction_is_never_sent_back_up_when_a_rival_reduced_further(
    m365: FakeM365, partner: PartnerCenterClient, shop: Shop
) -> None:
    shop.visio.cancellable_until = datetime.now(UTC).date() + timedelta(days=5)
    original = partner._http.call  # between licensebot's read and its write, someone reduces it to 20

    def racing(method: str, path: str, **kw: object) -> object:
        if method == "PATCH" and not m365.partner.patches:
            m365.partner.touch(shop.tenant_id, shop.visio.id, quantity=20)
        return original(method, path, **kw)  # type: ignore[arg-type]

    partner._http.call = racing  # type: ignore[method-assign]
    assert partner.set_quantity(shop.tenant_id, shop.visio.id, 22, request_id="req-9").quantity == 20
    assert m365.partner.patches == [] and m365.partner.quantity(shop.tenant_id, shop.visio.id) == 20
    assert partner.subscription(shop.tenant_id, shop.visio.id).cancellable_until == shop.visio.cancellable_until
