"""Whole flows as an operator does them: open, page, search, select across pages, manage, save, read the thread."""

from __future__ import annotations

from sqlalchemy import text

from blocks import ids
from licensing import queries
from licensing.types import Desired
from tests.app.driver import ADMIN, E1, E3, E5, SALES, Bot, manage, open_contoso, save, tick
from tests.text import shown


def holders(bot: Bot, sku: str) -> set[str]:
    s = queries.summary(
        "contoso",
        [f"{n}@contoso.com" for n in ("alice", "bob", "carol", "erin", "frank", "nolo")],
        actor=None,
        uow=bot.deps.uow_factory(),
    )
    return {h.split("@")[0] for p in s.products if p.sku == sku for h in p.holders}


def test_slash_command_opens_the_customer_picker(bot: Bot) -> None:
    view = bot.user().open()
    assert view["callback_id"] == ids.PICK_VIEW
    assert view["title"]["text"] == "Licenses"


def test_customer_type_ahead_lists_only_customers_the_operator_may_manage(bot: Bot) -> None:
    for who, expected in ((ADMIN, ["contoso", "fabrikam"]), ("USCOPED01", ["fabrikam"])):
        user = bot.user(who)
        user.open()
        block = user.block_with(ids.CUSTOMER_SELECT)
        response = user.interact(
            {
                "type": "block_suggestion",
                "action_id": ids.CUSTOMER_SELECT,
                "block_id": block["block_id"],
                "value": "",
                "view": user.view,
            }
        )
        assert [o["value"] for o in response.json()["options"]] == expected


def test_choosing_a_customer_shows_its_users_a_page_at_a_time(bot: Bot) -> None:
    user = bot.user()
    user.open()
    view = user.act_and_wait(ids.CUSTOMER_SELECT, selected_option={"value": "contoso"})
    assert view["callback_id"] == ids.USERS_VIEW
    page = user.text()
    assert "Contoso Ltd" in page and "page 1 of 3" in page and "25 users" in page
    assert "Alice Adams" in page and "alice@contoso.com" in page and "Office 365 E3" in page


def test_slash_with_a_name_jumps_to_that_customer_and_an_unknown_name_says_so(bot: Bot) -> None:
    assert open_contoso(bot).view["private_metadata"]
    view = bot.user().open("initech")
    assert view["callback_id"] == ids.PICK_VIEW
    assert "No customer matches “initech”." in shown(view["blocks"])


def test_a_very_long_name_is_not_echoed_back_at_length(bot: Bot) -> None:
    view = bot.user().open("x" * 4000)
    assert view["callback_id"] == ids.PICK_VIEW
    assert f"No customer matches “{'x' * 59}…”. Choose one below." in shown(view["blocks"])
    assert len(shown(view["blocks"])) < 1000


def test_help_answers_privately_with_usage(bot: Bot) -> None:
    response, _ = bot.user().slash("help")
    body = response.json()
    assert "/licenses" in body["text"] and body.get("response_type", "ephemeral") == "ephemeral"
    assert bot.fake.calls("views.open") == []


def test_a_stranger_is_refused_privately_and_no_modal_opens(bot: Bot) -> None:
    response, _ = bot.user("USTRANGER").slash()
    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "You are not a licensebot operator; ask a partner admin to add you to the directory.",
    }
    assert bot.fake.calls("views.open") == []


def test_selection_survives_paging_and_searching(bot: Bot) -> None:
    user = open_contoso(bot)
    tick(user, "Alice Adams", "Bob Brown")
    assert "2 selected" in user.text()
    user.act_and_wait(ids.PAGE_NEXT)
    assert "page 2 of 3" in user.text()
    tick(user, "Zed User 05")
    user.act_and_wait(ids.PAGE_LAST)
    assert "page 3 of 3" in user.text()
    user.act_and_wait(ids.PAGE_FIRST)
    element = user.block_with(ids.SELECT_USERS)["elements"][0]
    assert sorted(o["text"]["text"].split("*")[1] for o in element["initial_options"]) == ["Alice Adams", "Bob Brown"]
    user.act_and_wait(ids.SEARCH_INPUT, value="carol")
    assert "Carol Chen" in user.text() and "Alice Adams" not in user.text() and "3 selected" in user.text()
    tick(user, "Carol Chen")
    view = user.act_and_wait(ids.SHOW_SELECTED)
    options = view and user.block_with(ids.SELECT_USERS)["elements"][0]["options"]
    assert [o["text"]["text"].split("*")[1] for o in options] == [
        "Alice Adams",
        "Bob Brown",
        "Carol Chen",
        "Zed User 05",
    ]


def test_deselecting_in_the_selected_list_and_clearing(bot: Bot) -> None:
    user = open_contoso(bot)
    tick(user, "Alice Adams", "Bob Brown")
    user.act_and_wait(ids.SHOW_SELECTED)
    element = user.block_with(ids.SELECT_USERS)["elements"][0]
    keep = [o for o in element["initial_options"] if "Bob" in o["text"]["text"]]
    user.act_and_wait(ids.SELECT_USERS, selected_options=keep)
    assert "1 selected" in user.text() or "Showing the 1 selected" in user.text()
    user.act_and_wait(ids.SHOW_ALL)
    user.act_and_wait(ids.SELECT_PAGE)
    assert "10 selected" in user.text()
    user.act_and_wait(ids.CLEAR_ALL)
    assert "0 selected" in user.text()


def test_manage_licenses_needs_a_selection(bot: Bot) -> None:
    user = open_contoso(bot)
    answer = user.submit()
    assert answer == {
        "response_action": "errors",
        "errors": {ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."},
    }


def test_manage_shows_every_product_with_availability_and_state(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams", "Bob Brown")
    blocks = {b.get("block_id"): b for b in user.view["blocks"]}
    e3 = blocks[f"{ids.PRODUCT_BLOCK_PREFIX}{E3}"]
    assert e3["label"]["text"].startswith("Office 365 E3") and "1 available" in e3["label"]["text"]
    assert "1 of 2" in e3["hint"]["text"] and "Alice Adams" in e3["hint"]["text"]
    assert e3["element"]["initial_option"]["value"] == Desired.KEEP  # some hold it: leave as is
    e5 = blocks[f"{ids.PRODUCT_BLOCK_PREFIX}{E5}"]
    assert e5["element"]["initial_option"]["value"] == Desired.REVOKE  # none holds it
    assert "Buy more" in user.text()  # Visio has no license left
    assert "Alice Adams" in user.text() and "Bob Brown" in user.text()


def test_save_assigns_and_confirms_in_a_thread_with_every_outcome(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams", "Bob Brown", "Carol Chen")
    user.choose(E3, Desired.ASSIGN)
    parent = save(bot, user)
    assert holders(bot, E3) == {"alice", "bob", "erin"}
    assert parent["channel"] == "C0LICENSE"
    # Carol fails twice over: E3 is not sold in CN, and Bob (earlier by name) took the last seat.
    assert parent["text"] == "Contoso Ltd: licenses updated for 1 of 3 users, 2 errors"
    thread = bot.fake.thread("C0LICENSE", parent["ts"])
    replies = "\n".join(shown(m["blocks"]) + m["text"] for m in thread[1:])
    assert "Bob Brown" in replies and "Office 365 E3 is not available in CN" in replies
    assert "No Office 365 E3 license left: all 3 are assigned." in replies
    result = user.text()
    assert "Carol Chen" in result and "Updated 1 of 3" in result


def test_preview_warns_before_save_who_will_not_get_a_product(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams", "Bob Brown", "Frank Fox")
    user.choose(E5, Desired.ASSIGN)
    user.act_and_wait(
        ids.PRODUCT_CHOICE, block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{E5}", selected_option={"value": Desired.ASSIGN}
    )
    assert "1 of the 3 users will not get Office 365 E5: only 2 available." in user.text()


def test_revoke_from_all_selected(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Frank Fox")
    user.choose(E1, Desired.REVOKE)
    parent = save(bot, user)
    assert holders(bot, E1) == set()
    assert parent["text"] == "Contoso Ltd: licenses updated for 1 of 1 user"


def test_saving_nothing_is_an_inline_error(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams")
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "errors"
    assert "Nothing to change" in next(iter(answer["errors"].values()))


def test_an_invalid_usage_location_is_an_inline_error_and_a_valid_one_is_set(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Nolo Nowhere")
    user.type(ids.LOCATION_BLOCK, ids.LOCATION_INPUT, {"type": "plain_text_input", "value": "USA"})
    answer = user.submit()
    assert answer == {
        "response_action": "errors",
        "errors": {ids.LOCATION_BLOCK: "'USA' is not an ISO 3166-1 alpha-2 country code (for example US, DE, GB)."},
    }
    user.type(ids.LOCATION_BLOCK, ids.LOCATION_INPUT, {"type": "plain_text_input", "value": "fr"})
    user.choose(E5, Desired.ASSIGN)
    save(bot, user)
    page = queries.page_users("contoso", actor=ADMIN, query="nolo", uow=bot.deps.uow_factory())
    assert page.users[0].location == "FR" and page.users[0].licenses == {E5}


def test_a_sales_agent_sees_no_location_input(bot: Bot) -> None:
    user = manage(open_contoso(bot, SALES), "Alice Adams")
    assert all(b.get("block_id") != ids.LOCATION_BLOCK for b in user.view["blocks"])


def test_a_double_submit_changes_nothing_twice(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, Desired.ASSIGN)
    view = user.with_state(user.view)
    payload = {"type": "view_submission", "trigger_id": bot.fake.new_trigger(), "view": view}
    before = len(bot.fake.calls("views.update"))
    first = user.interact(payload)
    second = user.interact(payload)
    assert first.status_code == second.status_code == 200
    bot.fake.wait_for("views.update", before + 2)  # each submission redrew the users page: both listeners are done
    bot.deliver()
    assert len(bot.fake.calls("chat.postMessage")) == 2  # one parent, one reply: the replay posts no second thread
    results = [r.json()["view"] for r in (first, second)]  # each answered with its result, within the budget
    assert [v["callback_id"] for v in results] == [ids.RESULT_VIEW] * 2
    assert sum("had already been applied, so nothing was changed again" in shown(v["blocks"]) for v in results) == 1
    with bot.deps.engine.connect() as conn:
        batches = conn.execute(text("SELECT count(*) FROM batches")).scalar()
        assigned = conn.execute(text("SELECT assigned FROM subscriptions WHERE sku = :s"), {"s": E5}).scalar()
    assert (batches, assigned) == (1, 1)


def test_the_audit_and_the_outbox_agree_and_each_message_is_posted_once(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice Adams", "Carol Chen")
    user.choose(E3, Desired.ASSIGN)  # Carol fails (CN): a batch with a refusal in the audit
    save(bot, user)
    user.close()
    user.submit()
    user.choose(E5, Desired.ASSIGN)
    save(bot, user)
    assert len(bot.fake.calls("chat.postMessage")) == 4
    with bot.deps.engine.connect() as conn:
        unsent = conn.execute(text("SELECT count(*) FROM outbox WHERE status != 'sent'")).scalar()
        audited = {r[0] for r in conn.execute(text("SELECT DISTINCT batch_id FROM audit"))}
        parents = conn.execute(text("SELECT id, batch_id, status FROM outbox WHERE parent_id IS NULL")).all()
    assert unsent == 0
    assert len(audited) == 2 and sorted(b for _, b, _ in parents) == sorted(audited)
    posted = [m["metadata"]["event_payload"]["outbox_id"] for m in bot.fake.messages("C0LICENSE") if "metadata" in m]
    assert sorted(posted) == sorted(set(posted)) and {i for i, _, _ in parents} <= set(posted)
