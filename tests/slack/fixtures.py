"""The ``fake_slack`` fixture: a pytest plugin (tests/conftest.py loads it), so any test may ask for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.slack import FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running FakeSlack; fails the test if any Block Kit payload was invalid, unless ``fake.expect_invalid``."""
    with FakeSlack() as fake:
        yield fake
        if not fake.expect_invalid:
            fake.assert_valid()
