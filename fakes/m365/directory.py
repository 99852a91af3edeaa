"""All of the fake's state behind one lock: tenants, the registered app, and the access tokens it issued."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from fakes.m365.model import Rules, Sku, Tenant


@dataclass
class App:
    """The partner's multi-tenant (GDAP) app: one client id, consented in every customer tenant."""

    client_id: str
    secrets: set[str] = field(default_factory=set)
    certificates: list[bytes] = field(default_factory=list)  # PEM certificates whose keys may sign assertions


@dataclass(frozen=True)
class Token:
    tenant_id: str
    expires_at: float
    audience: str = "graph"  # which API accepts it: "graph", or "partner_center" (Partner Center's resource)


class Directory:
    def __init__(self, token_lifetime: int) -> None:
        self.lock = threading.RLock()
        self.tenants: dict[str, Tenant] = {}
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, Token] = {}
        self.token_lifetime = token_lifetime
        self.token_requests: Counter[str] = Counter()  # by tenant id
        self.clock: Callable[[], float] = time.monotonic  # when tokens expire; a test may move it on

    def add_tenant(
        self, domain: str, *, tenant_id: str | None = None, skus: list[Sku] | None = None, rules: Rules | None = None
    ) -> Tenant:
        with self.lock:
            tenant = Tenant(id=tenant_id or str(uuid.uuid4()), domains=[domain.lower()], rules=rules or Rules())
            for sku in skus or []:
                tenant.skus[sku.sku_id] = sku
            self.tenants[tenant.id] = tenant
            return tenant

    def find_tenant(self, name: str) -> Tenant | None:
        """A tenant by GUID or by any verified domain, as login.microsoftonline.com accepts either."""
        with self.lock:
            lowered = name.lower()
            if lowered in self.tenants:
                return self.tenants[lowered]
            return next((t for t in self.tenants.values() if lowered in t.domains), None)

    def issue_token(self, tenant_id: str, audience: str = "graph") -> str:
        with self.lock:
            token = secrets.token_urlsafe(32)
            self.tokens[token] = Token(tenant_id, self.clock() + self.token_lifetime, audience)
            self.token_requests[tenant_id] += 1
            return token

    def token_tenant(self, token: str, audience: str = "graph") -> Tenant | None:
        """The tenant a live token for `audience` was issued for, or None (unknown, expired, or for another API)."""
        with self.lock:
            found = self.tokens.get(token)
            if found is None or found.expires_at < self.clock() or found.audience != audience:
                return None
            return self.tenants.get(found.tenant_id)
