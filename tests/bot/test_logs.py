"""Log lines: secrets redacted whatever logs them, JSON lines that parse and carry the scope's fields."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from bot.runtime.bootstrap import secrets_of
from bot.settings import Settings
from bot.telemetry import logs
from bot.telemetry.logs import JsonFormatter, RedactSecrets, TextFormatter

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
USER_TOKEN = "xoxp-1111-2222-3333-abcdef"
DB_URL = "postgresql+psycopg://licensebot:hunter2-but-longer@db.internal:5432/licensebot"

log = logging.getLogger("licensebot.test")


def test_tokens_the_signing_secret_and_url_passwords_never_reach_a_handler(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactSecrets([SIGNING_SECRET]))
    with caplog.at_level(logging.INFO, logger="licensebot.test"):
        log.info("token %s and %s, user %s", BOT_TOKEN, APP_TOKEN, USER_TOKEN)
        log.info("verifying with %s against %s", SIGNING_SECRET, DB_URL)
        try:
            raise RuntimeError(f"Slack said no to {BOT_TOKEN}")
        except RuntimeError:
            log.exception("failed", extra={"detail": f"secret={SIGNING_SECRET}"})
    # Every attribute a formatter reads (the live exception object aside: formatters print its redacted text).
    text = caplog.text + "".join(str({k: v for k, v in vars(r).items() if k != "exc_info"}) for r in caplog.records)
    for secret in (SIGNING_SECRET, BOT_TOKEN, APP_TOKEN, USER_TOKEN, "hunter2-but-longer"):
        assert secret not in text
    assert caplog.messages[0] == "token [redacted] and [redacted], user [redacted]"
    assert caplog.messages[1] == (
        "verifying with [redacted] against postgresql+psycopg://licensebot:[redacted]@db.internal:5432/licensebot"
    )
    assert "RuntimeError: Slack said no to [redacted]" in caplog.text  # the traceback too
    assert caplog.records[2].detail == "secret=[redacted]"


def test_what_is_not_a_secret_is_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactSecrets(["short", ""]))  # too short to be a secret: would eat ordinary words
    with caplog.at_level(logging.INFO, logger="licensebot.test"):
        log.info("a short note about https://example.com/x and 100 xoxo-hugs")
    assert caplog.messages == ["a short note about https://example.com/x and 100 xoxo-hugs"]


def json_handler(secrets: list[str]) -> tuple[logging.Handler, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecrets(secrets))
    return handler, out


def test_a_json_line_parses_and_carries_the_scope_and_extras() -> None:
    handler, out = json_handler([SIGNING_SECRET])
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with logs.scope(slack_user="UADMIN01", customer="contoso"):
            logs.bind(batch="b-42", customer=None)  # None leaves a field as it was
            try:
                raise ValueError(f"bad secret {SIGNING_SECRET}")
            except ValueError:
                log.warning("batch=%s retry %d with %s", "b-42", 2, BOT_TOKEN, exc_info=True, extra={"attempt": 2})
        log.info("outside")
    finally:
        log.removeHandler(handler)
        log.setLevel(logging.NOTSET)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "slack_user", "customer", "batch", "attempt")} == {
        "level": "WARNING",
        "logger": "licensebot.test",
        "message": "batch=b-42 retry 2 with [redacted]",
        "slack_user": "UADMIN01",
        "customer": "contoso",
        "batch": "b-42",
        "attempt": 2,
    }
    assert "ValueError: bad secret [redacted]" in first["exc"] and SIGNING_SECRET not in out.getvalue()
    assert first["time"].endswith("+00:00")
    assert set(second) == {"time", "level", "logger", "message"}  # the scope ended with its block


def test_a_scope_belongs_to_its_thread_and_binding_outside_one_does_nothing() -> None:
    seen: list[dict[str, str]] = []
    logs.bind(customer="nobody")  # no scope: a CLI command, say
    with logs.scope(customer="contoso"):
        worker = threading.Thread(target=lambda: seen.append(logs.current()))
        worker.start()
        worker.join()
        assert logs.current() == {"customer": "contoso"}
    assert seen == [{}] and logs.current() == {}


def test_text_lines_append_the_fields_the_message_does_not_already_say() -> None:
    record = logging.LogRecord("licensebot.bot", logging.INFO, __file__, 1, "batch=%s saved", ("b-7",), None)
    with logs.scope(slack_user="UADMIN01", batch="b-7"):
        line = TextFormatter().format(record)
    assert line.endswith(" INFO licensebot.bot batch=b-7 saved slack_user=UADMIN01")


def test_the_secrets_to_redact_come_from_the_settings() -> None:
    settings = Settings(database_url=DB_URL, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)  # type: ignore[call-arg]
    assert sorted(secrets_of(settings)) == sorted([BOT_TOKEN, SIGNING_SECRET, "hunter2-but-longer"])
