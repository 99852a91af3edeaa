"""A connected customer (Contoso, on the fake Microsoft 365 over HTTPS) next to a local one, on a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from fakes.m365 import FakeM365
from licensing.directory import import_directory
from licensing.directory.file import parse_directory
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.m365.helpers import config_for
from tests.partner_center.helpers import PARTNER
from tests.tenants.helpers import DIRECTORY, UowFactory, graph_env


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


@pytest.fixture
def partner_cli(m365: FakeM365, migrated_url: str, uows: UowFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`licensebot …` in-process, with Graph and Partner Center set up against the fakes."""
    monkeypatch.chdir(tmp_path)
    for name, value in graph_env(m365, migrated_url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LICENSEBOT_PARTNER_TENANT_ID", PARTNER)
    monkeypatch.setenv("LICENSEBOT_PARTNER_CENTER_URL", m365.partner_center_url)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke
