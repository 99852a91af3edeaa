"""Plain values the Graph client returns; no Graph JSON leaks past this module's parse functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from licensing.results import ErrorCode
from licensing.tenants import OperationStatus
from providers.graph.catalog import Catalog
from providers.graph.errors import GraphError
from providers.graph.ids import SkuId


@dataclass(frozen=True)
class Sku:
    sku_id: SkuId
    part_number: str
    name: str
    owned: int  # prepaidUnits.enabled + warning: seats that can be assigned
    assigned: int  # consumedUnits
    capability_status: str
    service_plans: tuple[str, ...] = ()  # servicePlanIds
    plan_names: dict[str, str] = field(default_factory=dict, hash=False)  # servicePlanId -> servicePlanName

    @property
    def available(self) -> int:
        return self.owned - self.assigned


@dataclass(frozen=True)
class License:
    sku_id: SkuId
    direct: bool  # assigned to the user directly (the only kind licensebot may remove)
    groups: tuple[str, ...] = ()  # groups it is inherited from
    disabled_plans: tuple[str, ...] = ()

    @property
    def group_assigned(self) -> bool:
        return bool(self.groups)


@dataclass(frozen=True)
class GraphUser:
    id: str
    upn: str
    display_name: str
    usage_location: str | None
    licenses: tuple[License, ...]

    @property
    def sku_ids(self) -> frozenset[SkuId]:
        return frozenset(lic.sku_id for lic in self.licenses)


@dataclass(frozen=True)
class Change:
    """One user's change: set the usage location (optional), then add and remove SKUs in one assignLicense."""

    user_id: str
    add: tuple[SkuId, ...] = ()
    remove: tuple[SkuId, ...] = ()
    usage_location: str | None = None
    # Of `add`, the SKUs sent with service plans off: skuId -> servicePlanIds (Graph replaces the user's list).
    disabled: dict[SkuId, tuple[str, ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Outcome:
    """What Graph said of one user's change. Never the user's new state: assignLicense answers with the default
    property set only (no assignedLicenses, no usageLocation), so the state is read, not taken from the answer."""

    user_id: str
    status: OperationStatus  # UNKNOWN: no answer (connection lost), read the user back before deciding anything
    code: ErrorCode | None = None  # when FAILED
    message: str | None = None  # Graph's text, for the operator
    sku: SkuId | None = None  # the product a refusal is about, when Graph's text or the change tells
    location_set: bool = False  # the usage location PATCH went through


def parse_user(data: dict[str, Any]) -> GraphUser:
    """A user read with USER_FIELDS selected. A property Graph did not send is not "empty": refuse to guess."""
    missing = [p for p in ("assignedLicenses", "usageLocation") if p not in data]
    if missing:
        raise GraphError(f"Graph's answer for user {data.get('id')} carries no {', '.join(missing)}")
    states = data.get("licenseAssignmentStates")
    licenses = []
    for assigned in data.get("assignedLicenses") or []:
        sku_id = SkuId(str(assigned["skuId"]).lower())
        mine = [s for s in states or [] if str(s.get("skuId", "")).lower() == sku_id]
        groups = tuple(str(s["assignedByGroup"]) for s in mine if s.get("assignedByGroup"))
        # Without states (Graph omits them unless selected) treat the license as direct.
        direct = not mine or any(not s.get("assignedByGroup") for s in mine)
        licenses.append(License(sku_id, direct, groups, tuple(assigned.get("disabledPlans") or ())))
    return GraphUser(
        id=str(data["id"]),
        upn=str(data.get("userPrincipalName") or ""),
        display_name=str(data.get("displayName") or ""),
        usage_location=data.get("usageLocation"),
        licenses=tuple(licenses),
    )


def parse_sku(data: dict[str, Any], catalog: Catalog) -> Sku:
    """A subscribedSkus entry, named as Microsoft's product table names it."""
    units = data.get("prepaidUnits") or {}
    plans = data.get("servicePlans") or []
    part = str(data.get("skuPartNumber") or "")
    sku_id = SkuId(str(data["skuId"]).lower())
    return Sku(
        sku_id=sku_id,
        part_number=part,
        name=catalog.name(sku_id=sku_id, part_number=part),
        owned=int(units.get("enabled") or 0) + int(units.get("warning") or 0),
        assigned=int(data.get("consumedUnits") or 0),
        capability_status=str(data.get("capabilityStatus") or ""),
        service_plans=tuple(str(p["servicePlanId"]).lower() for p in plans),
        plan_names={str(p["servicePlanId"]).lower(): str(p.get("servicePlanName") or "") for p in plans},
    )
