"""The fake Microsoft 365, started once per session and wiped before each test, and its standard tenant: a pytest
plugin (tests/conftest.py loads it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from tests.m365.helpers import TENANT


@pytest.fixture(scope="session", name="running_m365")
def running_m365_fixture() -> Iterator[FakeM365]:
    with FakeM365() as fake:
        yield fake


@pytest.fixture(name="m365")
def m365_fixture(running_m365: FakeM365) -> FakeM365:
    running_m365.reset()
    return running_m365


@pytest.fixture
def tenant(m365: FakeM365) -> str:
    m365.add_tenant(TENANT)
    return TENANT
