"""Reduce, from Slack: a Reduce request (asked with `licensebot licenses reduce`) in the sales channel → a sales agent
approves → one PATCH lowering the subscription in the fake Partner Center → sync → closed; and after the window,
Partner Center's refusal in the message, nothing changed, the request open again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from blocks import ids
from bot.purchases.messages import request_thread
from fakes.m365 import FakeM365
from fakes.slack import FakeSlack
from licensing.connected import rightsize
from licensing.connected.sync import sync_tenant
from storage.migrate import upgrade
from tests.app.driver import Bot, click_home, click_message, open_home
from tests.partner_center.helpers import Shop
from tests.tenants.test_slack import running
from tests.tenants.test_slack_purchases import (
    ADMIN,
    SALES,
    SALES_CHANNEL,
    VISIO,
    buttons,
    partner_settings,
    status,
    visio_owned,
    with_deciders,
)
from tests.text import shown


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, shop: Shop) -> Iterator[Bot]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    yield from with_deciders(running(url, fake_slack, m365, **partner_settings(m365)))


def two_assigned(bot: Bot, m365: FakeM365, shop: Shop) -> date:
    """Contoso owns 25 Visio, 2 assigned, bought 2 days ago: Partner Center takes some back until the day returned."""
    tenant = m365.tenant("contoso.onmicrosoft.com")
    for n in range(2):
        m365.add_user(tenant.id, f"visio{n}@contoso.onmicrosoft.com", licenses=(shop.visio.sku_id,))
    shop.visio.cancellable_until = datetime.now(UTC).date() + timedelta(days=5)
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    return shop.visio.cancellable_until


def ask_to_reduce(bot: Bot, m365: FakeM365, shop: Shop, quantity: int = 4) -> dict[str, Any]:
    """The operator asks for `quantity` fewer of Contoso's 23 unused Visio. Returns the request as posted."""
    two_assigned(bot, m365, shop)
    notify = request_thread(bot.deps.settings)
    rightsize.request_reduction("contoso", VISIO, quantity, actor=ADMIN, uow=bot.deps.uow_factory(), notify=notify)
    assert bot.deliver() == 1
    [message] = bot.fake.messages(SALES_CHANNEL)
    assert "Reduce: 4 fewer *Visio Plan 2* for *Contoso*" in shown(message["blocks"])
    return message


def test_an_approved_reduction_lowers_the_subscription_once_and_closes_the_request(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    message = ask_to_reduce(bot, m365, shop)
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 21)]
    assert visio_owned(bot) == 21 and status(bot) == "fulfilled"
    [now] = bot.fake.messages(SALES_CHANNEL)
    assert buttons(now) == []
    assert "Reduced in Partner Center: 4 fewer Visio Plan 2 on Visio Plan 2, which now has 21" in shown(now["blocks"])
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)  # a double click, from a stale copy
    bot.fake.wait_for("chat.postEphemeral", 1)
    assert len(m365.partner.patches) == 1
    bot.deliver()
    told = [shown(m["blocks"]) for m in bot.fake.messages(SALES_CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert any(f"<@{ADMIN}>, your Reduce request 1 (4 fewer" in t for t in told)


def test_after_the_window_partner_centers_refusal_is_shown_and_nothing_changes(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    message = ask_to_reduce(bot, m365, shop)
    shop.visio.cancellable_until = datetime.now(UTC).date() - timedelta(days=1)
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    [now] = bot.fake.messages(SALES_CHANNEL)
    reason = "The quantity cannot be reduced: the cancellation window of this subscription has ended."
    assert f"Partner Center refused it: {reason} Nothing was given back" in shown(now["blocks"])
    assert buttons(now) == [ids.PURCHASE_APPROVE, ids.PURCHASE_DECLINE]  # it can be decided again
    assert m365.partner.patches == [] and status(bot) == "requested" and visio_owned(bot) == 25


def test_the_home_of_a_connected_customer_says_what_is_reducible_until_when(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    until = two_assigned(bot, m365, shop)
    open_home(bot, ADMIN)
    assert "reducible" not in shown(bot.fake.home_view(ADMIN)["blocks"])  # every customer: Partner Center not asked
    user = bot.user(ADMIN)
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "contoso"})
    said = shown(bot.fake.home_view(ADMIN)["blocks"])
    assert f"Visio Plan 2 · 23 unused, reducible until {until.day} {until:%b}" in said
    assert said.count("reducible until") == 1  # E3's subscription has no window open
    shop.visio.cancellable_until = datetime.now(UTC).date() - timedelta(days=1)
    click_home(bot, user, ids.HOME_ALL, "views.publish")
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "contoso"})
    assert "reducible" not in shown(bot.fake.home_view(ADMIN)["blocks"])


def test_reduce_from_the_home_asks_how_many_fewer_refuses_too_many_and_posts_the_request(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    until = two_assigned(bot, m365, shop)
    open_home(bot, ADMIN)
    user = bot.user(ADMIN)
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "contoso"})
    opened = click_home(bot, user, ids.HOME_REDUCE, "views.open", value=f"contoso|{VISIO}")
    user.top = opened.response["view"]["id"]
    assert user.view["callback_id"] == ids.REDUCE_VIEW
    assert f"unused: 23, reducible until {until.day} {until:%b %Y}" in shown(user.view["blocks"])
    quantity = {"type": "number_input", "value": "24"}  # one more than unused: assigned licenses are never given back
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, quantity)
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "errors"
    assert "23 unused" in answer["errors"][ids.BUY_QUANTITY_BLOCK] and no_request(bot)
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": "4"})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update"
    assert "Request sent: 4 fewer *Visio Plan 2* for *Contoso" in shown(answer["view"]["blocks"])
    assert "Nothing was given back yet" in shown(answer["view"]["blocks"])
    assert bot.deliver() == 1
    [message] = bot.fake.messages(SALES_CHANNEL)
    assert "Reduce: 4 fewer *Visio Plan 2* for *Contoso*" in shown(message["blocks"])
    assert status(bot) == "requested" and m365.partner.patches == []  # nothing given back until approved


def test_reduce_on_a_home_older_than_the_window_says_so_and_opens_no_form(bot: Bot, m365: FakeM365, shop: Shop) -> None:
    two_assigned(bot, m365, shop)
    open_home(bot, ADMIN)
    user = bot.user(ADMIN)
    click_home(bot, user, ids.HOME_CUSTOMER, "views.publish", selected_option={"value": "contoso"})
    shop.visio.cancellable_until = datetime.now(UTC).date() - timedelta(days=1)  # the window closed since
    opened = click_home(bot, user, ids.HOME_REDUCE, "views.open", value=f"contoso|{VISIO}")
    said = shown(opened.response["view"]["blocks"])
    assert "Partner Center takes back no Visio Plan 2 of Contoso" in said and "nothing to reduce" in said
    assert opened.response["view"].get("callback_id") != ids.REDUCE_VIEW and no_request(bot)


def no_request(bot: Bot) -> bool:
    with bot.deps.uow_factory() as uow:
        return uow.purchases.get(1) is None
