"""The fake directory's data: tenants, their subscriptions (SKUs) and users, plus the licensing rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServicePlan:
    id: str
    name: str


@dataclass
class Sku:
    sku_id: str
    part_number: str
    plans: tuple[ServicePlan, ...] = ()
    enabled: int = 0
    warning: int = 0
    suspended: int = 0
    locked_out: int = 0
    applies_to: str = "User"  # "Company" SKUs (e.g. extra storage) cannot go to a user
    capability_status: str = "Enabled"
    blocked_countries: frozenset[str] = frozenset()  # usage locations where the product is not sold

    @property
    def owned(self) -> int:
        # Seats in their grace period ("warning") can still be assigned; suspended ones cannot.
        return self.enabled + self.warning

    @property
    def plan_ids(self) -> set[str]:
        return {p.id for p in self.plans}


@dataclass
class Assignment:
    """How one user holds one SKU: directly, through groups, or both (one seat either way)."""

    direct: bool = False
    groups: list[str] = field(default_factory=list)
    disabled_plans: list[str] = field(default_factory=list)


@dataclass
class User:
    id: str
    upn: str
    display_name: str
    usage_location: str | None = None
    licenses: dict[str, Assignment] = field(default_factory=dict)
    # The rest of Graph's default properties: unset ones come back as null (and [] for the phones), as in Graph.
    mail: str | None = None
    given_name: str | None = None
    surname: str | None = None
    job_title: str | None = None
    mobile_phone: str | None = None
    office_location: str | None = None
    preferred_language: str | None = None
    business_phones: list[str] = field(default_factory=list)
    account_enabled: bool = True


@dataclass
class Rules:
    """Service plan rules. A dependency is met when the user has any one of the listed plans."""

    exclusive: set[frozenset[str]] = field(default_factory=set)
    depends: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Tenant:
    id: str
    domains: list[str]
    skus: dict[str, Sku] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    rules: Rules = field(default_factory=Rules)

    def find_user(self, key: str) -> User | None:
        """Looks a user up by object id or (case-insensitively) by userPrincipalName, as Graph does."""
        if key in self.users:
            return self.users[key]
        lowered = key.lower()
        return next((u for u in self.users.values() if u.upn.lower() == lowered), None)

    def consumed(self, sku_id: str) -> int:
        return sum(1 for u in self.users.values() if sku_id in u.licenses)

    def add_user(self, upn: str, *, display_name: str = "", usage_location: str | None = "US") -> User:
        user = User(
            id=str(uuid.uuid4()),
            upn=upn,
            display_name=display_name or upn.split("@")[0],
            usage_location=usage_location,
            mail=upn,  # a licensed user usually has a mailbox at their sign-in name
        )
        self.users[user.id] = user
        return user
