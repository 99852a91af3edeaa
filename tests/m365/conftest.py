from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from tests.m365.helpers import Graph


@pytest.fixture
def graph(m365: FakeM365) -> Iterator[Graph]:
    m365.add_tenant("contoso.onmicrosoft.com")
    graph = Graph(m365, "contoso.onmicrosoft.com")
    yield graph
    graph.http.close()
