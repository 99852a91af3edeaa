"""Listeners called directly, as Bolt's sample apps test them: a stub Ack and WebClient, the real Deps on SQLite.

For what a whole HTTP round trip adds nothing to (form validation, options, middleware); tests/app keeps the
end-to-end flow with signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.deps import Deps
from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings
from licensing.directory import import_directory
from licensing.directory.file import load_directory
from storage.migrate import upgrade

DIRECTORY = Path(__file__).parents[1] / "app" / "directory.yaml"


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    url = f"sqlite:///{tmp_path / 'handlers.db'}"
    upgrade(url)
    # One thread on the slow lane: a test waits for a Save it handed there with `settled(deps)`.
    d = bootstrap(Settings(database_url=url, licensebot_slow_threads=1))  # type: ignore[call-arg]
    import_directory(load_directory(DIRECTORY), uow=d.uow_factory())
    yield d
    d.close()
