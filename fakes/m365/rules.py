"""assignLicense as Graph applies it: validate the whole change, then apply it in one step (or not at all).

The texts are the ones Graph returns for a refused assignLicense, as seen in public scripts and Microsoft's
"resolve license problems" page (Entra docs). Checks run in a fixed order so a test gets one
predictable error even when a change breaks several rules.
"""

from __future__ import annotations

from typing import Any

from fakes.m365.errors import GraphError, bad_request
from fakes.m365.model import Assignment, Tenant, User

INVALID_LOCATION = "License assignment cannot be done for user with invalid usage location."
GROUP_INHERITED = "User license is inherited from a group membership and it cannot be removed directly from the user."


def assign_license(tenant: Tenant, user: User, body: Any) -> None:
    """Applies one assignLicense body to `user`; raises GraphError and changes nothing if any rule fails."""
    adds, removes = _parse(body)
    for sku_id in [a["skuId"] for a in adds] + removes:
        if sku_id not in tenant.skus:
            # Graph's text for a skuId the tenant does not own (inference: not in Microsoft's reference).
            raise bad_request(f"License {sku_id} does not correspond to a valid company License.")
    for sku_id in removes:
        held = user.licenses.get(sku_id)
        if held is None:
            raise bad_request("User does not have a corresponding license.")
        if not held.direct:
            raise bad_request(GROUP_INHERITED)
    for a in adds:
        sku = tenant.skus[a["skuId"]]
        if sku.applies_to != "User":
            raise bad_request(f"License {sku.sku_id} cannot be assigned to a user.")
        unknown = set(a["disabledPlans"]) - sku.plan_ids
        if unknown:
            raise bad_request(f"Service plans {', '.join(sorted(unknown))} do not belong to license {sku.sku_id}.")
    if adds and not user.usage_location:
        raise bad_request(INVALID_LOCATION)
    for a in adds:
        # Graph has no documented text for a product not sold in the user's country; the Partner Center
        # reports of this same text for users who do have a location suggest it is reused (inference).
        if user.usage_location in tenant.skus[a["skuId"]].blocked_countries:
            raise bad_request(INVALID_LOCATION)
    for a in adds:
        sku_id = a["skuId"]
        if sku_id not in user.licenses and tenant.consumed(sku_id) + 1 > tenant.skus[sku_id].owned:
            raise bad_request(f"Subscription with SKU {sku_id} does not have any available licenses.")
    after = _licenses_after(user, adds, removes)
    _check_plans(tenant, before=_enabled_plans(tenant, user.licenses), after=_enabled_plans(tenant, after))
    user.licenses = after


def _parse(body: Any) -> tuple[list[dict[str, Any]], list[str]]:
    missing = [k for k in ("addLicenses", "removeLicenses") if not isinstance(body, dict) or k not in body]
    if missing:
        raise GraphError(
            400,
            "BadRequest",
            "One or more parameters of the function import 'assignLicense' are missing from the request payload. "
            f"The missing parameters are: {', '.join(missing)}.",
        )
    adds = [
        {"skuId": str(a.get("skuId")), "disabledPlans": list(a.get("disabledPlans") or [])} for a in body["addLicenses"]
    ]
    return adds, [str(s) for s in body["removeLicenses"]]


def _licenses_after(user: User, adds: list[dict[str, Any]], removes: list[str]) -> dict[str, Assignment]:
    after = {k: Assignment(v.direct, list(v.groups), list(v.disabled_plans)) for k, v in user.licenses.items()}
    for sku_id in removes:
        held = after[sku_id]
        held.direct = False
        if not held.groups:
            del after[sku_id]
    for a in adds:
        held = after.setdefault(a["skuId"], Assignment())
        held.direct = True
        held.disabled_plans = a["disabledPlans"]
    return after


def _enabled_plans(tenant: Tenant, licenses: dict[str, Assignment]) -> set[str]:
    plans: set[str] = set()
    for sku_id, held in licenses.items():
        sku = tenant.skus.get(sku_id)
        if sku is not None:
            plans |= sku.plan_ids - set(held.disabled_plans)
    return plans


def _check_plans(tenant: Tenant, *, before: set[str], after: set[str]) -> None:
    # Only conflicts the change creates are refused: drift that already breaks a rule does not block others.
    for pair in sorted(tenant.rules.exclusive, key=sorted):
        if pair <= after and not pair <= before:
            a, b = sorted(pair)
            raise bad_request(f"License assignment failed because service plans {a}, {b} are mutually exclusive.")
    for plan, needs in sorted(tenant.rules.depends.items()):
        met_after = plan not in after or bool(after & set(needs))
        met_before = plan not in before or bool(before & set(needs))
        if not met_after and met_before:
            raise bad_request(
                f"License assignment failed because service plan {plan} depends on the service plan(s) "
                f"{', '.join(needs)}."
            )
