"""Loading a whole directory (the documented YAML file, parsed in `directory.file`) and checking it at rest.

The room: here the use cases on a `Snapshot`; file (the YAML file read into one, every problem at once), schema
(each record's shape, pydantic's complaints as `path: message` lines), known (what a file's references resolve
against) and importer (`licensebot import`: a file read against the database, imported all or nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from licensing import alerts
from licensing.directory.changes import CustomerChanges, audit_entries, find_changes
from licensing.errors import DirectoryFileError
from licensing.invariants import violations
from licensing.model import Customer, Operator, Product, Subscription, User
from licensing.ports import UnitOfWork
from licensing.tenants import Tenant
from licensing.types import utcnow


@dataclass(frozen=True)
class Snapshot:
    """Everything one directory file says, already validated on its own."""

    products: tuple[Product, ...] = ()
    customers: tuple[Customer, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    users: tuple[User, ...] = ()
    operators: tuple[Operator, ...] = ()
    # Where each customer is in the file (`customers[2]`), to point the problems found after upserting at it.
    customer_paths: Mapping[str, str] = field(default_factory=dict, compare=False)
    tenants: tuple[Tenant, ...] = ()  # customers connected to Microsoft 365


@dataclass(frozen=True)
class ImportReport:
    """How many records each kind created or changed (all zero when the file was already loaded), and what it changed
    in the users and subscriptions already stored, per customer."""

    counts: dict[str, int] = field(default_factory=dict)
    changes: tuple[CustomerChanges, ...] = ()

    @property
    def changed(self) -> int:
        return sum(self.counts.values())


def import_directory(snapshot: Snapshot, *, uow: UnitOfWork, source: str = "a directory file") -> ImportReport:
    """Upserts the snapshot in one transaction; if the result breaks any rule, nothing is kept."""
    with uow:
        uow.customers.lock_all()
        report = upsert_checked(snapshot, uow, source=source)
        alerts.check_each(sorted({s.customer_id for s in snapshot.subscriptions}), uow)  # quantities may have moved
        uow.commit()
    return report


def upsert_checked(snapshot: Snapshot, uow: UnitOfWork, *, source: str) -> ImportReport:
    """Inside the caller's write transaction: audits what it changes in stored users and subscriptions (`source`
    names the file), upserts, then raises DirectoryFileError if any rule is broken."""
    changed, users = find_changes(snapshot.users, snapshot.subscriptions, uow)
    counts = {
        "products": uow.products.upsert(snapshot.products),
        "customers": uow.customers.upsert(snapshot.customers),
        "subscriptions": uow.subscriptions.upsert(snapshot.subscriptions),
        "users": uow.users.upsert(users),
        "operators": uow.operators.upsert(snapshot.operators),
        "tenants": uow.mirror.upsert(snapshot.tenants),
    }
    touched = sorted({c.id for c in snapshot.customers} | {u.customer_id for u in snapshot.users})
    uow.subscriptions.recount(touched)
    problems = _violations(touched, uow, snapshot.customer_paths)
    if problems:
        raise DirectoryFileError(problems)
    uow.audit.append(audit_entries(changed, source=source, at=utcnow()))
    return ImportReport(counts, tuple(changed))


def has_customers(*, uow: UnitOfWork) -> bool:
    with uow:
        return bool(uow.customers.all_ids())


def check_directory(*, uow: UnitOfWork) -> list[str]:
    """Every broken invariant in the database: seats, counters, exclusions, requirements, locations."""
    with uow:
        return _violations(uow.customers.all_ids(), uow)


def _violations(customer_ids: list[str], uow: UnitOfWork, paths: Mapping[str, str] | None = None) -> list[str]:
    catalogue = uow.products.all()
    # A connected customer's mirror is whatever its tenant holds (group licenses without a usage location, seats
    # overused after a subscription lapsed): the ledger's invariants are not its rules.
    connected = {t.customer_id for t in uow.mirror.all()}
    found: list[str] = []
    for cid in (
        c for c in customer_ids if c not in connected
    ):  # one customer at a time: a directory can be far larger than memory wants
        customer = uow.customers.get(cid)
        if customer is None:
            continue
        subs = uow.subscriptions.for_customer(cid)
        where = f"{paths[cid]}: " if paths and cid in paths else ""
        found += [where + v for v in violations(customer, subs, uow.users.all_for_customer(cid), catalogue)]
    return found
