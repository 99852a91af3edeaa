"""A connected customer (Contoso, on the fake Microsoft 365 over HTTPS) next to a local one, on a migrated database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fakes.m365 import FakeM365
from licensing.directory import import_directory
from licensing.directory_file import parse_directory
from licensing.ports import UnitOfWork
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.graph.conftest import config_for
from tests.m365.fixtures import m365_fixture, running_m365_fixture  # noqa: F401

TENANT = "contoso.onmicrosoft.com"
ADMIN = "UADMIN01"

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

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture
def tenant(m365: FakeM365) -> str:
    m365.add_tenant(TENANT)
    return TENANT


@pytest.fixture
def graph(m365: FakeM365) -> Iterator[GraphTenants]:
    with GraphClient(config_for(m365)) as client:
        yield GraphTenants(client)


@pytest.fixture
def uows(migrated_url: str) -> Iterator[UowFactory]:
    """The connected directory, imported; a fresh unit of work per call."""
    engine = make_engine(migrated_url)
    sessions = make_session_factory(engine)
    import_directory(parse_directory(DIRECTORY), uow=SqlUnitOfWork(sessions))
    yield lambda: SqlUnitOfWork(sessions)
    engine.dispose()
