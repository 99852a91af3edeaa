"""A connected customer (Contoso, on the fake Microsoft 365 over HTTPS) next to a local one, on a migrated database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from licensing.directory import import_directory
from licensing.directory.file import parse_directory
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.m365.helpers import config_for
from tests.tenants.helpers import DIRECTORY, UowFactory


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
