"""The data half of FakeM365: tenants, users and licenses as a test sets them up, and the drift an admin makes
outside licensebot (through the admin center, so with no seat or plan-rule checks)."""

from __future__ import annotations

from collections.abc import Mapping

from fakes.m365 import seed
from fakes.m365.directory import Directory
from fakes.m365.model import Assignment, Rules, Sku, Tenant, User

# {skuId: (servicePlanId, ...)}: the plans of that SKU the user has turned off
DisabledPlans = Mapping[str, tuple[str, ...]]


class AdminMixin:
    directory: Directory

    def add_tenant(
        self, domain: str, *, skus: list[Sku] | None = None, rules: Rules | None = None, tenant_id: str | None = None
    ) -> Tenant:
        """A customer tenant; with no `skus`, the standard catalog (see seed.py) with 25 seats each."""
        chosen = seed.standard_skus() if skus is None else skus
        return self.directory.add_tenant(
            domain, tenant_id=tenant_id, skus=chosen, rules=seed.standard_rules() if rules is None else rules
        )

    def tenant(self, name: str) -> Tenant:
        found = self.directory.find_tenant(name)
        if found is None:
            raise KeyError(name)
        return found

    def add_user(
        self,
        tenant: str,
        upn: str,
        *,
        usage_location: str | None = "US",
        licenses: tuple[str, ...] = (),
        group_licenses: dict[str, str] | None = None,
        disabled_plans: DisabledPlans | None = None,
    ) -> User:
        """Adds a user holding `licenses` directly and `group_licenses` ({skuId: groupId}) through groups, with
        `disabled_plans` ({skuId: (planId, ...)}) turned off in the SKUs they hold."""
        with self.directory.lock:
            t = self.tenant(tenant)
            user = t.add_user(upn, usage_location=usage_location)
            try:
                _set(t, user, licenses, group_licenses or {}, disabled_plans or {})
            except ValueError:
                del t.users[user.id]
                raise
            return user

    def set_licenses(
        self,
        tenant: str,
        user: str,
        licenses: tuple[str, ...] = (),
        group_licenses: dict[str, str] | None = None,
        disabled_plans: DisabledPlans | None = None,
    ) -> None:
        """Drift: replaces a user's licenses (and disabled plans) as an admin would outside licensebot, with no seat
        or plan-rule checks, so a tenant can end up using more seats than it owns."""
        with self.directory.lock:
            t = self.tenant(tenant)
            found = self.user(tenant, user)
            before = found.licenses
            found.licenses = {}
            try:
                _set(t, found, licenses, group_licenses or {}, disabled_plans or {})
            except ValueError:
                found.licenses = before
                raise

    def remove_user(self, tenant: str, user: str) -> None:
        with self.directory.lock:
            t = self.tenant(tenant)
            found = t.find_user(user)
            if found is not None:
                del t.users[found.id]

    def add_sku(self, tenant: str, sku: Sku) -> None:
        with self.directory.lock:
            self.tenant(tenant).skus[sku.sku_id] = sku

    def remove_sku(self, tenant: str, sku_id: str) -> None:
        with self.directory.lock:
            self.tenant(tenant).skus.pop(sku_id, None)

    def set_owned(self, tenant: str, sku_id: str, enabled: int) -> None:
        """A subscription's active seats change (reduced, or expired into `warning`); nobody loses a license, so
        consumedUnits may now be above what the tenant owns, as in Graph."""
        with self.directory.lock:
            self.tenant(tenant).skus[sku_id].enabled = enabled

    def user(self, tenant: str, user: str) -> User:
        with self.directory.lock:
            found = self.tenant(tenant).find_user(user)
            if found is None:
                raise KeyError(user)
            return found

    def licenses(self, tenant: str, user: str) -> set[str]:
        """The skuIds a user holds right now, however assigned."""
        with self.directory.lock:
            return set(self.user(tenant, user).licenses)

    def disabled_plans(self, tenant: str, user: str, sku_id: str) -> set[str]:
        """The plans turned off in a SKU the user holds; KeyError if they do not hold it (that is not 'none off')."""
        with self.directory.lock:
            return set(self.user(tenant, user).licenses[sku_id].disabled_plans)

    def consumed(self, tenant: str, sku_id: str) -> int:
        with self.directory.lock:
            return self.tenant(tenant).consumed(sku_id)


def _set(
    tenant: Tenant,
    user: User,
    licenses: tuple[str, ...],
    group_licenses: dict[str, str],
    disabled_plans: DisabledPlans,
) -> None:
    for sku_id in licenses:
        user.licenses.setdefault(sku_id, Assignment()).direct = True
    for sku_id, group in group_licenses.items():
        user.licenses.setdefault(sku_id, Assignment()).groups.append(group)
    for sku_id, plans in disabled_plans.items():
        # The admin center offers only the plans of a SKU the user holds: a test asking otherwise is mistaken.
        if sku_id not in user.licenses:
            raise ValueError(f"{user.upn} does not hold {sku_id}, so none of its plans can be disabled")
        sku = tenant.skus.get(sku_id)
        stray = set(plans) - (sku.plan_ids if sku else set())
        if stray:
            raise ValueError(f"plans {sorted(stray)} are not in {sku_id}")
        user.licenses[sku_id].disabled_plans = list(plans)
