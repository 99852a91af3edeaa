"""Buy more, with approval, end to end: the request posted with Approve and Decline in the sales channel, one
decision by someone allowed to make it, the message updated, and the requester told in the request's thread."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from blocks import ids
from licensing.connected.sync import sync_tenant
from licensing.model import Operator, Role
from licensing.tenants import RemoteSku, Tenant, TenantSnapshot
from tests.app.driver import ADMIN, SALES, SCOPED, STRANGER, VISIO, Bot, click_message, manage, open_contoso, wait_home
from tests.text import shown

SALES_CHANNEL = "C0SALES"
GLOBAL, HELPDESK, USERS_ADMIN = "UGLOBAL01", "UHELP01", "UUSERS01"


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    return {"licensebot_sales_channel": SALES_CHANNEL}  # by its environment name: the alias is what validates


def request_visio(bot: Bot, quantity: int = 5, note: str = "New hires in March") -> dict[str, Any]:
    """Alice's page → Buy more Visio → quantity and note → Send; then the worker posts it. Returns the message."""
    user = manage(open_contoso(bot), "Alice Adams")
    block = user.block_with(ids.BUY_MORE)
    element = block.get("accessory") or block["elements"][0]
    fields = {"value": VISIO} if element["type"] == "button" else {"selected_option": {"value": VISIO}}
    user.act_and_wait(ids.BUY_MORE, method="views.push", **fields)
    user.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": str(quantity)})
    user.type(ids.BUY_NOTE_BLOCK, ids.BUY_NOTE_INPUT, {"type": "plain_text_input", "value": note})
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update"
    assert bot.deliver() == 1
    [message] = bot.fake.messages(SALES_CHANNEL)
    return message


def visio_quantity(bot: Bot) -> int:
    with bot.deps.engine.connect() as conn:
        q = "SELECT quantity FROM subscriptions WHERE customer_id = 'contoso' AND sku = 'VISIOCLIENT'"
        return int(conn.execute(text(q)).scalar_one())


def stored(bot: Bot) -> tuple[Any, ...]:
    with bot.deps.engine.connect() as conn:
        row = conn.execute(
            text("SELECT status, decided_by, reason, note, message_channel, message_ts FROM purchase_requests")
        ).one()
    return tuple(row)


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def add_operators(bot: Bot) -> None:
    with bot.deps.uow_factory() as uow:
        uow.operators.upsert(
            [
                Operator(GLOBAL, Role.GLOBAL_ADMIN, "Gil Global"),
                Operator(HELPDESK, Role.HELPDESK_AGENT, "Hana Help"),
                Operator(USERS_ADMIN, Role.USER_MANAGEMENT_ADMIN, "Uma Users"),
            ]
        )
        uow.commit()


def test_a_request_is_posted_in_the_sales_channel_and_an_approval_raises_the_quantity(bot: Bot) -> None:
    message = request_visio(bot)
    assert buttons(message) == [ids.PURCHASE_APPROVE, ids.PURCHASE_DECLINE]
    said = message["text"] + shown(message["blocks"])
    assert "5 more *Visio Plan 2* for *Contoso Ltd*" in said and f"<@{ADMIN}>" in said and "New hires" in said

    assert click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE).status_code == 200
    [update] = bot.fake.wait_for("chat.update", 1)
    assert update.ok
    assert visio_quantity(bot) == 6
    assert stored(bot) == ("approved", SALES, None, "New hires in March", SALES_CHANNEL, message["ts"])
    [shown_now] = bot.fake.messages(SALES_CHANNEL)
    assert buttons(shown_now) == []
    now = shown(shown_now["blocks"])
    assert f"Approved by <@{SALES}> on <!date^" in now and "Contoso Ltd now owns 6 Visio Plan 2 licenses" in now
    with bot.deps.engine.connect() as conn:
        audit = conn.execute(text("SELECT operator, outcome FROM audit ORDER BY id")).all()
    assert [tuple(a) for a in audit][-2:] == [(ADMIN, "requested"), (SALES, "approved")]

    assert bot.deliver() == 1  # the requester is told in the request's thread, by name
    [_, told] = bot.fake.messages(SALES_CHANNEL)
    assert told["thread_ts"] == message["ts"]
    assert told["text"].startswith("Your Buy more request 1 was approved: 5 more Visio Plan 2 for Contoso Ltd")
    assert shown(told["blocks"]).startswith(f"<@{ADMIN}>, your Buy more request 1")


def test_a_second_decision_is_refused_privately(bot: Bot) -> None:
    message = request_visio(bot)
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    click_message(bot, ADMIN, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)  # a stale copy still had the buttons
    click_message(bot, ADMIN, SALES_CHANNEL, message, ids.PURCHASE_DECLINE)
    bot.fake.wait_for("chat.postEphemeral", 2)
    refusals = bot.fake.ephemeral(SALES_CHANNEL, ADMIN)
    assert [m["text"] for m in refusals] == ["Request 1 was already approved by Sam Sales."] * 2
    assert visio_quantity(bot) == 2 - 1 + 5 and len(bot.fake.calls("chat.update")) == 1
    assert len(bot.fake.calls("views.open")) == 1  # /licenses only: no Decline modal for a decided request


def test_decline_asks_for_a_reason_records_it_and_tells_the_requester(bot: Bot) -> None:
    message = request_visio(bot)
    decider = bot.user(SALES, SALES_CHANNEL)
    before = len(bot.fake.calls("views.open"))
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_DECLINE)
    decider.top = bot.fake.wait_for("views.open", before + 1)[-1].response["view"]["id"]
    assert decider.view["callback_id"] == ids.DECLINE_VIEW
    answer = decider.submit()  # no reason
    assert answer is not None and answer["response_action"] == "errors"
    assert ids.DECLINE_REASON_BLOCK in answer["errors"]
    decider.type(
        ids.DECLINE_REASON_BLOCK, ids.DECLINE_REASON_INPUT, {"type": "plain_text_input", "value": "Budget is frozen"}
    )
    assert decider.submit() is None  # closed
    bot.fake.wait_for("chat.update", 1)
    assert visio_quantity(bot) == 1
    assert stored(bot)[:3] == ("declined", SALES, "Budget is frozen")
    [now] = bot.fake.messages(SALES_CHANNEL)
    assert buttons(now) == [] and "Declined: Budget is frozen" in shown(now["blocks"])
    assert bot.deliver() == 1
    [_, told] = bot.fake.messages(SALES_CHANNEL)
    assert told["thread_ts"] == message["ts"]
    assert "was declined" in told["text"] and "Budget is frozen" in shown(told["blocks"])


@pytest.mark.parametrize("who", [STRANGER, SCOPED, HELPDESK, USERS_ADMIN])
@pytest.mark.parametrize("button", [ids.PURCHASE_APPROVE, ids.PURCHASE_DECLINE])
def test_who_may_not_decide_is_refused_privately(bot: Bot, who: str, button: str) -> None:
    add_operators(bot)
    message = request_visio(bot)
    assert click_message(bot, who, SALES_CHANNEL, message, button).status_code == 200
    bot.fake.wait_for("chat.postEphemeral", 1)
    [refusal] = bot.fake.ephemeral(SALES_CHANNEL, who)
    assert "not" in refusal["text"] or "cannot" in refusal["text"]
    assert "_agent" not in refusal["text"] and "_admin" not in refusal["text"] and who not in refusal["text"]
    assert stored(bot)[0] == "requested" and visio_quantity(bot) == 1
    assert bot.fake.calls("chat.update") == [] and len(bot.fake.calls("views.open")) == 1


def test_a_global_admin_may_decide(bot: Bot) -> None:
    add_operators(bot)
    message = request_visio(bot)
    click_message(bot, GLOBAL, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    assert stored(bot)[:2] == ("approved", GLOBAL)


class Tenant365:
    """Just enough of Microsoft 365 for a sync: the seats, and no users."""

    def __init__(self, visio: int) -> None:
        self.visio = visio

    def snapshot(self, tenant: str) -> TenantSnapshot:
        return TenantSnapshot((RemoteSku(VISIO, "Visio Plan 2", self.visio, 1),), ())


def test_a_connected_customer_is_approved_for_partner_center_and_a_later_sync_closes_it(bot: Bot) -> None:
    with bot.deps.uow_factory() as uow:
        uow.mirror.upsert([Tenant("contoso", "contoso.onmicrosoft.com")])
        uow.commit()
    message = request_visio(bot, quantity=4)
    click_message(bot, ADMIN, SALES_CHANNEL, message, ids.PURCHASE_APPROVE)
    bot.fake.wait_for("chat.update", 1)
    [now] = bot.fake.messages(SALES_CHANNEL)
    assert "place the order in Partner Center" in shown(now["blocks"]) and visio_quantity(bot) == 1
    assert stored(bot)[0] == "approved"
    tenant = Tenant365(visio=1)
    sync_tenant("contoso", provider=tenant, uow=bot.deps.uow_factory())  # type: ignore[arg-type]
    assert stored(bot)[0] == "approved"  # not ordered yet
    tenant.visio = 5
    sync_tenant(
        "contoso",
        provider=tenant,
        uow=bot.deps.uow_factory(),  # type: ignore[arg-type]
        clock=lambda: datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert stored(bot)[0] == "fulfilled" and visio_quantity(bot) == 5


def test_a_request_waits_on_home_until_decided(bot: Bot) -> None:
    message = request_visio(bot)
    home = wait_home(bot, ADMIN)  # the requester's Home, refreshed after the request
    asked = f"5 × Visio Plan 2 for Contoso Ltd — asked by <@{ADMIN}>"
    assert asked in shown(home["blocks"])
    assert "Buy more Visio Plan 2 · Contoso Ltd — requested" in shown(home["blocks"])  # words, not buy_more
    assert click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_APPROVE).status_code == 200
    decided = shown(wait_home(bot, SALES)["blocks"])  # the decider's Home, refreshed after the decision
    assert "5 × Visio Plan 2" not in decided and "None waiting." in decided  # approved: no longer waiting
    assert "Buy more Visio Plan 2 · Contoso Ltd — approved" in decided


def test_a_damaged_decline_form_is_told_under_the_reason_and_decides_nothing(bot: Bot) -> None:
    message = request_visio(bot)
    decider = bot.user(SALES, SALES_CHANNEL)
    before = len(bot.fake.calls("views.open"))
    click_message(bot, SALES, SALES_CHANNEL, message, ids.PURCHASE_DECLINE)
    decider.top = bot.fake.wait_for("views.open", before + 1)[-1].response["view"]["id"]
    decider.view["private_metadata"] = "not-a-request"  # not metadata this bot wrote
    decider.type(ids.DECLINE_REASON_BLOCK, ids.DECLINE_REASON_INPUT, {"type": "plain_text_input", "value": "No"})
    answer = decider.submit()
    assert answer is not None and answer["response_action"] == "errors"
    assert answer["errors"] == {ids.DECLINE_REASON_BLOCK: "This form is damaged: press Decline on the request again."}
    assert stored(bot)[0] == "requested" and bot.fake.calls("chat.update") == []
