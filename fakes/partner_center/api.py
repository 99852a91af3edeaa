"""Partner Center's routes, answered as the documentation says (learn.microsoft.com/partner-center/developer:
get-a-list-of-customers, get-a-list-of-subscriptions-by-customer, get-subscription-provisioning-status,
change-the-quantity-of-a-subscription; error codes from partner-center-sdk's error-codes.md) and no more kindly:
a PATCH must carry the whole resource with its current ETag, and a quantity outside the offer's range is refused.
Errors have Partner Center's body {code, description, data, source}. The caller has checked the token."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from fakes.partner_center.model import Customer, PartnerCenter, Patch, Subscription

_SUB = re.compile(r"^/v1/customers/(?P<customer>[^/]+)/subscriptions/(?P<sub>[^/]+)(?P<rest>/provisioningstatus)?$")
_SUBS = re.compile(r"^/v1/customers/(?P<customer>[^/]+)/subscriptions$")
Reply = tuple[int, dict[str, Any]]
# A refused reduction: the sources say only that the API refuses it (new-commerce-cancellation-policy), with no code
# of its own among the documented ones, so the fake answers Partner Center's generic code and says why.
REDUCTION_REFUSED = 0


def error(status: int, code: int, description: str) -> Reply:
    return status, {"code": code, "description": description, "data": [], "source": "PartnerFD"}


def handle(pc: PartnerCenter, method: str, path: str, body: Any, request_id: str) -> Reply:
    with pc.lock:
        if path == "/v1/customers" and method == "GET":
            return 200, _items([_customer(c) for c in pc.customers.values()])
        if (found := _SUBS.match(path)) and method == "GET":
            customer = pc.customers.get(found["customer"].lower())
            if customer is None:
                return _no_customer(found["customer"])
            return 200, _items([s.resource() for s in customer.subscriptions.values()])
        found = _SUB.match(path)
        if found is None:
            return error(404, 0, f"The resource {path} was not found.")
        customer = pc.customers.get(found["customer"].lower())
        if customer is None:
            return _no_customer(found["customer"])
        sub = customer.subscriptions.get(found["sub"].upper())
        if sub is None:
            return error(404, 0, f"Subscription {found['sub']} was not found for this customer.")
        if found["rest"] and method == "GET":
            status = {"skuId": sub.sku_id, "status": "success", "quantity": sub.quantity}
            return 200, {**status, "endDate": f"{sub.commitment_end.isoformat()}T00:00:00Z"}
        if method == "GET" and not found["rest"]:
            return 200, sub.resource()
        if method == "PATCH" and not found["rest"]:
            return _patch(pc, customer, sub, body, request_id)
        return error(405, 0, f"{method} is not supported on {path}.")


def _patch(pc: PartnerCenter, customer: Customer, sub: Subscription, body: Any, request_id: str) -> Reply:
    if not isinstance(body, dict) or body.get("id", "").upper() != sub.id or body.get("offerId") != sub.offer_id:
        return error(400, 0, "The request body must be the subscription resource as read.")
    etag = (body.get("attributes") or {}).get("etag")
    if etag != sub.etag:
        return error(412, 2055, "The ETag is no longer valid. Get the subscription again and retry with its ETag.")
    if sub.status != "active":
        return error(400, 2001, "The subscription is suspended; its quantity cannot be changed.")
    quantity = body.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        return error(400, 0, "The quantity must be a whole number.")
    if not sub.min_quantity <= quantity <= sub.max_quantity:
        return error(
            400,
            2002,
            f"Quantity {quantity} is not within the allowed range of {sub.min_quantity} to {sub.max_quantity} "
            "for this offer.",
        )
    if quantity < sub.quantity and (refused := _reduction_refused(pc, customer, sub, quantity)) is not None:
        return refused
    before, sub.quantity, sub.etag = sub.quantity, quantity, uuid.uuid4().hex
    pc.patches.append(Patch(customer.tenant_id, sub.id, request_id, before, quantity))
    _provision(pc, customer.tenant_id, sub.sku_id, quantity - before)
    return 200, sub.resource()


def _reduction_refused(pc: PartnerCenter, customer: Customer, sub: Subscription, quantity: int) -> Reply | None:
    """New commerce: fewer licenses only until cancellationAllowedUntilDate, and never fewer than are assigned."""
    today = datetime.now(UTC).date()
    if sub.cancellable_until is None or today > sub.cancellable_until:
        return error(
            400,
            REDUCTION_REFUSED,
            "The quantity cannot be reduced: the cancellation window of this subscription has ended.",
        )
    assigned = pc.assigned(customer.tenant_id, sub.sku_id) if pc.assigned is not None else 0
    if quantity < assigned:
        return error(
            400,
            REDUCTION_REFUSED,
            f"The quantity cannot be reduced to {quantity}: {assigned} licenses are assigned to users.",
        )
    return None


def _provision(pc: PartnerCenter, tenant_id: str, sku_id: str, delta: int) -> None:
    if pc.provision is None or delta == 0:
        return
    if pc.delayed:
        pc.held.append((tenant_id, sku_id, delta))
        return
    pc.provision(tenant_id, sku_id, delta)


def _customer(c: Customer) -> dict[str, Any]:
    profile = {"tenantId": c.tenant_id, "companyName": c.name, "domain": c.domain}
    return {"id": c.tenant_id, "companyProfile": profile, "relationshipToPartner": "reseller"}


def _items(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}


def _no_customer(key: str) -> Reply:
    return error(404, 0, f"Customer {key} was not found among the partner's customers.")
