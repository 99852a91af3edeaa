"""`licensebot` run as a script would run it: `run` on a database of its own, `loaded` with the test directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

DIRECTORY = Path(__file__).resolve().parents[1] / "app" / "directory.yaml"


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read, no licensebot.db left behind

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def loaded(run):  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").exit_code == 0
    result = run("import", str(DIRECTORY))
    assert result.exit_code == 0, result.output
    return run
