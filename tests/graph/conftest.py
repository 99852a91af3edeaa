from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from providers.graph import GraphClient
from tests.m365.helpers import config_for


@pytest.fixture
def client(m365: FakeM365) -> Iterator[GraphClient]:
    with GraphClient(config_for(m365)) as graph:
        yield graph
