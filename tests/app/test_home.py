"""App Home end to end: the dashboard when opened, drilling into a customer, opening its users, and fresh counts
after a save."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event

from blocks import ids
from licensing.dashboard import dashboard
from licensing.model import Customer, Operator, Role, Subscription
from tests.app.driver import (
    ADMIN,
    E5,
    SCOPED,
    STRANGER,
    Bot,
    click_home,
    manage,
    open_contoso,
    open_home,
    published,
    save,
    wait_home,
)
from tests.text import shown

Json = dict[str, Any]


def test_opening_home_shows_the_dashboard_of_every_customer(bot: Bot) -> None:
    home = open_home(bot)
    text = shown(home["blocks"])
    assert "*2 customers*" in text
    assert "*Contoso Ltd*" in text and "*Fabrikam, Inc.*" in text
    assert "`▰▰▰▰▰▰▰▱▱▱ 2/3` Office 365 E3" in text
    assert "None waiting." in text and "Nothing scheduled." in text


def test_a_scoped_operator_sees_only_theirs_and_a_stranger_the_hello(bot: Bot) -> None:
    text = shown(open_home(bot, SCOPED)["blocks"])
    assert "*Fabrikam, Inc.*" in text and "Contoso" not in text
    text = shown(open_home(bot, STRANGER)["blocks"])
    assert "You are not an operator yet" in text and "customers*" not in text


def test_choosing_a_customer_republishes_home_for_it_and_back(bot: Bot) -> None:
    open_home(bot)
    user = bot.user()
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "fabrikam"})
    text = shown(bot.fake.home_view(ADMIN)["blocks"])
    assert "*Fabrikam, Inc.*" in text and "*Contoso Ltd*" not in text and "← All customers" in text
    click_home(bot, user, ids.HOME_ALL, "views.publish")
    assert "*Contoso Ltd*" in shown(bot.fake.home_view(ADMIN)["blocks"])


def test_manage_users_opens_the_users_modal_and_a_save_refreshes_home(bot: Bot) -> None:
    open_home(bot)
    user = bot.user()
    call = click_home(bot, user, ids.HOME_OPEN, "views.open", value="contoso")
    user.top = call.response["view"]["id"]
    assert user.view["callback_id"] == ids.USERS_VIEW
    assert "`▱▱▱▱▱▱▱▱▱▱ 0/2` Office 365 E5" in shown(bot.fake.home_view(ADMIN)["blocks"])
    manage(user, "Bob Brown").choose(E5, "assign")
    before = len(published(bot, ADMIN))
    save(bot, user)
    text = shown(wait_home(bot, ADMIN, before)["blocks"])
    assert "`▰▰▰▰▰▱▱▱▱▱ 1/2` Office 365 E5" in text
    assert "Assign Office 365 E5 · bob@contoso.com at Contoso Ltd — applied" in text


def test_a_partner_with_300_customers_gets_a_summary_within_slacks_limits(bot: Bot) -> None:
    skus = ["STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "MCOMEETADV", "VISIOCLIENT"]
    with bot.deps.uow_factory() as uow:
        uow.customers.upsert([Customer(f"c{i:03d}", f"Customer {i:03d}") for i in range(300)])
        uow.subscriptions.upsert(
            [
                Subscription(f"c{i:03d}", sku, 10, alert_below=20 if i % 50 == 7 and n == 2 else None)
                for i in range(300)
                for n, sku in enumerate(skus)
            ]
        )
        uow.commit()
    home = open_home(bot)
    assert bot.fake.validation_errors == []
    assert len(home["blocks"]) <= 100
    text = shown(home["blocks"])
    assert "*302 customers* · *6 subscriptions low on seats*" in text
    heads = [b["text"]["text"] for b in home["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_OPEN]
    assert len(heads) == 12
    assert [h.split("*")[1] for h in heads[:6]] == [f"Customer {i:03d}" for i in (7, 57, 107, 157, 207, 257)]


def statements(bot: Bot, user: str = ADMIN) -> int:
    """How many SQL statements the dashboard takes."""
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(bot.deps.engine, "before_cursor_execute", counted)
    try:
        dashboard(actor=user, uow=bot.deps.uow_factory())
    finally:
        event.remove(bot.deps.engine, "before_cursor_execute", counted)
    return count


def test_the_dashboard_reads_as_much_for_300_customers_as_for_2(bot: Bot) -> None:
    few = statements(bot)
    with bot.deps.uow_factory() as uow:
        uow.customers.upsert([Customer(f"c{i:03d}", f"Customer {i:03d}") for i in range(300)])
        uow.subscriptions.upsert([Subscription(f"c{i:03d}", E5, 10) for i in range(300)])
        uow.commit()
    assert statements(bot) == few


def test_a_customer_out_of_scope_shows_every_customer_or_a_notice(bot: Bot) -> None:
    open_home(bot, SCOPED)
    user = bot.user(SCOPED)
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "contoso"})
    text = shown(bot.fake.home_view(SCOPED)["blocks"])
    assert "*Fabrikam, Inc.*" in text and "Contoso" not in text and "← All customers" not in text
    with bot.deps.uow_factory() as uow:  # scope narrowed after Home was published
        uow.operators.upsert([Operator(SCOPED, Role.HELPDESK_AGENT, "Hal Help", frozenset({"contoso"}))])
        uow.commit()
    call = click_home(bot, user, ids.HOME_OPEN, "views.open", value="fabrikam")
    assert call.response["view"]["callback_id"] == ids.NOTICE_VIEW


def test_recent_changes_read_in_the_readers_zone(bot: Bot) -> None:
    bot.fake.set_timezone(ADMIN, "Asia/Tokyo", 32400)
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, "assign")
    save(bot, user)
    text = shown(open_home(bot)["blocks"])
    assert re.search(r"\|\d{4}-\d\d-\d\d \d\d:\d\d Asia/Tokyo> Assign Office 365 E5 · bob@contoso.com", text), text
    assert " UTC>" not in text
