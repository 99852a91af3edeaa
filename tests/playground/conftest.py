"""`live`: a running playground over the app tests' directory (tests/app/directory.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.playground.live import Live, running

DIRECTORY = Path(__file__).resolve().parent.parent / "app" / "directory.yaml"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with running(tmp_path, DIRECTORY) as playground:
        yield playground
