"""An in-memory TenantProvider that answers as told, for use-case tests that need no HTTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from licensing.tenants import (
    APPLIED,
    Operation,
    OperationResult,
    ProviderError,
    RemoteSku,
    RemoteUser,
    Tenant,
    TenantSnapshot,
)
from tests.fakes import FakeUnitOfWork

Answer = Callable[[Operation], OperationResult]


def applied(op: Operation) -> OperationResult:
    return OperationResult(op.user_id, APPLIED)


@dataclass
class ScriptedProvider:
    answer: Answer = applied
    users: dict[str, RemoteUser] = field(default_factory=dict)  # what a read-back finds, by object id
    applied: list[Operation] = field(default_factory=list)

    def snapshot(self, tenant: str) -> TenantSnapshot:
        return TenantSnapshot(self.skus(tenant), tuple(self.users.values()))

    def skus(self, tenant: str) -> tuple[RemoteSku, ...]:
        raise ProviderError("no seats in this script", unavailable=True)

    def apply(self, tenant: str, operations: Sequence[Operation]) -> list[OperationResult]:
        self.applied += operations
        return [self.answer(op) for op in operations]

    def read_users(self, tenant: str, object_ids: Sequence[str]) -> dict[str, RemoteUser | None]:
        return {oid: self.users.get(oid) for oid in object_ids}


def connect(uow: FakeUnitOfWork, customer_id: str = "contoso") -> FakeUnitOfWork:
    """Makes a customer of the in-memory world a connected one (its users' object ids are their ids)."""
    with uow:
        uow.tenants.upsert([Tenant(customer_id, f"{customer_id}.onmicrosoft.com")])
        uow.commit()
    return uow
