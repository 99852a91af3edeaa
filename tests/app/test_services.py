"""Services through the real app, as Slack drives it (signed requests, the fake Web API): Manage licenses → Services
(pushed) → a service off, one on → Back → the preview says it → Save → the result and the thread name each user's
service changes; the choices live on the server across Back and the services' pages. Local customer (contoso)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from blocks import ids
from tests.app.driver import E3, E5, Bot, SlackUser, manage, open_contoso, save
from tests.text import shown

ALICE, ERIN, BOB, EVE = "alice@contoso.com", "erin@contoso.com", "bob@contoso.com", "eve@contoso.com"


def turn_off(bot: Bot, user: str, sku: str, *plans: str) -> None:
    with bot.deps.uow_factory() as uow:
        uow.users.set_disabled_plans("contoso", [(user, sku, frozenset(plans))])
        uow.commit()


def disabled(bot: Bot, user: str, sku: str) -> frozenset[str]:
    with bot.deps.uow_factory() as uow:
        return uow.users.get_many("contoso", [user])[user].disabled_plans.get(sku, frozenset())


def replies(bot: Bot, parent: dict[str, Any]) -> str:
    return "\n".join(shown(m["blocks"]) + m["text"] for m in bot.fake.thread("C0LICENSE", parent["ts"])[1:])


def open_services(user: SlackUser, sku: str) -> dict[str, Any]:
    view = user.act_and_wait(ids.SERVICES_OPEN, method="views.push", selected_option={"value": sku})
    assert view["callback_id"] == ids.SERVICES_VIEW
    return view


def switch(user: SlackUser, plan: str, choice: str) -> None:
    """Choose a service's radio; the bot keeps it and redraws Manage licenses underneath (one views.update)."""
    block = f"{ids.SERVICE_BLOCK_PREFIX}{plan}"
    user.type(block, ids.SERVICE_CHOICE, {"type": "radio_buttons", "selected_option": {"value": choice}})
    user.act_and_wait(ids.SERVICE_CHOICE, block_id=block, selected_option={"value": choice})


def radio(view: dict[str, Any], plan: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == f"{ids.SERVICE_BLOCK_PREFIX}{plan}")["element"]


def test_one_service_off_one_on_for_three_users_then_back_and_save(bot: Bot) -> None:
    turn_off(bot, ALICE, E3, "TEAMS1")  # Teams: on for Erin only; Sway: on for both
    user = manage(open_contoso(bot), "Alice", "Erin", "Bob")
    select = user.block_with(ids.SERVICES_OPEN)["accessory"]
    assert [o["value"] for o in select["options"]] == ["MCOMEETADV", E3]  # held by the selection, by name
    view = open_services(user, E3)
    teams = radio(view, "TEAMS1")
    assert teams["initial_option"]["value"] == "keep"
    assert [o.get("description", {}).get("text") for o in teams["options"]] == [None, "Now: on for 1 of 2", None]
    assert "2 selected users hold it" in user.text()
    switch(user, "SWAY", "off")
    switch(user, "TEAMS1", "on")
    user.close()  # Back: Manage licenses, whose preview already counts the choices
    assert user.view["callback_id"] == ids.MANAGE_VIEW
    text = user.text()
    assert "Microsoft Teams on for 1 user (Office 365 E3)" in text and "Sway off for 2 users (Office 365 E3)" in text
    parent = save(bot, user)
    assert disabled(bot, ALICE, E3) == disabled(bot, ERIN, E3) == {"SWAY"}
    result = user.text()
    assert "Microsoft Teams on in Office 365 E3" in result and "does not hold Office 365 E3" in result
    thread = replies(bot, parent)
    assert thread.count("Sway off in Office 365 E3") == 2 and "Bob Brown" in thread
    bot.user().open("history contoso alice@contoso.com")  # /licenses history says it in words too
    history = shown(bot.fake.views[bot.fake.calls("views.open")[-1].response["view"]["id"]]["blocks"])
    assert "Sway off in Office 365 E3" in history and "Microsoft Teams on in Office 365 E3" in history


def test_choices_survive_the_services_pages_and_back(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice")
    user.choose(E5, "assign")  # E5 is given in this save: its services can be chosen too
    user.act_and_wait(
        ids.PRODUCT_CHOICE, block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{E5}", selected_option={"value": "assign"}
    )
    view = open_services(user, E5)
    assert "1 user will get it with the services chosen here" in user.text()
    assert "Services 1–40 of 56" in user.text() and radio(view, "TEAMS1")["initial_option"]["value"] == "on"
    switch(user, "TEAMS1", "off")
    page2 = user.act_and_wait(ids.SERVICE_PAGE_NEXT)
    assert "Services 41–56 of 56" in user.text()
    last = next(b["block_id"] for b in reversed(page2["blocks"]) if b.get("type") == "input")
    switch(user, last.removeprefix(ids.SERVICE_BLOCK_PREFIX), "off")
    back = user.act_and_wait(ids.SERVICE_PAGE_PREV)
    assert radio(back, "TEAMS1")["initial_option"]["value"] == "off"
    modal = bot.deps.modals.get(user.view["private_metadata"].split(":")[0])
    assert modal is not None  # both pages' choices on the server; the radios left as they started change nothing
    assert {p for p, c in modal.service_choices[E5].items() if c == "off"} == {"TEAMS1", last.split(":")[1]}
    user.close()
    save(bot, user)
    assert "TEAMS1" in disabled(bot, ALICE, E5) and len(disabled(bot, ALICE, E5)) == 2


def test_hostile_names_are_escaped_in_the_result_and_thread(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Eve")
    user.choose(E3, "assign")
    user.act_and_wait(
        ids.PRODUCT_CHOICE, block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{E3}", selected_option={"value": "assign"}
    )
    open_services(user, E3)
    switch(user, "TEAMS1", "off")
    user.close()
    parent = save(bot, user)
    assert disabled(bot, EVE, E3) == {"TEAMS1"}
    raw = str(bot.fake.thread("C0LICENSE", parent["ts"])[1:])
    assert "<!channel>" not in raw and "&lt;!channel&gt; Eve &amp; &lt;b&gt;" in raw
    assert "Microsoft Teams off in Office 365 E3" in replies(bot, parent)


def test_services_with_a_start_day_are_refused_under_it_and_nothing_is_saved(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Alice")
    open_services(user, E3)
    switch(user, "TEAMS1", "off")
    user.close()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    user.type(ids.STARTS_BLOCK, ids.STARTS_INPUT, {"type": "datepicker", "selected_date": tomorrow})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "errors"
    assert "Services change at once only" in answer["errors"][ids.STARTS_BLOCK]
    assert disabled(bot, ALICE, E3) == frozenset()
