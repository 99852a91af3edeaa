"""Bringing a connected customer's mirror up to date with its tenant.

The tenant is read outside any transaction (it can take a while: 10,000 users is eleven pages); what was read is
then written in one short transaction under the customer's lock, so a save never decides from half a sync.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from licensing import alerts
from licensing.errors import InvalidRequest, UnknownCustomer
from licensing.model import Product, Subscription
from licensing.ports import TenantProvider, UnitOfWork
from licensing.purchases import fulfil_synced
from licensing.tenants import ProviderError, RemoteSku, RemoteUser, Tenant
from licensing.types import Clock, utcnow


@dataclass(frozen=True)
class SyncReport:
    customer_id: str
    products: int = 0  # user products the tenant subscribes to
    users: int = 0
    changes: int = 0  # products, seats and users created, changed or removed in the mirror
    error: str | None = None  # why this tenant could not be synced

    def to_dict(self) -> dict[str, object]:
        return {
            "customer": self.customer_id,
            "products": self.products,
            "users": self.users,
            "changes": self.changes,
            "error": self.error,
        }


def connected(customer_id: str, *, uow: UnitOfWork) -> Tenant | None:
    """The customer's tenant, or None for a local customer."""
    with uow:
        return uow.mirror.get(customer_id)


def sync_all(
    *, provider: TenantProvider, uow: UnitOfWork, only: Iterable[str] = (), clock: Clock = utcnow
) -> list[SyncReport]:
    """Syncs every connected customer (or those named), one after the other; a failed tenant does not stop the rest."""
    with uow:
        tenants = {t.customer_id: t for t in uow.mirror.all()}
        wanted = list(dict.fromkeys(only))
        for cid in wanted:
            if cid not in tenants:
                if uow.customers.get(cid) is None:
                    raise UnknownCustomer(cid)
                raise InvalidRequest(f"{cid} is not connected to Microsoft 365 (it has no tenant_id).")
    reports = []
    for cid in wanted or sorted(tenants):
        try:
            reports.append(sync_tenant(cid, provider=provider, uow=uow, clock=clock))
        except ProviderError as e:
            reports.append(SyncReport(cid, error=e.message))
    return reports


def sync_tenant(customer_id: str, *, provider: TenantProvider, uow: UnitOfWork, clock: Clock = utcnow) -> SyncReport:
    """Reads the tenant's seats and every user, then mirrors them; users gone from the tenant leave the mirror.

    The snapshot is read with no lock held, so a save can write the mirror meanwhile: its writes are newer than the
    snapshot, and the generation read before it fences them off (those users, and the seats, are left as they are).
    """
    tenant = _tenant(customer_id, uow)
    snapshot = provider.snapshot(tenant.tenant_id)
    with uow:
        uow.customers.lock(customer_id)
        newer = written_since(customer_id, tenant.generation, uow)
        changes = 0 if newer else write_seats(customer_id, snapshot.skus, uow)
        # Products as the mirror has them once the seats are (or are not) written: a user's license of a product
        # the mirror lacks has no subscription row to belong to.
        changes += write_users(
            customer_id, () if newer else snapshot.skus, snapshot.users, uow, complete=True, fence=tenant.generation
        )
        fulfil_synced(customer_id, uow, clock())
        alerts.check(customer_id, uow, seats=() if newer else snapshot.skus, clock=clock)
        uow.mirror.mark_synced(customer_id, clock(), users=True)
        uow.commit()
    return SyncReport(customer_id, len(snapshot.skus), len(snapshot.users), changes)


def refresh_seats(customer_id: str, *, provider: TenantProvider, uow: UnitOfWork, clock: Clock = utcnow) -> int:
    """One read of the tenant's subscriptions, so Available is live (opening Manage licenses); returns changes.
    A save that wrote the seats meanwhile read them later: then they are left as they are."""
    tenant = _tenant(customer_id, uow)
    skus = provider.skus(tenant.tenant_id)
    with uow:
        uow.customers.lock(customer_id)
        newer = written_since(customer_id, tenant.generation, uow)
        changes = 0 if newer else write_seats(customer_id, skus, uow)
        if not newer:
            uow.mirror.bump(customer_id)  # a sync whose snapshot began before this read holds older seats
        fulfil_synced(customer_id, uow, clock())
        alerts.check(customer_id, uow, seats=() if newer else skus, clock=clock)
        uow.mirror.mark_synced(customer_id, clock(), users=False)
        uow.commit()
    return changes


def generation(customer_id: str, uow: UnitOfWork) -> int:
    """The mirror's generation: bumped by every write of a save (or a seats read) to a connected customer's mirror."""
    tenant = uow.mirror.get(customer_id)
    return tenant.generation if tenant else 0


def written_since(customer_id: str, read_at: int, uow: UnitOfWork) -> bool:
    """Whether the mirror was written after a read of the tenant that began at generation `read_at`: the mirror is
    then newer than that read, and the read's seats (and the users stamped since) are left as they are."""
    return generation(customer_id, uow) != read_at


def write_seats(customer_id: str, skus: Sequence[RemoteSku], uow: UnitOfWork) -> int:
    """Products the catalogue lacks are created, named from Microsoft's table; the file's products (and their
    rules) are left as they are."""
    known = uow.products.get_many(s.sku for s in skus)
    changes = uow.products.upsert([Product(s.sku, s.name) for s in skus if s.sku not in known])
    subs = [Subscription(customer_id, s.sku, s.owned, s.assigned, plans=s.plans) for s in skus]
    return changes + uow.mirror.set_seats(customer_id, subs)


def write_users(
    customer_id: str,
    skus: Sequence[RemoteSku],
    users: Sequence[RemoteUser],
    uow: UnitOfWork,
    *,
    complete: bool,
    stamp: int | None = None,
    fence: int | None = None,
) -> int:
    """The users into the mirror; `stamp` and `fence` as in TenantMirror.set_users."""
    subscribed = frozenset(s.sku for s in skus) if skus else frozenset(uow.subscriptions.for_customer(customer_id))
    mirrored = [u.as_user(customer_id, subscribed) for u in users]
    ids = {u.id: u.object_id for u in users}
    return uow.mirror.set_users(customer_id, mirrored, object_ids=ids, complete=complete, stamp=stamp, fence=fence)


def _tenant(customer_id: str, uow: UnitOfWork) -> Tenant:
    with uow:
        tenant = uow.mirror.get(customer_id)
        if tenant is None:
            if uow.customers.get(customer_id) is None:
                raise UnknownCustomer(customer_id)
            raise InvalidRequest(f"{customer_id} is not connected to Microsoft 365 (it has no tenant_id).")
    return tenant
