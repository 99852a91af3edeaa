"""Refusals, Slack's failure modes and the safety of what is shown."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from urllib.parse import urlencode

import yaml
from sqlalchemy import text

from blocks import ids
from fakes.slack.blockkit import validate_manifest
from licensing import queries
from licensing.types import Desired
from tests.app.driver import ADMIN, E5, SALES, SCOPED, VISIO, Bot, manage, open_contoso, save, tick, wait_home
from tests.text import shown

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_with_a_bad_signature_is_refused(bot: Bot) -> None:
    user = bot.user()
    body = urlencode({"command": "/licenses", "user_id": ADMIN, "trigger_id": bot.fake.new_trigger()})
    assert user.post(body, signature="v0=" + "0" * 64).status_code == 401
    assert bot.fake.calls("views.open") == []


def test_a_replayed_request_with_a_stale_timestamp_is_refused(bot: Bot) -> None:
    body = urlencode({"command": "/licenses", "user_id": ADMIN, "trigger_id": bot.fake.new_trigger()})
    assert bot.user().post(body, timestamp=int(time.time()) - 10 * 60).status_code == 401


def test_removing_an_operator_takes_effect_on_the_next_click(bot: Bot) -> None:
    user = open_contoso(bot)
    with bot.deps.engine.begin() as conn:
        conn.execute(text("DELETE FROM operators WHERE slack_user_id = :u"), {"u": ADMIN})
    view = user.act_and_wait(ids.PAGE_NEXT)
    assert view["callback_id"] == ids.NOTICE_VIEW
    assert "not a licensebot operator" in shown(view["blocks"])


def test_a_submission_from_a_removed_operator_is_answered_in_the_modal(bot: Bot) -> None:
    user = open_contoso(bot)
    tick(user, "Alice Adams")
    with bot.deps.engine.begin() as conn:
        conn.execute(text("DELETE FROM operators WHERE slack_user_id = :u"), {"u": ADMIN})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update"
    assert user.view["callback_id"] == ids.NOTICE_VIEW


def test_an_expired_trigger_tells_the_operator_to_try_again(bot: Bot) -> None:
    user = bot.user()
    trigger = bot.fake.new_trigger()
    bot.fake.expire_trigger(trigger)
    response, _ = user.slash(trigger_id=trigger)
    assert response.status_code == 200
    call = bot.fake.wait_for("chat.postEphemeral")[0]
    assert call.args["user"] == ADMIN and "/licenses again" in call.args["text"]


def test_a_stale_view_hash_loses_no_selection(bot: Bot) -> None:
    user = open_contoso(bot)
    stale = copy.deepcopy(user.view)
    # Another update lands first (as a fast second click's would): the app's own update then meets hash_conflict.
    bot.fake.client().views_update(view_id=stale["id"], view=_bare(stale))
    block = next(b for b in stale["blocks"] if b.get("block_id", "").startswith(ids.USERS_BLOCK_PREFIX))
    option = next(o for o in block["elements"][0]["options"] if "Alice" in o["text"]["text"])
    before = len(bot.fake.calls("views.update"))
    user.interact(
        {
            "type": "block_actions",
            "trigger_id": bot.fake.new_trigger(),
            "view": stale,
            "actions": [
                {
                    "action_id": ids.SELECT_USERS,
                    "block_id": block["block_id"],
                    "type": "checkboxes",
                    "selected_options": [option],
                }
            ],
        }
    )
    call = bot.fake.wait_for("views.update", before + 1)[-1]
    assert call.response == {"ok": False, "error": "hash_conflict"}
    assert user.view["callback_id"] == ids.USERS_VIEW  # no error view replaced the modal
    assert bot.deps.modals.selected(stale["private_metadata"]) == ["alice@contoso.com"]


def _bare(view: dict) -> dict:  # type: ignore[type-arg]
    keep = ("type", "callback_id", "title", "submit", "close", "blocks", "private_metadata")
    return {k: view[k] for k in keep if view.get(k) is not None}


def test_names_from_the_directory_are_escaped_and_ping_nobody(bot: Bot) -> None:
    user = open_contoso(bot)
    user.act_and_wait(ids.SEARCH_INPUT, value="eve")
    page = user.text()
    assert "&lt;!channel&gt; Eve &amp; &lt;b&gt;" in page and "<!channel>" not in page
    tick(user, "Eve")
    user.submit()
    user.choose(E5, Desired.ASSIGN)
    parent = save(bot, user)
    thread = bot.fake.thread("C0LICENSE", parent["ts"])
    everything = "\n".join(m["text"] + shown(m["blocks"]) for m in thread)
    assert "<!channel>" not in everything and "&lt;!channel&gt;" in everything


def test_the_confirmation_goes_by_direct_message_when_the_bot_cannot_post_in_the_channel(bot: Bot) -> None:
    bot.fake.fail_channel("C0LICENSE", "not_in_channel")
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, Desired.ASSIGN)
    before = len(bot.fake.calls("views.update"))
    user.submit()
    bot.fake.wait_for("views.update", before + 1)  # the users page redrawn after the result: the listener is done
    bot.deliver()
    dm = bot.fake.dm_channel(ADMIN)
    posts = bot.fake.calls("chat.postMessage")  # the refused one, then parent and reply in the DM
    assert len(posts) == 3
    assert [c.args["channel"] for c in posts][1:] == [dm, dm]
    assert bot.fake.messages(dm)[0]["text"].startswith("Contoso Ltd: licenses updated for 1 of 1 user")


def test_buy_more_records_the_request_and_says_so_plainly(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams")
    block = user.block_with(ids.BUY_MORE)
    element = block.get("accessory") or block["elements"][0]
    fields = {"value": VISIO} if element["type"] == "button" else {"selected_option": {"value": VISIO}}
    view = user.act_and_wait(ids.BUY_MORE, method="views.push", **fields)
    assert view["callback_id"] == ids.BUY_VIEW and "Visio Plan 2" in shown(view["blocks"])
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": "0"})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "errors"
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": "5"})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update"
    with bot.deps.engine.connect() as conn:
        rows = conn.execute(text("SELECT customer_id, sku, quantity, operator FROM purchase_requests")).all()
    assert [tuple(r) for r in rows] == [("contoso", VISIO, 5, ADMIN)]


def test_app_home_tells_an_operator_their_role(bot: Bot) -> None:
    event = {
        "type": "event_callback",
        "team_id": bot.fake.team_id,
        "api_app_id": bot.fake.app_id,
        "event": {"type": "app_home_opened", "user": ADMIN, "tab": "home", "channel": "D1"},
        "event_id": "Ev1",
        "event_time": int(time.time()),
    }
    import json

    assert bot.user().post(json.dumps(event)).status_code == 200
    home = wait_home(bot, ADMIN)
    assert "role *Admin agent*" in shown(home["blocks"])


def test_the_manifest_is_a_valid_slack_app_manifest_with_only_the_scopes_used() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert validate_manifest(manifest) == []
    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "commands",
        "chat:write",
        "im:write",
        "users:read",  # users.info: the operator's timezone, for scheduled days
        # the outbox worker reads history to find a message it may already have sent, rather than send it twice
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    ]
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/licenses"]


def test_an_operator_scoped_to_other_customers_cannot_reach_this_one(bot: Bot) -> None:
    user = bot.user(SCOPED)
    view = user.open("contoso")
    assert view["callback_id"] == ids.PICK_VIEW and "No customer matches “contoso”." in shown(view["blocks"])
    # Even a crafted choice of the customer is refused, in the modal, saying why.
    view = user.act_and_wait(ids.CUSTOMER_SELECT, selected_option={"value": "contoso"})
    assert view["callback_id"] == ids.NOTICE_VIEW
    assert "not allowed to manage customer contoso" in shown(view["blocks"])


def test_a_sales_agent_setting_a_location_anyway_is_refused_per_user(bot: Bot) -> None:
    user = manage(open_contoso(bot, SALES), "Bob Brown")
    # The input is not shown to sales agents; a crafted submission carrying one still changes nobody's location.
    user.type(ids.LOCATION_BLOCK, ids.LOCATION_INPUT, {"type": "plain_text_input", "value": "FR"})
    save(bot, user)
    assert "Your role (Sales agent) cannot change usage locations." in user.text()
    page = queries.page_users("contoso", actor=ADMIN, query="bob", uow=bot.deps.uow_factory())
    assert page.users[0].location == "DE"


def test_a_confirmation_slack_refuses_everywhere_still_leaves_the_result_in_the_modal(bot: Bot) -> None:
    bot.fake.fail_channel("C0LICENSE", "not_in_channel")
    bot.fake.fail("conversations.open", "user_not_found")
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, Desired.ASSIGN)
    before = len(bot.fake.calls("views.update"))
    user.submit()
    bot.fake.wait_for("views.update", before + 1)  # the users page redrawn after the result: the listener is done
    bot.deliver()  # the channel refuses, then the DM cannot be opened: the message is dead, and the modal untouched
    assert bot.fake.calls("conversations.open")
    page = queries.page_users("contoso", actor=ADMIN, query="bob", uow=bot.deps.uow_factory())
    assert page.users[0].licenses == {E5}
    assert user.view["callback_id"] == ids.RESULT_VIEW  # not replaced by an error: the change was made


def test_a_refusal_quoting_crafted_input_is_escaped_and_pings_nobody(bot: Bot) -> None:
    response, _ = bot.user().slash("history <!channel>&")
    text = response.json()["text"]
    assert "<!channel>" not in text and text.startswith("No customer you manage matches “&lt;!channel&gt;&amp;”")


def test_someone_not_in_the_directory_is_told_so_without_their_user_id(bot: Bot) -> None:
    response, _ = bot.user("U0VISITOR1").slash()
    assert (
        response.json()["text"] == "You are not a licensebot operator; ask a partner admin to add you to the directory."
    )
