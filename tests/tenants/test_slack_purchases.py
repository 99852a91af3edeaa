"""Approve = buy, from Slack: Buy more on a connected customer → the request in the sales channel → a helpdesk
agent refused → a sales agent approves → one PATCH in the fake Partner Center → sync → closed; refused by Partner
Center; several subscriptions to choose from; a double click; and without Partner Center settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from blocks import ids
from bot.runtime import jobs
from fakes.m365 import FakeM365
from fakes.m365.seed import E1
from fakes.m365.seed import VISIO as VISIO_ID
from fakes.slack import FakeSlack
from licensing.connected.sync import sync_tenant
from licensing.model import Operator, Role
from storage.migrate import upgrade
from tests.app.driver import Bot, click_message, manage
from tests.partner_center.helpers import PARTNER, Shop
from tests.tenants.test_slack import running
from tests.text import shown

SALES_CHANNEL = "C0SALES"
SALES, HELPDESK, ADMIN = "USALES01", "UHELP01", "UADMIN01"
VISIO = "VISIOCLIENT"


def partner_settings(m365: FakeM365) -> dict[str, Any]:
    return {
        "licensebot_sales_channel": SALES_CHANNEL,
        "licensebot_partner_tenant_id": PARTNER,
        "licensebot_partner_center_url": m365.partner_center_url,
    }


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, shop: Shop) -> Iterator[Bot]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    yield from with_deciders(running(url, fake_slack, m365, **partner_settings(m365)))


@pytest.fixture
def manual_bot(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, shop: Shop) -> Iterator[Bot]:
    """Graph is set up, Partner Center is not."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    yield from with_deciders(running(url, fake_slack, m365, licensebot_sales_channel=SALES_CHANNEL))


def with_deciders(bots: Iterator[Bot]) -> Iterator[Bot]:
    for bot in bots:
        with bot.deps.uow_factory() as uow:
            uow.operators.upsert(
                [Operator(SALES, Role.SALES_AGENT, "Sam Sales"), Operator(HELPDESK, Role.HELPDESK_AGENT, "Hana Help")]
            )
            uow.commit()
        yield bot


def request_visio(bot: Bot, m365: FakeM365, shop: Shop, quantity: int = 3) -> dict[str, Any]:
    """Ann's page → Buy more Visio → quantity → Send; the worker posts it. Returns the posted request."""
    tenant = m365.tenant("contoso.onmicrosoft.com")
    m365.add_user(tenant.id, "ann@contoso.onmicrosoft.com", licenses=(E1, VISIO_ID))
    tenant.skus[VISIO_ID].enabled = 1  # Ann holds the only one: Buy more shows
    m365.partner.touch(tenant.id, shop.visio.id, quantity=1)
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    user = bot.user(ADMIN)
    user.open("contoso")
    manage(user, "ann")
    block = user.block_with(ids.BUY_MORE)
    element = block.get("accessory") or block["elements"][0]
    fields = {"value": VISIO} if element["type"] == "button" else {"selected_option": {"value": VISIO}}
    user.act_and_wait(ids.BUY_MORE, method="views.push", **fields)
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": str(quantity)})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update"
    assert bot.deliver() == 1
    [message] = bot.fake.messages(SALES_CHANNEL)
    return message


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def visio_owned(bot: Bot) -> int:
    with bot.deps.uow_factory() as uow:
        return uow.subscriptions.for_customer("contoso")[VISIO].quantity


def status(bot: Bot) -> str:
    with bot.deps.uow_factory() as uow:
        found = uow.purchases.get(1)
        assert found is not None
        return found.status.value


def test_an_approval_by_a_sales_agent_buys_once_syncs_and_closes_the_request(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    message = request_visio(bot, m365, shop)
    click_message(bot, HELPDESK, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.postEphemeral", 1)
    [refusal] = bot.fake.ephemeral(SALES_CHANNEL, HELPDESK)
    assert "cannot approve or decline purchases" in refusal["text"]
    assert m365.partner.patches == []

    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]
    assert visio_owned(bot) == 4 and status(bot) == "fulfilled"  # synced at once, closed by that sync
    [now] = bot.fake.messages(SALES_CHANNEL)
    said = shown(now["blocks"])
    assert buttons(now) == []
    assert "Bought in Partner Center: 3 more Visio Plan 2 on Visio Plan 2, which now has 4" in said
    assert f"Approved by <@{SALES}> on <!date^" in said

    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)  # a double click, from a stale copy
    bot.fake.wait_for("chat.postEphemeral", 2)
    assert bot.fake.ephemeral(SALES_CHANNEL, SALES)[-1]["text"] == "Request 1 was already fulfilled by Sam Sales."
    assert len(m365.partner.patches) == 1

    bot.deliver()
    told = [m for m in bot.fake.messages(SALES_CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert any("Bought in Partner Center" in shown(m["blocks"]) for m in told)


def test_a_refusal_shows_partner_centers_description_buys_nothing_and_can_be_decided_again(
    bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    shop.visio.max_quantity = 3
    message = request_visio(bot, m365, shop)
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    reason = "Quantity 4 is not within the allowed range of 1 to 3 for this offer."
    [now] = bot.fake.messages(SALES_CHANNEL)
    assert f"Partner Center refused it: {reason}" in shown(now["blocks"])
    assert buttons(now) == [ids.PURCHASE_APPROVE, ids.PURCHASE_DECLINE]  # it can be decided again
    assert m365.partner.patches == [] and status(bot) == "requested" and visio_owned(bot) == 1
    bot.deliver()
    told = [shown(m["blocks"]) for m in bot.fake.messages(SALES_CHANNEL) if m.get("thread_ts") == message["ts"]]
    assert any(reason in t and f"<@{ADMIN}>" in t for t in told)

    shop.visio.max_quantity = 300
    click_message(bot, SALES, SALES_CHANNEL, now | {"ts": message["ts"]}, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 2)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]


def test_several_subscriptions_are_offered_and_the_one_picked_is_bought(bot: Bot, m365: FakeM365, shop: Shop) -> None:
    annual = m365.partner.add_subscription(
        shop.tenant_id, shop.visio.sku_id, "Visio Plan 2 annual", 10, billing_cycle="annual", term="P1Y"
    )
    message = request_visio(bot, m365, shop)
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    [offer] = bot.fake.messages(SALES_CHANNEL)
    said = shown(offer["blocks"])
    assert "Several subscriptions in Partner Center provide it" in said
    assert "*Visio Plan 2 annual*: 10 now · term P1Y · billed annual, until " in said
    assert "*Visio Plan 2*: 1 now · term P1M · billed monthly" in said
    assert m365.partner.patches == [] and status(bot) == "requested"
    on = next(
        e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"] if e["value"] == f"1:{annual.id}"
    )
    click_message(bot, SALES, SALES_CHANNEL, offer | {"ts": message["ts"]}, on["action_id"])
    bot.fake.wait_for("chat.update", 2)
    assert [(p.subscription_id, p.before, p.after) for p in m365.partner.patches] == [(annual.id, 10, 13)]


def test_without_partner_center_settings_approval_asks_for_the_order_by_hand_and_says_why(
    manual_bot: Bot, m365: FakeM365, shop: Shop
) -> None:
    message = request_visio(manual_bot, m365, shop)
    click_message(manual_bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    manual_bot.fake.wait_for("chat.update", 1)
    said = shown(manual_bot.fake.messages(SALES_CHANNEL)[0]["blocks"])
    assert "place the order in Partner Center to bring Visio Plan 2 to 4" in said
    assert "licensebot is not connected to Partner Center: LICENSEBOT_PARTNER_TENANT_ID" in said
    assert m365.partner.patches == []


def test_a_wrong_secret_is_one_clear_line_and_nothing_is_approved(bot: Bot, m365: FakeM365, shop: Shop) -> None:
    message = request_visio(bot, m365, shop)
    m365.directory.apps[m365.client_id].secrets = {"rotated"}  # the app's secret changed in Entra ID
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.postEphemeral", 1)
    [said] = bot.fake.ephemeral(SALES_CHANNEL, SALES)
    assert said["text"].startswith("Nothing was approved: Partner Center sign-in refused:")
    assert "AADSTS7000215" in said["text"] and m365.client_secret not in said["text"] and "\n" not in said["text"]
    assert status(bot) == "requested" and m365.partner.patches == []


def test_an_order_left_without_an_answer_is_resumed_once_and_the_request_message_then_shows_it(
    tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, shop: Shop
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    settings = {**partner_settings(m365), "licensebot_partner_order_lease_s": 0.01}  # a dead approver's lease, ended
    for bot in with_deciders(running(url, fake_slack, m365, **settings)):
        message = request_visio(bot, m365, shop)
        m365.fail_next(5, status=503, retry_after=None, method="PATCH", path=r"/subscriptions/[^/]+$")  # no answer
        click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
        bot.fake.wait_for("chat.update", 1)
        assert m365.partner.patches == [] and status(bot) == "approved"
        assert jobs.resume_orders(bot.deps, bot.worker.client) == 1  # the worker's job, as every 30 s
        bot.fake.wait_for("chat.update", 2)
        [now] = bot.fake.messages(SALES_CHANNEL)
        assert "Bought in Partner Center: 3 more Visio Plan 2 on Visio Plan 2, which now has 4" in shown(now["blocks"])
        assert buttons(now) == [] and [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]
        assert jobs.resume_orders(bot.deps, bot.worker.client) == 0 and len(m365.partner.patches) == 1
