"""JSON shapes of Graph's subscribedSku, user and licenseDetails resources, built from the fake's data."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from typing import Any

from fakes.m365.errors import bad_request
from fakes.m365.model import Sku, Tenant, User

# What Graph returns for a user read without $select (and in assignLicense's answer), in Graph's order.
# Everything else, licenses and usage location included, comes only when named in $select (Graph's user-get page).
DEFAULT_USER_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)

USER_PROPERTIES: dict[str, Callable[[User], Any]] = {
    "businessPhones": lambda u: list(u.business_phones),
    "displayName": lambda u: u.display_name,
    "givenName": lambda u: u.given_name,
    "jobTitle": lambda u: u.job_title,
    "mail": lambda u: u.mail,
    "mobilePhone": lambda u: u.mobile_phone,
    "officeLocation": lambda u: u.office_location,
    "preferredLanguage": lambda u: u.preferred_language,
    "surname": lambda u: u.surname,
    "userPrincipalName": lambda u: u.upn,
    "id": lambda u: u.id,
    "accountEnabled": lambda u: u.account_enabled,
    "usageLocation": lambda u: u.usage_location,
    "assignedLicenses": lambda u: [
        {"disabledPlans": list(held.disabled_plans), "skuId": sku_id} for sku_id, held in u.licenses.items()
    ],
    "licenseAssignmentStates": lambda u: _states(u),
}


LICENSE_DETAILS_PROPERTIES = ("id", "skuId", "skuPartNumber", "servicePlans")


def parse_select(query: dict[str, str], known: tuple[str, ...], type_name: str) -> tuple[str, ...] | None:
    """The properties named in $select, or None without one; a name the type does not have is refused, as Graph
    does, rather than answered with nothing (a client would read the missing property as empty)."""
    raw = query.get("$select")
    if not raw:
        return None
    fields = tuple(dict.fromkeys(f.strip() for f in raw.split(",") if f.strip()))
    for f in fields:
        if f not in known:
            raise bad_request(f"Could not find a property named '{f}' on type '{type_name}'.")
    return fields


def select_users(query: dict[str, str]) -> tuple[str, ...] | None:
    return parse_select(query, tuple(USER_PROPERTIES), "microsoft.graph.user")


def context(base: str, entity_set: str, select: tuple[str, ...] | None, *, entity: bool = False) -> str:
    """The @odata.context Graph puts first in an answer: it names the $select and whether one object came back."""
    selected = f"({','.join(select)})" if select else ""
    return f"{base}/$metadata#{entity_set}{selected}{'/$entity' if entity else ''}"


def user_json(user: User, select: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {f: USER_PROPERTIES[f](user) for f in select or DEFAULT_USER_FIELDS}


def sku_json(tenant: Tenant, sku: Sku) -> dict[str, Any]:
    return {
        "capabilityStatus": sku.capability_status,
        # Counted as it is, never capped: an admin's drift or a reduced subscription leaves it above enabled.
        "consumedUnits": tenant.consumed(sku.sku_id),
        "id": f"{tenant.id}_{sku.sku_id}",
        "skuId": sku.sku_id,
        "skuPartNumber": sku.part_number,
        "appliesTo": sku.applies_to,
        "prepaidUnits": {
            "enabled": sku.enabled,
            "suspended": sku.suspended,
            "warning": sku.warning,
            "lockedOut": sku.locked_out,
        },
        "servicePlans": [
            {
                "servicePlanId": p.id,
                "servicePlanName": p.name,
                "provisioningStatus": "Success",
                "appliesTo": sku.applies_to,
            }
            for p in sku.plans
        ],
    }


def license_details_json(tenant: Tenant, user: User, select: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """One entry per SKU the user holds, however assigned, with each plan Disabled or Success for this user."""
    details = []
    for sku_id, held in user.licenses.items():
        sku = tenant.skus.get(sku_id)
        if sku is None:  # drift left a license of a subscription the tenant no longer lists: no plans to show
            continue
        full = {
            # Graph's ids are the user's and the SKU's GUIDs, base64url-encoded together.
            "id": base64.urlsafe_b64encode(uuid.UUID(user.id).bytes_le + uuid.UUID(sku_id).bytes_le)
            .decode()
            .rstrip("="),
            "skuId": sku_id,
            "skuPartNumber": sku.part_number,
            "servicePlans": [
                {
                    "servicePlanId": p.id,
                    "servicePlanName": p.name,
                    "provisioningStatus": "Disabled" if p.id in held.disabled_plans else "Success",
                    "appliesTo": sku.applies_to,
                }
                for p in sku.plans
            ],
        }
        details.append({f: full[f] for f in select or LICENSE_DETAILS_PROPERTIES})
    return details


def _states(user: User) -> list[dict[str, Any]]:
    states = []
    for sku_id, held in user.licenses.items():
        sources: list[str | None] = ([None] if held.direct else []) + list(held.groups)
        for group in sources:
            states.append(
                {
                    "assignedByGroup": group,
                    "disabledPlans": list(held.disabled_plans),
                    "error": "None",
                    "skuId": sku_id,
                    "state": "Active",
                }
            )
    return states
