"""What the command-line tests share: `licensebot` run in-process against a migrated database holding
tests/app/directory.yaml (`cli`: on an empty database, for `db upgrade` and `import` themselves)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

DIRECTORY = Path(__file__).resolve().parents[1] / "app" / "directory.yaml"


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`licensebot ARGS` on an empty database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no stray .env is read, no licensebot.db left behind

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def run(cli):  # type: ignore[no-untyped-def]
    """`licensebot ARGS` on a migrated database holding the test directory."""
    assert cli("db", "upgrade").exit_code == 0
    assert cli("import", str(DIRECTORY)).exit_code == 0
    return cli
