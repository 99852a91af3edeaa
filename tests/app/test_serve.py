"""`licensebot serve` as a real process: uvicorn on loopback, the demo directory, a fake Slack, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from fakes.slack import FakeSlack
from fakes.slack.socket_mode import FakeSocketMode
from storage.migrate import upgrade
from tests.net import serving

pytestmark = pytest.mark.slow  # starts processes

SECRET = "serve-test-secret"
CLI = [sys.executable, "-c", "from cli import main; main()"]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", **extra}


def test_serve_without_tokens_says_what_to_set(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "serve"], env=clean_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in done.stderr and "manifest.yml" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("access_log", ["", "true"])
def test_serve_answers_signed_slack_requests_over_http_and_stops_on_sigterm(
    tmp_path: Path, fake_slack: FakeSlack, access_log: str
) -> None:
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-serve", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_slack.url)
    if access_log:
        env["LICENSEBOT_ACCESS_LOG"] = access_log
    subprocess.run([*CLI, "db", "upgrade"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    proc, base = serving([*CLI, "serve", "--demo"], env, tmp_path)
    try:
        body = urlencode(
            {
                "command": "/licenses",
                "text": "contoso",
                "user_id": "U0ADMIN01",
                "channel_id": "C0SERVE",
                "team_id": fake_slack.team_id,
                "trigger_id": fake_slack.new_trigger(),
            }
        )
        ts = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
        }
        assert httpx.post(f"{base}/slack/events", content=body, headers=headers, timeout=5).status_code == 200
        view = fake_slack.wait_for("views.open", timeout=10)[0].args["view"]
        assert view["callback_id"] == "licenses_users"
        unsigned = httpx.post(f"{base}/slack/events", content=body, timeout=5)
        assert unsigned.status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    # uvicorn shuts down gracefully (and re-raises SIGTERM, which serve takes as the stop it asked for): exit 0.
    assert proc.returncode == 0, output
    assert "Application shutdown complete" in output
    assert "imported the demo directory" in output
    assert "xoxb-serve" not in output and SECRET not in output  # secrets never reach the logs
    assert [line for line in output.splitlines() if " WARNING " in line or "Traceback" in line] == []
    # uvicorn's line per request only when asked for: every request is Slack's POST /slack/events.
    requests = [line for line in output.splitlines() if "uvicorn.access" in line and "/slack/events" in line]
    expected = ['"POST /slack/events HTTP/1.1" 200', '"POST /slack/events HTTP/1.1" 401'] if access_log else []
    assert [line[line.index('"POST') :] for line in requests] == expected


def test_serve_in_socket_mode_answers_a_command_and_stops_on_sigterm_with_exit_0(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    with FakeSocketMode() as sockets:
        fake_slack.use_socket_mode(sockets.url)
        env = clean_env(
            tmp_path,
            SLACK_BOT_TOKEN=fake_slack.token,
            SLACK_APP_TOKEN=fake_slack.app_token,
            SLACK_API_URL=fake_slack.url,
        )
        upgrade(env["DATABASE_URL"])
        proc = subprocess.Popen(
            [*CLI, "serve", "--demo"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            sockets.wait_connected(1, timeout=30)
            command = {
                "command": "/licenses",
                "text": "contoso",
                "user_id": "U0ADMIN01",
                "channel_id": "C0SERVE",
                "team_id": fake_slack.team_id,
                "trigger_id": fake_slack.new_trigger(),
            }
            sockets.send("slash_commands", command, timeout=10)
            assert fake_slack.wait_for("views.open", timeout=10)[0].args["view"]["callback_id"] == "licenses_users"
        finally:
            proc.send_signal(signal.SIGTERM)
            output = proc.communicate(timeout=20)[0]
        assert proc.returncode == 0, output
        sockets.wait_closed(1)
    assert "connected to Slack in Socket Mode" in output and "outbox worker" in output
    assert [line for line in output.splitlines() if " WARNING " in line or "Traceback" in line] == []
    assert fake_slack.token not in output and fake_slack.app_token not in output
