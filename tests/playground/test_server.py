"""The playground's server through its HTTP API, live on loopback: gestures reach the real bot as signed Slack
requests, what the bot sends lands in the built-in fake Slack, and every bad request is refused with a reason."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from click.testing import CliRunner

from cli import main
from playground.people import VISITOR_ID
from tests.playground.live import Live

ADMIN, SALES = "UADMIN01", "USALES01"


def request(
    live: Live, path: str, data: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    body = raw if raw is not None else (json.dumps(data).encode() if data is not None else None)
    sent = {"content-type": "application/json"} if body is not None else {}
    req = urllib.request.Request(live.url + path, data=body, headers={**sent, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, json.loads(text) if text.startswith(b"{") else {"text": text.decode()}


def seen(live: Live, user: str, until: Any = lambda s: True, timeout: float = 10) -> dict[str, Any]:
    """What `user` sees, once `until(state)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        status, state = request(live, f"/play/state?user={user}&since=-1")
        assert status == 200, state
        if until(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def modal(state: dict[str, Any]) -> str:
    return str((state.get("modal") or {}).get("html", ""))


def open_users(live: Live, user: str = ADMIN) -> dict[str, Any]:
    status, answer = request(live, "/play/command", {"user": user, "text": "/licenses contoso"})
    assert status == 200 and answer == {"ok": True, "bot_status": 200}
    return seen(live, user, lambda s: 'data-callback-id="licenses_users"' in modal(s))


def test_the_page_and_its_script_are_served(live: Live) -> None:
    with urllib.request.urlopen(live.url + "/") as response:
        html = response.read().decode()
    assert "Local playground" in html and "not connected to Slack" in html and "/static/playground.js" in html
    for asset in ("/static/playground.js", "/static/app.css", "/static/playground.css"):
        with urllib.request.urlopen(live.url + asset) as response:
            assert response.status == 200


def test_who_am_i_lists_the_operators_and_one_visitor(live: Live) -> None:
    status, answer = request(live, "/play/people")
    assert status == 200
    people = {p["id"]: p for p in answer["people"]}
    assert {"UADMIN01", "USALES01", "USCOPED01", VISITOR_ID} == set(people)
    assert people[ADMIN] == {"id": ADMIN, "name": "Ada Admin", "role": "Admin agent"}  # the role in words
    assert people[VISITOR_ID]["role"] is None


def test_a_slash_command_opens_the_bot_s_modal_for_that_person_only(live: Live) -> None:
    state = open_users(live)
    assert state["modal"]["depth"] == 1 and "Contoso Ltd" in modal(state)
    assert seen(live, SALES)["modal"] is None
    assert live.pg.fake.calls("views.open")[-1].ok


def test_the_bot_checks_the_signature_of_whatever_reaches_it(live: Live) -> None:
    status, _ = request(
        live,
        "/slack/events",
        raw=b"command=%2Flicenses&user_id=UADMIN01",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert status == 401  # the production path: Bolt refuses an unsigned request


def test_a_non_operator_is_refused_privately(live: Live) -> None:
    request(live, "/play/command", {"user": VISITOR_ID, "text": "/licenses"})
    state = seen(live, VISITOR_ID, lambda s: "sk-ephemeral" in s["channel"])
    assert "not a licensebot operator" in state["channel"] and state["modal"] is None
    assert "sk-ephemeral" not in seen(live, ADMIN)["channel"]  # only the visitor sees it


def test_help_is_the_command_s_private_answer(live: Live) -> None:
    request(live, "/play/command", {"user": ADMIN, "text": "/licenses help"})
    assert "Only visible to you" in seen(live, ADMIN, lambda s: "sk-ephemeral" in s["channel"])["channel"]


def test_type_ahead_asks_the_bot_for_options(live: Live) -> None:
    request(live, "/play/command", {"user": ADMIN, "text": "/licenses"})
    state = seen(live, ADMIN, lambda s: "customer_select" in modal(s))
    status, answer = request(
        live,
        "/play/options",
        {
            "user": ADMIN,
            "view_id": state["modal"]["view_id"],
            "block_id": "customer",
            "action_id": "customer_select",
            "value": "fab",
        },
    )
    assert status == 200 and "Fabrikam, Inc. (fabrikam)" in answer["html"] and "Contoso" not in answer["html"]


def test_an_action_a_submission_with_errors_and_a_close(live: Live) -> None:
    state = open_users(live)
    view_id = state["modal"]["view_id"]
    next_page = {"type": "button", "block_id": "paging", "action_id": "page_next", "value": "2"}
    status, _ = request(live, "/play/action", {"user": ADMIN, "view_id": view_id, "state": [], "action": next_page})
    assert status == 200
    assert "page 2 of 3" in modal(seen(live, ADMIN, lambda s: "page 2 of 3" in modal(s)))
    status, _ = request(live, "/play/submit", {"user": ADMIN, "view_id": view_id, "state": []})
    assert status == 200
    state = seen(live, ADMIN, lambda s: "sk-error" in modal(s))
    assert "Select at least one user first" in modal(state)
    status, _ = request(live, "/play/close", {"user": ADMIN, "view_id": view_id, "all": True})
    assert status == 200 and seen(live, ADMIN)["modal"] is None


def test_opening_the_home_tab_publishes_it(live: Live) -> None:
    status, _ = request(live, "/play/home", {"user": SALES})
    assert status == 200
    home = seen(live, SALES, lambda s: s["home"] is not None)["home"]
    assert "Sam Sales" in home["html"] and "Sales agent" in home["html"]


def test_state_waits_for_a_change_then_answers_unchanged(live: Live) -> None:
    version = seen(live, ADMIN)["version"]
    started = time.monotonic()
    live.pg.fake.add_message("C0PLAYGRND", "hello")  # any change wakes the long poll
    status, state = request(live, f"/play/state?user={ADMIN}&since={version}")
    assert status == 200 and state["changed"] and time.monotonic() - started < 5


def test_unknown_users_are_refused(live: Live) -> None:
    for path, data in (("/play/command", {"user": "UNOBODY", "text": "/licenses"}), ("/play/home", {"user": None})):
        status, answer = request(live, path, data)
        assert status == 404 and "unknown user" in answer["error"]
    status, answer = request(live, "/play/state?user=UNOBODY")
    assert status == 404


def test_malformed_requests_are_refused_with_a_reason(live: Live) -> None:
    state = open_users(live)
    view_id = state["modal"]["view_id"]
    cases = [
        ("/play/command", None, b"{not json", {}, 400, "malformed JSON"),
        ("/play/command", None, b"[1]", {}, 400, "JSON object"),
        (
            "/play/command",
            None,
            b'{"user": "UADMIN01", "text": "/licenses"}',
            {"content-type": "text/plain"},
            415,
            "application/json",
        ),
        ("/play/command", {"user": ADMIN}, None, {}, 400, "'text' must be a str"),
        ("/play/command", {"user": ADMIN, "text": "/giphy cats"}, None, {}, 400, "only /licenses"),
        ("/play/submit", {"user": ADMIN, "view_id": "VNOPE"}, None, {}, 400, "no view 'VNOPE'"),
        (
            "/play/submit",
            {"user": ADMIN, "view_id": view_id, "state": [{"block_id": "x"}]},
            None,
            {},
            400,
            "lacks 'action_id'",
        ),
        ("/play/submit", {"user": ADMIN, "view_id": view_id, "state": "x"}, None, {}, 400, "'state' must be"),
        (
            "/play/action",
            {"user": ADMIN, "view_id": view_id, "action": {"type": "button"}},
            None,
            {},
            400,
            "needs type, block_id and action_id",
        ),
        (
            "/play/action",
            {"user": ADMIN, "view_id": view_id, "action": {"type": "header", "block_id": "b", "action_id": "a"}},
            None,
            {},
            400,
            "no state",
        ),
        (
            "/play/action",
            {"user": ADMIN, "ts": "1.2", "action": {"type": "button", "block_id": "b", "action_id": "a"}},
            None,
            {},
            400,
            "no message",
        ),
    ]
    for path, data, raw, headers, code, error in cases:
        status, answer = request(live, path, data, raw=raw, headers=headers)
        assert (status, answer["ok"]) == (code, False), (path, data, raw, answer)
        assert error in answer["error"], (error, answer)
    status, answer = request(live, f"/play/state?user={ADMIN}&since=soon")
    assert status == 400 and "'since'" in answer["error"]


def test_only_loopback_host_names_are_served(live: Live) -> None:
    status, answer = request(live, "/play/people", headers={"host": "evil.example"})
    assert status == 400  # a DNS-rebinding page reaches 127.0.0.1 under its own name


def test_the_command_refuses_a_non_loopback_host() -> None:
    result = CliRunner().invoke(main, ["playground", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "loopback only" in result.output


def test_a_reloaded_page_shows_no_modal_left_open(live: Live) -> None:
    open_users(live)
    status, answer = request(live, "/play/reload", {"user": SALES})  # the page, (re)loaded as anyone
    assert (status, answer) == (200, {"ok": True})
    assert seen(live, ADMIN, lambda s: s["modal"] is None)["modal"] is None  # as a restarted Slack client shows
