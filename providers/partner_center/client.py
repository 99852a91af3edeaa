"""PartnerCenterClient: licensing.ports.PartnerCenter over Partner Center's REST API (v1), app-only.

Which product a subscription feeds is its provisioningstatus' skuId (Graph's), read once per subscription and
kept: it does not change for the life of the subscription.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from urllib.parse import quote

from licensing.partner import CommerceSubscription, PartnerCustomer
from licensing.tenants import ProviderError, is_guid
from providers.graph.auth import TokenSource
from providers.graph.catalog import Catalog, default_catalog
from providers.graph.config import GraphConfig
from providers.graph.http import make_session
from providers.graph.ids import SkuId
from providers.partner_center.config import DEFAULT_PARTNER_CENTER_URL, PARTNER_CENTER_SCOPE
from providers.partner_center.http import PartnerHttp, StaleEtag, Unanswered

ATTEMPTS = 5  # reads and writes of one change before giving up on a subscription others keep changing


class PartnerCenterClient:
    def __init__(
        self,
        config: GraphConfig,
        partner_tenant: str,
        *,
        url: str = DEFAULT_PARTNER_CENTER_URL,
        catalog: Catalog | None = None,
    ) -> None:
        self._session = make_session(config.ca_bundle)
        tokens = TokenSource(config, self._session, scope=PARTNER_CENTER_SCOPE)
        self._http = PartnerHttp(config, self._session, tokens, url=url, partner_tenant=partner_tenant)
        self._catalog = catalog or default_catalog()
        self._skus: dict[tuple[str, str], str] = {}  # (customer, subscription) -> skuPartNumber
        self._ids: dict[str, str] = {}  # a customer's verified domain -> its tenant id, as Partner Center lists it
        self._guard = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def customers(self) -> list[PartnerCustomer]:
        items = self._http.call("GET", "/v1/customers").get("items", [])
        profiles = [i.get("companyProfile") or {} for i in items]
        return [
            PartnerCustomer(str(p.get("companyName") or ""), str(p.get("domain") or ""), str(p.get("tenantId") or ""))
            for p in profiles
        ]

    def subscriptions(self, tenant: str) -> list[CommerceSubscription]:
        items = self._http.call("GET", f"{self._customer(tenant)}/subscriptions").get("items", [])
        return [self._value(tenant, item) for item in items]

    def subscription(self, tenant: str, subscription_id: str) -> CommerceSubscription:
        return self._value(tenant, self._http.call("GET", self._path(tenant, subscription_id)))

    def set_quantity(
        self, tenant: str, subscription_id: str, quantity: int, *, request_id: str
    ) -> CommerceSubscription:
        path = self._path(tenant, subscription_id)
        growing: bool | None = None
        why = "kept changing"
        for _ in range(ATTEMPTS):
            resource = self._http.call("GET", path)  # the whole resource, with the ETag of now
            current = int(resource.get("quantity", 0))
            growing = quantity > current if growing is None else growing
            # Already there (our own answer lost, or a rival's change): a purchase never brings it back down, nor
            # a reduction back up.
            if current == quantity or (current > quantity if growing else current < quantity):
                return self._value(tenant, resource)
            try:
                changed = self._http.call("PATCH", path, json={**resource, "quantity": quantity}, request_id=request_id)
            except StaleEtag:
                why = "kept changing"
                continue  # changed underneath: read again before sending anything
            except Unanswered:
                why = "got no answer"
                continue  # it may have been applied: read again before sending anything
            return self._value(tenant, changed)
        raise ProviderError(f"the change to subscription {subscription_id} {why} in Partner Center", unavailable=True)

    def _value(self, tenant: str, item: dict[str, Any]) -> CommerceSubscription:
        return CommerceSubscription(
            id=str(item["id"]),
            sku=self._sku(tenant, str(item["id"])),
            name=str(item.get("friendlyName") or item.get("offerName") or ""),
            quantity=int(item.get("quantity", 0)),
            status=str(item.get("status") or ""),
            term=str(item.get("termDuration") or ""),
            billing_cycle=str(item.get("billingCycle") or ""),
            commitment_end=_day(item.get("commitmentEndDate")),
            cancellable_until=_day(item.get("cancellationAllowedUntilDate")),
        )

    def _customer(self, tenant: str) -> str:
        """Partner Center addresses a customer by tenant id only; the directory file may name it by its domain."""
        if not is_guid(tenant):
            with self._guard:
                known = self._ids.get(tenant.lower())
            if known is None:
                found = {c.domain.lower(): c.tenant_id for c in self.customers()}
                with self._guard:
                    self._ids.update(found)
                known = found.get(tenant.lower())
            if known is None:
                raise ProviderError(f"{tenant} is not one of the partner's customers in Partner Center", sent=False)
            tenant = known
        return f"/v1/customers/{quote(tenant, safe='')}"

    def _path(self, tenant: str, subscription_id: str) -> str:
        return f"{self._customer(tenant)}/subscriptions/{quote(subscription_id, safe='')}"

    def _sku(self, tenant: str, subscription_id: str) -> str:
        key = (tenant.lower(), subscription_id)
        with self._guard:
            if key in self._skus:
                return self._skus[key]
        status = self._http.call("GET", f"{self._path(tenant, subscription_id)}/provisioningstatus")
        sku_id = SkuId(str(status.get("skuId") or "").lower())
        found = self._catalog.by_id.get(sku_id)
        part = found.part_number if found else ""
        if part:  # an unknown skuId may be one Microsoft's table lists later: ask again next time
            with self._guard:
                self._skus[key] = part
        return part


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
