"""Customers connected to a Microsoft 365 tenant: the values their provider trades in.

For a connected customer the tenant is the truth and the database is its mirror. The provider (providers/graph)
speaks in these values only, so the domain never sees Graph's JSON, skuIds or HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from licensing.model import Change, User
from licensing.results import ErrorCode, UserOutcome
from licensing.types import Desired, Switch


class OperationStatus(StrEnum):
    """What the tenant did with one user's change (the provider's answer, or a read-back's)."""

    APPLIED = "applied"
    FAILED = "failed"
    UNKNOWN = "unknown"  # no answer: the change may or may not have landed; read the user back before deciding


_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def is_guid(value: str) -> bool:
    return bool(_GUID.fullmatch(value))


def is_tenant_id(value: str) -> bool:
    """A directory (tenant) GUID or a verified domain such as contoso.onmicrosoft.com."""
    return bool(_GUID.fullmatch(value) or _DOMAIN.fullmatch(value))


@dataclass(frozen=True)
class Tenant:
    customer_id: str
    tenant_id: str  # GUID or verified domain, as the directory file gives it
    synced_at: datetime | None = None  # the last full sync (users and seats)
    seats_at: datetime | None = None  # the last read of the seats (a sync, or opening Manage licenses)
    generation: int = 0  # bumped by every connected save's write to the mirror (a sync's fence)


@dataclass(frozen=True)
class RemoteSku:
    sku: str  # skuPartNumber: how licensebot names products everywhere
    name: str
    owned: int  # prepaidUnits enabled + warning
    assigned: int  # consumedUnits
    plans: tuple[str, ...] = ()  # servicePlans[].servicePlanName: the services this tenant's product has


@dataclass(frozen=True)
class RemoteUser:
    id: str  # userPrincipalName: the user id licensebot shows and takes
    object_id: str  # Graph's id, what calls address
    name: str
    location: str | None
    licenses: frozenset[str]  # skuPartNumbers held, however assigned
    # Of `licenses`, those a group gives (whether or not also assigned directly): licensebot cannot take them away.
    group_licenses: frozenset[str] = frozenset()
    # skuPartNumber -> the service plans turned off in it (servicePlanName, or its id when the tenant lists no name)
    disabled_plans: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)

    def as_user(self, customer_id: str, subscribed: frozenset[str]) -> User:
        """The mirror's user; licenses of products the tenant no longer lists are left out (they hold no seat)."""
        held = self.licenses & subscribed
        disabled = {sku: plans for sku, plans in self.disabled_plans.items() if sku in held and plans}
        return User(
            customer_id, self.id, self.name or self.id, self.location, held, self.group_licenses & held, disabled
        )


@dataclass(frozen=True)
class TenantSnapshot:
    skus: tuple[RemoteSku, ...]
    users: tuple[RemoteUser, ...]


@dataclass(frozen=True)
class Operation:
    """One user's change as sent to the tenant: usage location first (if any), then adds and removes at once."""

    user_id: str
    object_id: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    location: str | None = None
    # skuPartNumber -> every service plan (by name) to have off in it, for each product of `add` sent with a list: a
    # product the user holds is sent again (re-added), and Graph replaces their list with exactly this one.
    disabled: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def moved(self, user: RemoteUser | None) -> bool:
        """Whether the tenant shows the usage location this change sets (it may have, with the licenses refused)."""
        return self.location is not None and user is not None and user.location == self.location

    def landed(self, user: RemoteUser | None) -> bool:
        """Whether the tenant shows this change done (what a read-back after a crash or a lost answer decides)."""
        if user is None:
            return False
        where = self.location is None or user.location == self.location
        services = all(user.disabled_plans.get(s, frozenset()) == set(p) for s, p in self.disabled.items())
        return where and services and set(self.add) <= user.licenses and not set(self.remove) & user.licenses

    def after(self, user: RemoteUser) -> RemoteUser:
        """The user as the tenant holds them once this change applied to `user`, read just before it was sent.
        Graph answers a change without the user's licenses, so this, not the answer, is what the mirror records."""
        licenses = (user.licenses - set(self.remove)) | set(self.add)
        disabled = {s: p for s, p in user.disabled_plans.items() if s in licenses and s not in self.add}
        disabled |= {s: frozenset(p) for s, p in self.disabled.items() if p}
        return replace(user, location=self.location or user.location, licenses=licenses, disabled_plans=disabled)

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "object_id": self.object_id,
            "add": list(self.add),
            "remove": list(self.remove),
            "location": self.location,
            "disabled": {s: list(p) for s, p in self.disabled.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Operation:
        disabled = {s: tuple(p) for s, p in (d.get("disabled") or {}).items()}  # none stored before services
        return cls(d["user"], d["object_id"], tuple(d["add"]), tuple(d["remove"]), d.get("location"), disabled)


@dataclass(frozen=True)
class OperationResult:
    user_id: str
    status: OperationStatus
    user: RemoteUser | None = None  # the user as read back from the tenant after the change (None: not read)
    code: ErrorCode | None = None  # when FAILED
    message: str | None = None  # the tenant's own words
    sku: str | None = None  # the skuPartNumber the refusal is about, when known
    location_set: bool = False  # the usage location was set, whatever became of the licenses


class ProviderError(Exception):
    """A whole call failed. `sent` False: nothing reached the tenant (sign-in refused, say), so nothing changed."""

    def __init__(self, message: str, *, unavailable: bool = False, sent: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable
        self.sent = sent


@dataclass(frozen=True)
class PendingBatch:
    """A connected save recorded before its first call to the tenant: what was decided and what is to be sent.

    Everything a process needs to finish it, or to reconcile it after its first process died, is in here.
    """

    id: str
    customer_id: str
    tenant_id: str
    operator: str
    created_at: datetime
    key: str | None
    fingerprint: str
    change: Change
    decided: tuple[UserOutcome, ...]  # every user's outcome as planned; UPDATED ones are the operations
    operations: tuple[Operation, ...]
    reply_to: dict[str, Any]  # opaque: where the confirmation goes (the bot's business), for a reconcile

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": {
                "user_ids": list(self.change.user_ids),
                "location": self.change.location,
                "desired": {s: d.value for s, d in self.change.desired.items()},
                "services": {s: {p: v.value for p, v in c.items()} for s, c in self.change.services.items()},
            },
            "decided": [o.to_dict() for o in self.decided],
            "operations": [o.to_dict() for o in self.operations],
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_dict(
        cls,
        d: dict[str, Any],
        *,
        id: str,
        customer_id: str,
        tenant_id: str,
        operator: str,
        created_at: datetime,
        key: str | None,
        fingerprint: str,
    ) -> PendingBatch:
        c = d["change"]
        services = {s: {p: Switch(v) for p, v in chosen.items()} for s, chosen in (c.get("services") or {}).items()}
        desired = {s: Desired(v) for s, v in c["desired"].items()}
        change = Change(customer_id, tuple(c["user_ids"]), desired, c.get("location"), services)
        return cls(
            id,
            customer_id,
            tenant_id,
            operator,
            created_at,
            key,
            fingerprint,
            change,
            tuple(UserOutcome.from_dict(o) for o in d["decided"]),
            tuple(Operation.from_dict(o) for o in d["operations"]),
            d.get("reply_to") or {},
        )
