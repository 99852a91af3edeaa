"""The licensing domain: products, customers, their subscriptions and users, and the operators who act."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from licensing.types import Desired, Switch


class Role(StrEnum):
    """Partner roles, named as in Partner Center."""

    ADMIN_AGENT = "admin_agent"
    GLOBAL_ADMIN = "global_admin"
    HELPDESK_AGENT = "helpdesk_agent"
    SALES_AGENT = "sales_agent"
    USER_MANAGEMENT_ADMIN = "user_management_admin"

    @property
    def label(self) -> str:
        """The role in words, as people read it: "Helpdesk agent"."""
        return self.value.replace("_", " ").capitalize()


def any_of(roles: Iterable[Role]) -> str:
    """ "an admin agent, a global admin or a sales agent": whom to ask, in words."""
    said = [("an " if r.label[0] in "AEIOU" else "a ") + r.label.lower() for r in sorted(roles)]
    return ", ".join(said[:-1]) + f" or {said[-1]}" if len(said) > 1 else "".join(said)


# Every role may view and assign/revoke; a sales agent may not touch a user's usage location.
LOCATION_ROLES = frozenset({Role.ADMIN_AGENT, Role.GLOBAL_ADMIN, Role.HELPDESK_AGENT, Role.USER_MANAGEMENT_ADMIN})


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    requires_one_of: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()
    unavailable_in: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Customer:
    id: str
    name: str


@dataclass(frozen=True)
class Subscription:
    customer_id: str
    sku: str
    quantity: int
    assigned: int = 0
    alert_below: int | None = None
    # A connected tenant's seats, as its last read reported them: `assigned` is its consumedUnits, which Microsoft 365
    # lets exceed what is owned (overuse). A local customer's counter never exceeds its quantity.
    mirrored: bool = False
    # A connected tenant's service plans of the product (servicePlanName, from subscribedSkus), as its last read
    # listed them; None for a local customer, whose product has what Microsoft's table lists.
    plans: tuple[str, ...] | None = None

    @property
    def available(self) -> int:
        """Owned − assigned: below 0 when the subscription is overused (none can be assigned either way)."""
        return self.quantity - self.assigned

    @property
    def overused(self) -> int:
        """How many more are assigned than owned; 0 when it is not overused."""
        return max(0, self.assigned - self.quantity)


@dataclass(frozen=True)
class User:
    customer_id: str
    id: str
    name: str
    location: str | None = None
    licenses: frozenset[str] = frozenset()
    group_licenses: frozenset[str] = frozenset()  # of `licenses`, those a connected tenant's group gives
    # A connected tenant's service plans turned off, by product (only products with some turned off).
    disabled_plans: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.name.casefold(), self.id)


@dataclass(frozen=True)
class Operator:
    slack_user_id: str
    role: Role
    name: str | None = None
    customers: frozenset[str] | None = None  # None: every customer

    def may_manage(self, customer_id: str) -> bool:
        return self.customers is None or customer_id in self.customers

    @property
    def may_set_location(self) -> bool:
        return self.role in LOCATION_ROLES


@dataclass(frozen=True)
class Change:
    """One save for `user_ids` of one customer: for each product, what to do to every user; and optionally the usage
    location to give them all (an ISO 3166 alpha-2 code)."""

    customer_id: str
    user_ids: tuple[str, ...]
    desired: Mapping[str, Desired] = field(default_factory=dict)
    location: str | None = None
    # sku -> service plan name -> ON or OFF, for the holders of that product (licensing/services.py)
    services: Mapping[str, Mapping[str, Switch]] = field(default_factory=dict)

    @property
    def to_assign(self) -> frozenset[str]:
        return frozenset(s for s, d in self.desired.items() if d is Desired.ASSIGN)

    @property
    def to_revoke(self) -> frozenset[str]:
        return frozenset(s for s, d in self.desired.items() if d is Desired.REVOKE)

    def fingerprint(self) -> str:
        """A stable text of the change, to tell a replayed request from a different one under one key."""
        users = ",".join(sorted(set(self.user_ids)))
        wanted = ",".join(f"{s}={d.value}" for s, d in sorted(self.desired.items()) if d is not Desired.KEEP)
        where = f"|location={self.location}" if self.location else ""
        switched = ",".join(
            f"{sku}:{plan}={s.value}"
            for sku, chosen in sorted(self.services.items())
            for plan, s in sorted(chosen.items())
            if s is not Switch.KEEP
        )
        return f"{self.customer_id}|{users}|{wanted}{where}" + (f"|services={switched}" if switched else "")


class PurchaseStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    FULFILLED = "fulfilled"  # approved for a connected customer, and a sync has seen the quantity


@dataclass(frozen=True)
class Purchase:
    """A Buy more request as stored (licensing/purchases.py decides it)."""

    id: int
    customer_id: str
    sku: str
    quantity: int
    operator: str
    at: datetime
    note: str | None = None
    status: PurchaseStatus = PurchaseStatus.REQUESTED
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None  # why it was declined
    target: int | None = None  # approved: the quantity the subscription is to reach
    message_channel: str | None = None  # the posted request the decision was made on
    message_ts: str | None = None
    thread: int | None = None  # the outbox thread the request was posted in


class ScheduledStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed by a replica until its lease ends
    DONE = "done"
    FAILED = "failed"  # ran, and at least one user's change failed (or the whole change was refused)
    CANCELLED = "cancelled"


class ScheduledAction(StrEnum):
    START = "start"  # the save's change, deferred to its Starts on day
    END = "end"  # the products assigned, revoked after their Ends on day


@dataclass(frozen=True)
class ScheduledChange:
    """A change to run later through the licensing service (licensing/scheduled/), as stored; times in UTC."""

    id: int
    customer_id: str
    user_ids: tuple[str, ...]
    desired: Mapping[str, Desired]
    action: ScheduledAction
    run_at: datetime
    operator: str
    created_at: datetime
    location: str | None = None
    key: str | None = None  # the save's idempotency key, plus the action: a resent save schedules nothing twice
    status: ScheduledStatus = ScheduledStatus.PENDING
    outcome: str | None = None
    thread: int | None = None  # the outbox thread of the save's confirmation: the run's outcome is told there
    lease_holder: str | None = None
    lease_until: datetime | None = None
    finished_at: datetime | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None

    @property
    def change(self) -> Change:
        return Change(self.customer_id, self.user_ids, dict(self.desired), self.location)
