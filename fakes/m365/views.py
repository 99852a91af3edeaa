"""JSON shapes of Graph's subscribedSku and user resources, built from the fake's data."""

from __future__ import annotations

from typing import Any

from fakes.m365.model import Sku, Tenant, User

DEFAULT_USER_FIELDS = ("id", "displayName", "userPrincipalName", "mail", "usageLocation")


def sku_json(tenant: Tenant, sku: Sku) -> dict[str, Any]:
    return {
        "capabilityStatus": sku.capability_status,
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


def user_json(user: User, select: tuple[str, ...] | None = None) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": user.id,
        "displayName": user.display_name,
        "userPrincipalName": user.upn,
        "mail": user.upn,
        "usageLocation": user.usage_location,
        "assignedLicenses": [
            {"skuId": sku_id, "disabledPlans": list(held.disabled_plans)} for sku_id, held in user.licenses.items()
        ],
        "licenseAssignmentStates": _states(user),
    }
    fields = select or DEFAULT_USER_FIELDS
    return {f: full.get(f) for f in fields}


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
