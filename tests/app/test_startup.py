"""What a person starting licensebot sees when something is wrong: one line on stderr, exit 2, no traceback, no
secret. A fake Slack on loopback answers (or refuses) the tokens; closed loopback ports stand for what is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from fakes.slack import FakeSlack
from tests.net import free_port

PASSWORD = "s3cret-pw"


def run(tmp_path: Path, *args: str, **env: str) -> Result:
    """`licensebot ARGS` in-process, with only the given settings (the test's own SLACK_* and DATABASE_URL unset)."""
    base = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}",
        "SLACK_BOT_TOKEN": None,
        "SLACK_SIGNING_SECRET": None,
        "SLACK_APP_TOKEN": None,
        "SLACK_API_URL": None,
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)  # no stray .env is read
        return CliRunner().invoke(main, list(args), env={**base, **env}, catch_exceptions=False)


def one_line(result: Result) -> str:
    """The single `error: ...` line on stderr, after checking there is nothing else to see."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and PASSWORD not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    assert run(tmp_path, "db", "upgrade").exit_code == 0
    return tmp_path


def slack_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake.token, "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.url, **extra}


@pytest.mark.parametrize(
    ("error", "meaning"),
    [
        ("invalid_auth", "it is not a valid token"),
        ("token_revoked", "it was revoked (the app was uninstalled or the token regenerated)"),
        ("account_inactive", "it belongs to a deactivated user or workspace"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_bot_token_slack_refuses_stops_serve_and_worker_at_once(
    migrated: Path, fake_slack: FakeSlack, command: str, error: str, meaning: str
) -> None:
    fake_slack.fail("auth.test", error)
    line = one_line(run(migrated, command, **slack_env(fake_slack)))
    assert (
        line == f"error: Slack refused SLACK_BOT_TOKEN ({error}): {meaning}; copy it again from "
        "https://api.slack.com/apps -> your app"
    )
    assert fake_slack.token not in line


def test_an_app_level_token_slack_refuses_stops_socket_mode(migrated: Path, fake_slack: FakeSlack) -> None:
    fake_slack.fail("apps.connections.open", "invalid_auth")
    line = one_line(run(migrated, "serve", **slack_env(fake_slack, SLACK_APP_TOKEN="xapp-1-refused")))
    assert line.startswith("error: Slack refused SLACK_APP_TOKEN (invalid_auth): it is not a valid token")


def test_slack_refusing_connections_is_unreachable(migrated: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    line = one_line(run(migrated, "serve", SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_API_URL=url))
    assert line == f"error: cannot reach Slack at {url}: Connection refused"


def test_slack_not_answering_in_time_is_unreachable(migrated: Path, fake_slack: FakeSlack) -> None:
    fake_slack.hang("auth.test", 5)
    line = one_line(run(migrated, "worker", **slack_env(fake_slack, SLACK_TIMEOUT_S="1")))
    assert line == f"error: cannot reach Slack at {fake_slack.url}: no answer within 1 s"


def pg_down() -> str:
    return f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{free_port()}/test"


@pytest.mark.parametrize("args", [("check",), ("db", "upgrade"), ("customers",), ("serve",), ("worker",)])
def test_a_postgresql_that_is_down_is_unreachable_not_unmigrated(
    tmp_path: Path, fake_slack: FakeSlack, args: tuple[str, ...]
) -> None:
    url = pg_down()
    line = one_line(run(tmp_path, *args, DATABASE_URL=url, **slack_env(fake_slack)))
    port = url.rsplit(":", 1)[1].split("/")[0]
    shown = url.replace(PASSWORD, "***")
    verb = "migrate" if args == ("db", "upgrade") else "connect to"
    assert line.startswith(f"error: cannot {verb} the database at {shown}: ")
    assert line.endswith(f'connection to server at "127.0.0.1", port {port} failed: Connection refused')
    assert fake_slack.calls() == []  # the database is checked first, and Slack never told about it


@pytest.mark.parametrize("args", [("check",), ("db", "upgrade"), ("import", "x.yaml"), ("serve",)])
def test_an_unsupported_database_url_says_which_are_supported(tmp_path: Path, args: tuple[str, ...]) -> None:
    line = one_line(
        run(
            tmp_path,
            *args,
            DATABASE_URL=f"mysql://licensebot:{PASSWORD}@127.0.0.1/db",
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="s",
        )
    )
    assert line == (
        "error: DATABASE_URL names 'mysql', which licensebot does not support: "
        "use sqlite:///FILE.db or postgresql+psycopg://USER:PASSWORD@HOST/DB"
    )


def test_db_upgrade_where_the_file_cannot_be_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'licensebot.db'}"
    line = one_line(run(tmp_path, "db", "upgrade", DATABASE_URL=url))
    assert line == (
        f"error: cannot migrate the database at {url}: unable to open database file "
        "(the SQLite file's directory must exist and be writable)"
    )
    assert not (tmp_path / "missing").exists()


def test_serve_on_a_database_never_migrated_says_to_run_db_upgrade(tmp_path: Path, fake_slack: FakeSlack) -> None:
    line = one_line(run(tmp_path, "serve", **slack_env(fake_slack)))
    assert line == f"error: there is no database at {tmp_path / 'startup.db'} yet; run `licensebot db upgrade` first"
    assert not (tmp_path / "startup.db").exists()  # asking did not create it empty


def test_a_setting_of_the_wrong_type_is_named_without_its_value(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "check", OUTBOX_LOT="many"))
    assert line == "error: OUTBOX_LOT: Input should be a valid integer, unable to parse string as an integer"
