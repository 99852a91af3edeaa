"""The fake, started once per session and wiped before each test. Import both into a conftest."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365


@pytest.fixture(scope="session", name="running_m365")
def running_m365_fixture() -> Iterator[FakeM365]:
    with FakeM365() as fake:
        yield fake


@pytest.fixture(name="m365")
def m365_fixture(running_m365: FakeM365) -> FakeM365:
    running_m365.reset()
    return running_m365
