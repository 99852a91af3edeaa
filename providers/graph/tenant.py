"""GraphTenants: licensing.ports.TenantProvider over GraphClient.

licensebot names products by skuPartNumber (as the directory file does); Graph wants skuIds, which differ per
tenant only in which ones exist. The mapping is learnt from each tenant's subscribedSkus and kept per tenant.
Graph failures of a whole call become licensing.tenants.ProviderError; the client's per-user codes pass
through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import requests

from licensing.results import ErrorCode
from licensing.tenants import (
    Operation,
    OperationResult,
    OperationStatus,
    ProviderError,
    RemoteSku,
    RemoteUser,
    TenantSnapshot,
)
from providers.graph.client import GraphClient
from providers.graph.errors import AuthError, GraphError, UnavailableError
from providers.graph.ids import SkuId
from providers.graph.models import Change, GraphUser, Outcome

T = TypeVar("T")


class GraphTenants:
    def __init__(self, client: GraphClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._ids: dict[str, dict[str, SkuId]] = {}  # tenant -> skuPartNumber -> skuId
        self._plans: dict[str, dict[str, str]] = {}  # tenant -> servicePlanId -> servicePlanName

    def skus(self, tenant: str) -> tuple[RemoteSku, ...]:
        found = _guard(lambda: self.client.subscribed_skus(tenant))
        with self._lock:
            self._ids[tenant] = {s.part_number: s.sku_id for s in found}
            self._plans[tenant] = {pid: name for s in found for pid, name in s.plan_names.items() if name}
        return tuple(
            RemoteSku(s.part_number, s.name, s.owned, s.assigned, tuple(sorted(n for n in s.plan_names.values() if n)))
            for s in found
        )

    def snapshot(self, tenant: str) -> TenantSnapshot:
        skus = self.skus(tenant)
        users = _guard(lambda: [self._user(tenant, u) for u in self.client.users(tenant)])
        return TenantSnapshot(skus, tuple(users))

    def read_users(self, tenant: str, object_ids: Sequence[str]) -> dict[str, RemoteUser | None]:
        self._mapping(tenant, ())
        found = _guard(lambda: self.client.get_users(tenant, object_ids))
        return {oid: self._user(tenant, u) if u else None for oid, u in found.items()}

    def apply(
        self, tenant: str, operations: Sequence[Operation], progress: Callable[[], bool] | None = None
    ) -> list[OperationResult]:
        ids = self._mapping(tenant, {s for op in operations for s in (*op.add, *op.remove)})
        results: dict[int, OperationResult] = {}
        changes: list[tuple[int, Change]] = []
        for n, op in enumerate(operations):
            if missing := sorted(s for s in (*op.add, *op.remove) if s not in ids):
                message = f"The tenant has no subscription of {', '.join(missing)}."
                results[n] = OperationResult(
                    op.user_id, OperationStatus.FAILED, code=ErrorCode.NOT_ENTITLED, message=message, sku=missing[0]
                )
                continue
            add, remove = tuple(ids[s] for s in op.add), tuple(ids[s] for s in op.remove)
            disabled = self._plan_ids(tenant, op)
            if isinstance(disabled, OperationResult):
                results[n] = disabled
                continue
            changes.append(
                (n, Change(op.object_id, add, remove, op.location, {ids[s]: p for s, p in disabled.items()}))
            )
        outcomes = _guard(lambda: self.client.apply(tenant, [c for _, c in changes], progress)) if changes else []
        for (n, _), outcome in zip(changes, outcomes, strict=True):
            results[n] = self._result(tenant, operations[n], outcome)
        return [results[n] for n in range(len(operations))]

    def _plan_ids(self, tenant: str, op: Operation) -> dict[str, tuple[str, ...]] | OperationResult:
        """The operation's disabled plans by servicePlanId (the tenant's subscribedSkus name them), or the user's
        refusal naming a plan the tenant does not have."""
        with self._lock:
            by_name = {name: pid for pid, name in self._plans.get(tenant, {}).items()}
        disabled: dict[str, tuple[str, ...]] = {}
        for sku, plans in op.disabled.items():
            if missing := sorted(p for p in plans if p not in by_name):
                message = f"The tenant's {sku} has no service plan {', '.join(missing)}."
                return OperationResult(
                    op.user_id, OperationStatus.FAILED, code=ErrorCode.UNKNOWN_SERVICE, message=message, sku=sku
                )
            disabled[sku] = tuple(sorted(by_name[p] for p in plans))
        return disabled

    def _result(self, tenant: str, op: Operation, outcome: Outcome) -> OperationResult:
        sku = self._part(tenant, outcome.sku) if outcome.sku else None
        return OperationResult(
            op.user_id, outcome.status, None, outcome.code, outcome.message, sku, outcome.location_set
        )

    def _mapping(self, tenant: str, wanted: set[str] | tuple[()]) -> dict[str, SkuId]:
        """skuPartNumber -> skuId for the tenant, read again when a product asked for is not known yet."""
        with self._lock:
            ids = self._ids.get(tenant)
        if ids is None or not set(wanted) <= ids.keys():
            self.skus(tenant)
            with self._lock:
                ids = self._ids[tenant]
        return ids

    def _part(self, tenant: str, sku_id: SkuId) -> str:
        with self._lock:
            parts = {v: k for k, v in self._ids.get(tenant, {}).items()}
        if sku_id in parts:
            return parts[sku_id]
        known = self.client.catalog.by_id.get(SkuId(sku_id.lower()))  # a product the tenant's user list no longer shows
        return known.part_number if known else sku_id

    def _user(self, tenant: str, user: GraphUser) -> RemoteUser:
        licenses = {self._part(tenant, lic.sku_id): lic for lic in user.licenses}
        with self._lock:
            names = self._plans.get(tenant, {})
            disabled = {p: frozenset(names.get(i, i) for i in lic.disabled_plans) for p, lic in licenses.items()}
        return RemoteUser(
            id=user.upn or user.id,
            object_id=user.id,
            name=user.display_name,
            location=user.usage_location,
            licenses=frozenset(licenses),
            group_licenses=frozenset(p for p, lic in licenses.items() if lic.group_assigned),
            disabled_plans={p: plans for p, plans in disabled.items() if plans},
        )


def _guard(call: Callable[[], T]) -> T:
    """Graph's whole-call failures as the domain's ProviderError (the message never holds the secret)."""
    try:
        return call()
    except AuthError as e:
        raise ProviderError(f"Microsoft 365 refused licensebot's sign-in: {e}", sent=False) from None
    except UnavailableError as e:
        raise ProviderError(f"Microsoft 365 is unavailable: {e}", unavailable=True) from None
    except GraphError as e:
        raise ProviderError(f"Microsoft 365 refused the request: {e}") from None
    except requests.RequestException as e:
        raise ProviderError(f"Microsoft 365 could not be reached: {type(e).__name__}", unavailable=True) from None
