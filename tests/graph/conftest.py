from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from providers.graph import GraphClient, GraphConfig
from tests.m365.fixtures import m365_fixture, running_m365_fixture  # noqa: F401

TENANT = "contoso.onmicrosoft.com"


def config_for(m365: FakeM365, **overrides: object) -> GraphConfig:
    settings: dict[str, object] = {
        "client_id": m365.client_id,
        "client_secret": m365.client_secret,
        "graph_url": m365.graph_url,
        "login_url": m365.login_url,
        "ca_bundle": m365.ca_pem_path,
        "retry_deadline": 5.0,
        **overrides,
    }
    return GraphConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def tenant(m365: FakeM365) -> str:
    m365.add_tenant(TENANT)
    return TENANT


@pytest.fixture
def client(m365: FakeM365) -> Iterator[GraphClient]:
    with GraphClient(config_for(m365)) as graph:
        yield graph
