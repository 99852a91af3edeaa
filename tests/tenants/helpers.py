"""What the tenant tests share (imported by test modules; fixtures stay in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from fakes.m365 import FakeM365
from licensing.ports import UnitOfWork
from tests.m365.helpers import TENANT

ADMIN = "UADMIN01"
UowFactory = Callable[[], UnitOfWork]

# One local customer and one connected to the fake tenant.
DIRECTORY = f"""
products:
  - {{sku: STANDARDPACK, name: Office 365 E1, excludes: [ENTERPRISEPACK]}}
  - {{sku: ENTERPRISEPACK, name: Office 365 E3}}
  - {{sku: VISIOCLIENT, name: Visio Plan 2, unavailable_in: [CU]}}
customers:
  - id: local
    name: Local Ltd
    subscriptions: [{{sku: STANDARDPACK, quantity: 2}}]
    users: [{{id: lou@local.example, name: Lou Local, location: US, licenses: [STANDARDPACK]}}]
  - {{id: contoso, name: Contoso, tenant_id: {TENANT}}}
operators:
  - {{slack_user_id: {ADMIN}, role: admin_agent}}
"""


def graph_env(m365: FakeM365, url: str) -> dict[str, str]:
    """The environment a `licensebot` child process needs to reach the fake tenant and the database."""
    return {
        "DATABASE_URL": url, "LICENSEBOT_GRAPH_CLIENT_ID": m365.client_id,
        "LICENSEBOT_GRAPH_CLIENT_SECRET": m365.client_secret, "LICENSEBOT_GRAPH_URL": m365.graph_url,
        "LICENSEBOT_LOGIN_URL": m365.login_url, "LICENSEBOT_CA_BUNDLE": m365.ca_pem_path,
    }  # fmt: skip
