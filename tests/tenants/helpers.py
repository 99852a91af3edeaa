"""What the tenant tests share (imported by test modules; fixtures stay in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

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
