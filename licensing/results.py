"""What a change did (or would do), per user: the shape the CLI prints and the bot renders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable codes; scripts and the bot match on these, so never rename one."""

    INSUFFICIENT_LICENSES = "insufficient_licenses"
    USAGE_LOCATION_MISSING = "usage_location_missing"
    LOCATION_NOT_ALLOWED = "location_not_allowed"
    DEPENDENCY_MISSING = "dependency_missing"
    DEPENDENCY_IN_USE = "dependency_in_use"
    MUTUALLY_EXCLUSIVE = "mutually_exclusive"
    NOT_ENTITLED = "not_entitled"
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_SERVICE = "unknown_service"  # a service plan the product does not have (licensing/services.py)
    FORBIDDEN = "forbidden"
    # Connected (Microsoft 365) customers only:
    GROUP_ASSIGNED = "group_assigned"  # the license comes from a group; it cannot be revoked from the user
    # A service turned off that another one of the user's needs, or one turned on without what it needs: the message
    # names both services.
    SERVICE_DEPENDENCY = "service_dependency"
    PROVIDER_ERROR = "provider_error"  # Microsoft 365 refused for a reason licensebot has no code for
    PROVIDER_UNAVAILABLE = "provider_unavailable"  # Microsoft 365 kept throttling or did not answer


class Status(StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    sku: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "sku": self.sku, "message": self.message}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        return cls(code=ErrorCode(d["code"]), message=d["message"], sku=d.get("sku"))


@dataclass(frozen=True)
class ServiceChange:
    """One service of one product turned on or off for one user (licensing/services.py decides them)."""

    sku: str
    plan: str  # servicePlanName, e.g. TEAMS1
    title: str  # Microsoft's friendly name, e.g. Microsoft Teams
    on: bool

    @property
    def text(self) -> str:
        return f"{self.title} {'on' if self.on else 'off'}"

    def to_dict(self) -> dict[str, Any]:
        return {"sku": self.sku, "plan": self.plan, "name": self.title, "state": "on" if self.on else "off"}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ServiceChange:
        return cls(d["sku"], d["plan"], d["name"], d["state"] == "on")


@dataclass(frozen=True)
class UserOutcome:
    user_id: str
    status: Status
    name: str | None = None
    assigned: tuple[str, ...] = ()
    revoked: tuple[str, ...] = ()
    errors: tuple[Problem, ...] = ()
    location: str | None = None  # the usage location this save gave the user, when it moved them
    services: tuple[ServiceChange, ...] = ()
    # Products whose services the save chose but this user neither holds nor is given: their services are unchanged.
    not_held: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user_id,
            "name": self.name,
            "status": self.status.value,
            "assigned": list(self.assigned),
            "revoked": list(self.revoked),
            "location": self.location,
            "services": [c.to_dict() for c in self.services],
            "not_held": list(self.not_held),
            "errors": [e.to_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UserOutcome:
        return cls(
            user_id=d["user"],
            status=Status(d["status"]),
            name=d.get("name"),
            assigned=tuple(d["assigned"]),
            revoked=tuple(d["revoked"]),
            errors=tuple(Problem.from_dict(e) for e in d["errors"]),
            location=d.get("location"),  # batches stored before a save could move users have none
            services=tuple(ServiceChange.from_dict(c) for c in d.get("services", ())),  # nor before services
            not_held=tuple(d.get("not_held", ())),
        )


@dataclass(frozen=True)
class BatchResult:
    batch_id: str | None  # None for a dry run: nothing was recorded
    customer_id: str
    dry_run: bool
    results: tuple[UserOutcome, ...]
    operator: str = ""
    created_at: datetime | None = None
    replayed: bool = False  # True when an idempotency key returned an earlier result
    note: str | None = None  # something every reader should know, e.g. that a crashed save was reconciled

    @property
    def failed(self) -> tuple[UserOutcome, ...]:
        return tuple(r for r in self.results if r.status is Status.FAILED)

    @property
    def updated(self) -> tuple[UserOutcome, ...]:
        return tuple(r for r in self.results if r.status is Status.UPDATED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "customer": self.customer_id,
            "dry_run": self.dry_run,
            "operator": self.operator,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "results": [r.to_dict() for r in self.results],
            **({"note": self.note} if self.note else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, replayed: bool = False) -> BatchResult:
        created = d.get("created_at")
        return cls(
            batch_id=d["batch_id"],
            customer_id=d["customer"],
            dry_run=d["dry_run"],
            operator=d.get("operator", ""),
            created_at=datetime.fromisoformat(created) if created else None,
            results=tuple(UserOutcome.from_dict(r) for r in d["results"]),
            replayed=replayed,
            note=d.get("note"),
        )


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit: a user change that was applied or refused."""

    batch_id: str
    at: datetime
    operator: str
    customer_id: str
    user_id: str
    sku: str | None
    action: str  # assign | revoke | set_location | none (a refusal with nothing to do)
    outcome: str  # applied | failed
    reason: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """An audit line with its id: (at, id) orders the audit stably, so pages are cut at a cursor, not an offset."""

    id: int
    entry: AuditEntry

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.entry.at, self.id)


@dataclass(frozen=True)
class AuditQuery:
    """Which audit lines: `customers` None is every customer (an empty set is none); times are [since, until)."""

    customers: frozenset[str] | None = None
    user_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
