"""What an import changes in what is already stored: users' licenses and usage locations, subscriptions' quantities.

A directory file says what each user and subscription it names *is*, so importing it again undoes whatever was done
in Slack since it was written (a license assigned, a Buy more approved). That must never happen silently: these
changes are found before the upsert, audited "by directory import" with the file's name, and told per customer.
New users and subscriptions are not changes to anything, so they are counted by the report, not listed here.
A directory file cannot say which service plans are turned off (directory.schema), so an import leaves them as they
are: `keep_services` gives the file's users the lists stored for the products they keep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from licensing.model import Subscription, User
from licensing.ports import UnitOfWork
from licensing.results import AuditEntry

# The audit's operator for what an import did: no Slack user did it, and history says "by directory import".
DIRECTORY_IMPORT = "directory import"
QUANTITY = "quantity"  # the audit action of a subscription's owned quantity set by an import


@dataclass(frozen=True)
class UserChange:
    user_id: str
    assigned: tuple[str, ...] = ()
    revoked: tuple[str, ...] = ()
    location: tuple[str | None, str | None] | None = None  # (before, after) when it moved


@dataclass(frozen=True)
class QuantityChange:
    sku: str
    before: int
    after: int


@dataclass(frozen=True)
class CustomerChanges:
    customer_id: str
    users: tuple[UserChange, ...] = ()
    quantities: tuple[QuantityChange, ...] = ()


def find_changes(
    snapshot_users: tuple[User, ...], subscriptions: tuple[Subscription, ...], uow: UnitOfWork
) -> tuple[list[CustomerChanges], tuple[User, ...]]:
    """Inside the import's transaction, before the upsert: how the file's users and subscriptions differ from stored;
    and the file's users to upsert, each keeping its services (`keep_services`)."""
    users_by_customer: defaultdict[str, list[User]] = defaultdict(list)
    for user in snapshot_users:
        users_by_customer[user.customer_id].append(user)
    subs_by_customer: defaultdict[str, list[Subscription]] = defaultdict(list)
    for sub in subscriptions:
        subs_by_customer[sub.customer_id].append(sub)
    found, kept = [], []
    for cid in sorted(users_by_customer.keys() | subs_by_customer.keys()):
        wanted = users_by_customer.get(cid, [])
        stored = uow.users.get_many(cid, [u.id for u in wanted]) if wanted else {}
        users = _user_changes(wanted, stored)
        kept += [keep_services(u, stored.get(u.id)) for u in wanted]
        quantities = _quantity_changes(cid, subs_by_customer.get(cid, []), uow)
        if users or quantities:
            found.append(CustomerChanges(cid, users, quantities))
    return found, tuple(kept)


def keep_services(user: User, stored: User | None) -> User:
    """The file's user with the service plans stored as turned off in each product the file keeps."""
    if stored is None or not stored.disabled_plans:
        return user
    kept = {sku: plans for sku, plans in stored.disabled_plans.items() if sku in user.licenses}
    return replace(user, disabled_plans=kept)


def _user_changes(wanted: list[User], stored: Mapping[str, User]) -> tuple[UserChange, ...]:
    changes = []
    for user in sorted(wanted, key=lambda u: u.id):
        before = stored.get(user.id)
        if before is None:
            continue
        moved = (before.location, user.location) if before.location != user.location else None
        change = UserChange(
            user.id,
            tuple(sorted(user.licenses - before.licenses)),
            tuple(sorted(before.licenses - user.licenses)),
            moved,
        )
        if change.assigned or change.revoked or change.location:
            changes.append(change)
    return tuple(changes)


def _quantity_changes(customer_id: str, wanted: list[Subscription], uow: UnitOfWork) -> tuple[QuantityChange, ...]:
    stored = uow.subscriptions.for_customer(customer_id) if wanted else {}
    return tuple(
        QuantityChange(s.sku, stored[s.sku].quantity, s.quantity)
        for s in sorted(wanted, key=lambda s: s.sku)
        if s.sku in stored and stored[s.sku].quantity != s.quantity
    )


def audit_entries(changes: list[CustomerChanges], *, source: str, at: datetime) -> list[AuditEntry]:
    """One applied line per license, location and quantity changed; the batch and the reason name the import."""
    batch = f"import-{at:%Y%m%dT%H%M%S%fZ}"
    why = f"by directory import from {source}"

    def line(cid: str, user_id: str, sku: str | None, action: str, reason: str = why) -> AuditEntry:
        return AuditEntry(batch, at, DIRECTORY_IMPORT, cid, user_id, sku, action, "applied", reason)

    entries: list[AuditEntry] = []
    for c in changes:
        for u in c.users:
            if u.location:
                entries.append(line(c.customer_id, u.user_id, None, f"set_location:{u.location[1] or ''}"))
            entries += [line(c.customer_id, u.user_id, sku, "assign") for sku in u.assigned]
            entries += [line(c.customer_id, u.user_id, sku, "revoke") for sku in u.revoked]
        entries += [
            line(c.customer_id, "", q.sku, QUANTITY, f"{q.before} → {q.after} owned, {why}") for q in c.quantities
        ]
    return entries
