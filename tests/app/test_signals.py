"""Production signals through the real app: /metrics after real flows, the log fields a request carries, and the
liveness and readiness probes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from blocks import ids
from bot.runtime.bootstrap import bootstrap, slack_app
from bot.runtime.serve import http_app
from bot.settings import Settings
from bot.telemetry.logs import JsonFormatter
from licensing.types import Desired
from tests.app.driver import ADMIN, E3, Bot, manage, open_contoso, save
from tests.scrape import Samples, eventually, parse, value

INTERACTIONS = "licensebot_interactions_total"


def scrape(bot: Bot) -> Samples:
    response = bot.http.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def counted(bot: Bot, expected: dict[tuple[str, str, str], float]) -> Samples:
    """Scrape until each (kind, id, outcome) was counted as expected; a listener ends just after its last call."""

    def check(s: Samples) -> bool:
        return all(value(s, INTERACTIONS, kind=k, id=i, outcome=o) == n for (k, i, o), n in expected.items())

    samples = eventually(lambda: scrape(bot), check)
    assert {key: value(samples, INTERACTIONS, kind=key[0], id=key[1], outcome=key[2]) for key in expected} == expected
    return samples


def test_a_save_moves_the_interaction_save_and_delivery_metrics(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams", "Bob Brown", "Carol Chen")
    user.choose(E3, Desired.ASSIGN)  # Bob gets it, Alice holds it already, Carol fails (CN, and no seat left)
    save(bot, user)
    m = counted(
        bot,
        {
            ("slash_command", "/licenses", "ok"): 1,
            ("block_action", ids.SELECT_USERS, "ok"): 1,
            ("view_submission", ids.USERS_VIEW, "ok"): 1,
            ("view_submission", ids.MANAGE_VIEW, "ok"): 1,
        },
    )
    save_view = {"kind": "view_submission", "id": ids.MANAGE_VIEW}
    assert value(m, "licensebot_interaction_ack_seconds_count", **save_view) == 1
    assert value(m, "licensebot_interaction_seconds_count", **save_view, outcome="ok") == 1
    # Done is after the answer: the save redraws the users page underneath once it has answered.
    acked = value(m, "licensebot_interaction_ack_seconds_sum", **save_view)
    assert 0 < acked <= value(m, "licensebot_interaction_seconds_sum", **save_view, outcome="ok")
    assert value(m, "licensebot_interaction_ack_seconds_bucket", **save_view, le="3.0") == 1

    assert value(m, "licensebot_saves_total", result="partial") == 1
    assert value(m, "licensebot_saves_total", result="ok") == 0
    users = {s: value(m, "licensebot_save_users_total", status=s) for s in ("updated", "unchanged", "failed")}
    assert users == {"updated": 1, "unchanged": 1, "failed": 1}
    assert value(m, "licensebot_save_errors_total", code="location_not_allowed") == 1
    assert value(m, "licensebot_save_errors_total", code="insufficient_licenses") == 1

    assert value(m, "licensebot_deliveries_total", result="sent") >= 2  # the thread: parent and replies
    assert value(m, "licensebot_deliveries_total", result="dead") == 0
    assert value(m, "licensebot_outbox_up") == 1
    assert value(m, "licensebot_outbox_pending") == 0 and value(m, "licensebot_outbox_dead") == 0
    assert value(m, "licensebot_provider_calls_total", provider="m365", status="200") == 0  # declared, unused yet


def test_refusals_and_errors_are_counted_apart_from_successes(bot: Bot) -> None:
    stranger, _ = bot.user("USTRANGER").slash()  # not an operator: refused before any listener runs
    assert stranger.status_code == 200
    unsigned = bot.user().post("command=%2Flicenses&text=", signature="v0=0")
    assert unsigned.status_code == 401
    user = open_contoso(bot)
    assert user.submit() is not None  # Manage licenses with nobody ticked: the form says why
    bot.fake.fail("views.update", "fatal_error")  # Slack fails the redraw after the ack: our error
    user.action(ids.PAGE_NEXT)
    counted(
        bot,
        {
            ("slash_command", "/licenses", "refused"): 2,
            ("slash_command", "/licenses", "ok"): 1,
            ("view_submission", ids.USERS_VIEW, "refused"): 1,
            ("block_action", "page", "error"): 1,
        },
    )


def test_label_values_come_from_closed_sets_whatever_a_request_claims(bot: Bot) -> None:
    user = open_contoso(bot)
    response = user.interact(
        {
            "type": "block_actions",
            "actions": [{"action_id": "made_up_1", "value": "x"}],
            "view": user.view,
            "trigger_id": bot.fake.new_trigger(),
        }
    )
    assert response.status_code in (200, 404)
    m = scrape(bot)
    ids_seen = {dict(labels)["id"] for (name, labels) in m if name == INTERACTIONS}
    assert "made_up_1" not in ids_seen and "other" in ids_seen


@contextmanager
def json_lines() -> Iterator[io.StringIO]:
    """The root logger's lines as JSON, as LICENSEBOT_LOG_FORMAT=json writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def test_log_lines_of_a_save_carry_the_slack_user_the_customer_and_the_batch(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with json_lines() as out:
        user = manage(open_contoso(bot), "Bob Brown")
        user.choose(E3, Desired.ASSIGN)
        save(bot, user)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    saved = next(line for line in lines if line["logger"] == "licensebot.bot" and "saved:" in line["message"])
    batch = saved["batch"]
    assert batch and saved["message"].startswith(f"batch={batch} ")
    assert (saved["slack_user"], saved["customer"], saved["level"]) == (ADMIN, "contoso", "INFO")
    assert saved["time"].endswith("+00:00")
    sent = [line for line in lines if line["logger"] == "licensebot.outbox" and " sent ts=" in line["message"]]
    assert len(sent) >= 2 and {line["batch"] for line in sent} == {batch}  # the worker scopes each message
    assert "slack_user" not in sent[0]  # the worker is not inside anyone's request


def test_healthz_needs_no_database_and_readyz_needs_one(bot: Bot, tmp_path: Path) -> None:
    assert (bot.http.get("/healthz").json(), bot.http.get("/readyz").text) == ({"ok": True}, "ready")
    broken = bootstrap(Settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db"))  # type: ignore[call-arg]
    try:
        with TestClient(http_app(slack_app(broken, client=bot.fake.client()), broken)) as http:
            alive, ready = http.get("/healthz"), http.get("/readyz")
            metrics = parse(http.get("/metrics").text)
    finally:
        broken.close()
    assert (alive.status_code, alive.json()) == (200, {"ok": True})
    assert (ready.status_code, ready.text) == (503, "the database cannot be reached (OperationalError)")
    assert value(metrics, "licensebot_outbox_up") == 0 and ("licensebot_outbox_pending", frozenset()) not in metrics
