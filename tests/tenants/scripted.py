"""An in-memory TenantProvider that answers as told, for use-case tests that need no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from licensing.tenants import (
    Operation,
    OperationResult,
    OperationStatus,
    RemoteSku,
    RemoteUser,
    Tenant,
    TenantSnapshot,
)
from tests.memory import FakeUnitOfWork

Answer = Callable[[Operation], OperationResult]


def applied(op: Operation) -> OperationResult:
    return OperationResult(op.user_id, OperationStatus.APPLIED)


@dataclass
class ScriptedProvider:
    """A tenant holding `users` (by object id) and `seats`; a change lands when its answer says applied, or when its
    user is in `lands` (the answer was lost after the change ran)."""

    answer: Answer = applied
    users: dict[str, RemoteUser] = field(default_factory=dict)
    seats: tuple[RemoteSku, ...] = ()
    lands: frozenset[str] = frozenset()
    applied: list[Operation] = field(default_factory=list)
    reads: list[list[str]] = field(default_factory=list)  # the object ids of each read of users, in order

    @classmethod
    def mirroring(cls, uow: FakeUnitOfWork, answer: Answer = applied, *, lands: Iterable[str] = ()) -> ScriptedProvider:
        """A tenant that holds what the in-memory world's connected customer "contoso" holds now."""
        s = uow.state
        users = {
            uid: RemoteUser(uid, uid, u.name, u.location, u.licenses, u.group_licenses)
            for (cid, uid), u in s.users.items()
            if cid == "contoso"
        }
        seats = tuple(
            RemoteSku(sku, s.products[sku].name, sub.quantity, sub.assigned)
            for (cid, sku), sub in s.subscriptions.items()
            if cid == "contoso"
        )
        return cls(answer, users, seats, frozenset(lands))

    def snapshot(self, tenant: str) -> TenantSnapshot:
        return TenantSnapshot(self.skus(tenant), tuple(self.users.values()))

    def skus(self, tenant: str) -> tuple[RemoteSku, ...]:
        return self.seats

    def apply(
        self, tenant: str, operations: Sequence[Operation], progress: Callable[[], bool] | None = None
    ) -> list[OperationResult]:
        self.applied += operations
        results = [self.answer(op) for op in operations]
        for op, result in zip(operations, results, strict=True):
            if (result.status == OperationStatus.APPLIED or op.user_id in self.lands) and op.object_id in self.users:
                self.users[op.object_id] = op.after(self.users[op.object_id])
        return results

    def read_users(self, tenant: str, object_ids: Sequence[str]) -> dict[str, RemoteUser | None]:
        self.reads.append(list(object_ids))
        return {oid: self.users.get(oid) for oid in object_ids}


def connect(uow: FakeUnitOfWork, customer_id: str = "contoso") -> FakeUnitOfWork:
    """Makes a customer of the in-memory world a connected one (its users' object ids are their ids)."""
    with uow:
        uow.mirror.upsert([Tenant(customer_id, f"{customer_id}.onmicrosoft.com")])
        uow.commit()
    return uow
