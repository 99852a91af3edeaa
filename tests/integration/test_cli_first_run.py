"""What a new user meets on the command line before anything is set up: no empty database file left behind,
`db upgrade` saying what it did, `sync --json` failing in JSON, `scheduled run` in words unless --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from storage.migrate import head_revisions

HEAD = ", ".join(sorted(head_revisions()))


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`licensebot` in an empty directory, with the default database (licensebot.db there), never set up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_ID", raising=False)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


NOT_SET_UP = "error: there is no database at licensebot.db yet; run `licensebot db upgrade` first\n"


@pytest.mark.parametrize(
    "args", [("customers",), ("check",), ("licenses", "show", "contoso"), ("outbox",), ("scheduled", "run")]
)
def test_a_database_never_set_up_is_said_once_and_no_empty_file_is_left(fresh, tmp_path: Path, args) -> None:  # type: ignore[no-untyped-def]
    result = fresh(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", NOT_SET_UP)
    assert list(tmp_path.iterdir()) == []


def test_sync_json_fails_in_json(fresh, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = fresh("sync", "--json")
    assert result.exit_code == 2 and result.stderr == ""
    assert json.loads(result.stdout) == {"error": NOT_SET_UP.removeprefix("error: ").strip()}
    plain = fresh("sync")
    assert (plain.exit_code, plain.stdout, plain.stderr) == (2, "", NOT_SET_UP)
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_says_what_it_did_then_that_there_is_nothing_to_do(fresh) -> None:  # type: ignore[no-untyped-def]
    created = fresh("db", "upgrade")
    assert (created.exit_code, created.output) == (
        0,
        f"database at sqlite:///licensebot.db created: schema at migration {HEAD}\n",
    )
    again = fresh("db", "upgrade")
    assert again.output == f"database at sqlite:///licensebot.db is up to date (migration {HEAD})\n"


def test_scheduled_run_speaks_words_and_json_only_when_asked(fresh) -> None:  # type: ignore[no-untyped-def]
    assert fresh("db", "upgrade").exit_code == 0
    said = fresh("scheduled", "run")
    assert (said.exit_code, said.output) == (0, "no scheduled change was due\n")
    as_json = fresh("scheduled", "run", "--json")
    assert (as_json.exit_code, json.loads(as_json.output)) == (0, {"ran": []})
