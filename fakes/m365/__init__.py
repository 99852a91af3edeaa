"""A fake Microsoft 365 (Entra ID login + Microsoft Graph) over HTTPS on loopback, for tests and benchmarks."""

from fakes.m365.generate import generate_users
from fakes.m365.model import Rules, ServicePlan, Sku, Tenant, User
from fakes.m365.server import DEFAULT_CLIENT_ID, DEFAULT_SECRET, FakeM365

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_SECRET",
    "FakeM365",
    "Rules",
    "ServicePlan",
    "Sku",
    "Tenant",
    "User",
    "generate_users",
]
