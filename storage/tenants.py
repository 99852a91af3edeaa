"""The connected customers' side of storage: which tenant each is, the mirror's seats and users, connected saves in
flight (licensing.ports.TenantMirror and RemoteBatches)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from licensing.model import Subscription, User
from licensing.tenants import PendingBatch, Tenant
from storage.bulk import chunks, insert_many, rowcount, upsert_rows
from storage.models import (
    JobLeaseRow,
    RemoteBatchRow,
    SubscriptionRow,
    TenantRow,
    UserLicenseRow,
    UserRow,
    table,
)
from storage.users import SqlUserRepository

_t = table(TenantRow)
# Built once (storage/repositories.py says why).
TENANT = select(_t.c.customer_id, _t.c.tenant_id, _t.c.synced_at, _t.c.seats_at, _t.c.generation).where(
    _t.c.customer_id == bindparam("id")
)


class SqlTenantMirror:
    _tenants = _t

    def __init__(self, session: Session, users: SqlUserRepository) -> None:
        self._session = session
        self._users = users
        self._dialect = session.get_bind().dialect.name

    def get(self, customer_id: str) -> Tenant | None:
        # Columns, not the ORM entity: every users page asks (and an entity could be a stale one from the session).
        row = self._session.connection().execute(TENANT, {"id": customer_id}).one_or_none()
        return Tenant(*row) if row else None

    def all(self) -> list[Tenant]:
        return [_tenant(r) for r in self._session.scalars(select(TenantRow).order_by(TenantRow.customer_id))]

    def upsert(self, tenants: Sequence[Tenant]) -> int:
        rows = {t.customer_id: {"customer_id": t.customer_id, "tenant_id": t.tenant_id} for t in tenants}
        new, changed = upsert_rows(
            self._session, self._tenants, rows.values(), keys=["customer_id"], columns=["tenant_id"]
        )
        return len(new) + len(changed)

    def mark_synced(self, customer_id: str, at: datetime, *, users: bool) -> None:
        values = {"seats_at": at, **({"synced_at": at} if users else {})}
        self._session.execute(update(TenantRow).where(TenantRow.customer_id == customer_id).values(**values))

    def set_seats(self, customer_id: str, subscriptions: Sequence[Subscription]) -> int:
        s, ul = table(SubscriptionRow), table(UserLicenseRow)
        stored = {
            sku: (quantity, assigned, mirrored, plans)
            for sku, quantity, assigned, mirrored, plans in self._session.execute(
                select(s.c.sku, s.c.quantity, s.c.assigned, s.c.mirrored, s.c.service_plans).where(
                    s.c.customer_id == customer_id
                )
            )
        }
        # Exactly as the tenant reports them: consumedUnits above what is owned is overuse, shown as it is (the CHECK
        # lets a mirrored counter exceed its quantity).
        wanted = {sub.sku: (sub.quantity, sub.assigned, True, _listed(sub.plans)) for sub in subscriptions}
        gone = sorted(stored.keys() - wanted.keys())
        for batch in chunks(gone):
            self._session.execute(delete(ul).where(ul.c.customer_id == customer_id, ul.c.sku.in_(batch)))
            self._session.execute(delete(s).where(s.c.customer_id == customer_id, s.c.sku.in_(batch)))
        new = [
            {"customer_id": customer_id, "sku": k, "quantity": q, "assigned": a, "alert_below": None, "mirrored": m}
            | {"service_plans": p}
            for k, (q, a, m, p) in sorted(wanted.items())
            if k not in stored
        ]
        insert_many(self._session, s, new)
        changed = [
            {"k": k, "q": w[0], "a": w[1], "p": w[3]} for k, w in sorted(wanted.items()) if stored.get(k, w) != w
        ]
        if changed:
            plans = bindparam("p", type_=s.c.service_plans.type)
            stmt = (
                update(s)
                .where(s.c.customer_id == customer_id, s.c.sku == bindparam("k"))
                .values(quantity=bindparam("q"), assigned=bindparam("a"), mirrored=True, service_plans=plans)
            )
            self._session.execute(stmt, changed)
        return len(gone) + len(new) + len(changed)

    def set_users(
        self,
        customer_id: str,
        users: Sequence[User],
        *,
        object_ids: dict[str, str],
        complete: bool,
        stamp: int | None = None,
        fence: int | None = None,
    ) -> int:
        u = table(UserRow)
        newer: set[str] = set()
        if fence is not None:
            stmt = select(u.c.id).where(u.c.customer_id == customer_id, u.c.generation > fence)
            newer = set(self._session.scalars(stmt))
            users = [x for x in users if x.id not in newer]
        touched = self._users.upsert(users)
        stmt = select(u.c.id, u.c.remote_id).where(u.c.customer_id == customer_id)
        stored = {uid: oid for uid, oid in self._session.execute(stmt)}
        moved = [
            {"k": uid, "r": oid}
            for uid, oid in object_ids.items()
            if uid in stored and uid not in newer and stored[uid] != oid
        ]
        if moved:
            renumber = update(u).where(u.c.customer_id == customer_id, u.c.id == bindparam("k"))
            self._session.execute(renumber.values(remote_id=bindparam("r")), moved)
        if stamp is not None:
            for batch in chunks([x.id for x in users]):
                self._session.execute(
                    update(u).where(u.c.customer_id == customer_id, u.c.id.in_(batch)).values(generation=stamp)
                )
        removed = (
            self.remove_users(customer_id, sorted(stored.keys() - newer - {x.id for x in users})) if complete else 0
        )
        return touched + removed

    def remove_users(self, customer_id: str, user_ids: Sequence[str]) -> int:
        u, ul = table(UserRow), table(UserLicenseRow)
        removed = 0
        for batch in chunks(dict.fromkeys(user_ids)):
            self._session.execute(delete(ul).where(ul.c.customer_id == customer_id, ul.c.user_id.in_(batch)))
            removed += rowcount(
                self._session.execute(delete(u).where(u.c.customer_id == customer_id, u.c.id.in_(batch)))
            )
        return removed

    def bump(self, customer_id: str) -> int:
        t = table(TenantRow)
        stmt = update(t).where(t.c.customer_id == customer_id).values(generation=t.c.generation + 1)
        self._session.execute(stmt)
        return int(self._session.scalar(select(t.c.generation).where(t.c.customer_id == customer_id)) or 0)

    def object_ids(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for batch in chunks(dict.fromkeys(user_ids)):
            stmt = select(UserRow.id, UserRow.remote_id).where(
                UserRow.customer_id == customer_id, UserRow.id.in_(batch), UserRow.remote_id.is_not(None)
            )
            found |= {uid: oid for uid, oid in self._session.execute(stmt) if oid}
        return found

    def take_lease(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        ins = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        self._session.execute(ins(JobLeaseRow).values(name=name, holder=holder, until=now).on_conflict_do_nothing())
        # One guarded UPDATE: its row count says who won, whoever else tries at the same moment.
        taken = update(JobLeaseRow).where(
            JobLeaseRow.name == name, (JobLeaseRow.until <= now) | (JobLeaseRow.holder == holder)
        )
        return rowcount(self._session.execute(taken.values(holder=holder, until=until))) == 1


class SqlRemoteBatches:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, batch: PendingBatch, *, holder: str, lease_until: datetime) -> None:
        self._session.add(
            RemoteBatchRow(
                id=batch.id,
                customer_id=batch.customer_id,
                tenant_id=batch.tenant_id,
                operator=batch.operator,
                created_at=batch.created_at,
                idempotency_key=batch.key,
                fingerprint=batch.fingerprint,
                intent=batch.to_dict(),
                holder=holder,
                lease_until=lease_until,
            )
        )
        self._session.flush()

    def get_by_key(self, key: str) -> PendingBatch | None:
        row = self._session.scalars(select(RemoteBatchRow).where(RemoteBatchRow.idempotency_key == key)).one_or_none()
        return _pending(row) if row else None

    def claim(self, batch_id: str, *, holder: str, now: datetime, lease_until: datetime) -> PendingBatch | None:
        r = RemoteBatchRow
        stmt = update(r).where(r.id == batch_id, r.lease_until < now).values(holder=holder, lease_until=lease_until)
        if rowcount(self._session.execute(stmt)) != 1:
            return None
        row = self._session.get(RemoteBatchRow, batch_id, populate_existing=True)
        return _pending(row) if row else None

    def expired(self, now: datetime) -> list[str]:
        r = RemoteBatchRow
        return list(self._session.scalars(select(r.id).where(r.lease_until < now).order_by(r.created_at, r.id)))

    def renew(self, batch_id: str, *, holder: str, until: datetime) -> bool:
        r = RemoteBatchRow
        stmt = update(r).where(r.id == batch_id, r.holder == holder).values(lease_until=until)
        return rowcount(self._session.execute(stmt)) == 1

    def finish(self, batch_id: str, *, holder: str) -> bool:
        r = RemoteBatchRow
        return rowcount(self._session.execute(delete(r).where(r.id == batch_id, r.holder == holder))) == 1


def _tenant(row: TenantRow) -> Tenant:
    return Tenant(row.customer_id, row.tenant_id, row.synced_at, row.seats_at, row.generation)


def _pending(row: RemoteBatchRow) -> PendingBatch:
    return PendingBatch.from_dict(
        row.intent,
        id=row.id,
        customer_id=row.customer_id,
        tenant_id=row.tenant_id,
        operator=row.operator,
        created_at=row.created_at,
        key=row.idempotency_key,
        fingerprint=row.fingerprint,
    )


def _listed(plans: tuple[str, ...] | None) -> list[str] | None:
    return list(plans) if plans is not None else None
