"""Approve and Decline on a posted Buy more request, and the Decline reason modal. Anyone may click; the use case
refuses who may not decide (bot/slack/errors.py tells them privately), and a request is decided once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from blocks.purchase import decline_view
from blocks.viewmodels import PurchaseVM
from bot.deps import Deps
from bot.handlers import events
from bot.purchases import outcome_reply, show_decision
from bot.slack.errors import after_ack
from bot.slack.roles import OPERATOR_ONLY
from licensing import purchases, queries
from licensing.errors import LicensingError
from licensing.model import Operator


def register(app: App) -> None:
    app.action(ids.PURCHASE_APPROVE, middleware=OPERATOR_ONLY)(after_ack(approve))
    app.action(ids.PURCHASE_DECLINE, middleware=OPERATOR_ONLY)(after_ack(ask_reason))
    app.view(ids.DECLINE_VIEW, middleware=OPERATOR_ONLY)(decline)


def message_of(body: dict[str, Any]) -> tuple[str, str]:
    """The (channel, ts) of the message a button was clicked in."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    return str(channel), str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")


def approve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    channel, ts = message_of(body)
    decision = purchases.approve(
        int(action["value"]),
        actor=operator.slack_user_id,
        uow=deps.uow_factory(),
        message=(channel, ts),
        notify=outcome_reply,
    )
    show_decision(client, channel, ts, decision)
    events.refresh(deps, client, operator.slack_user_id)


def ask_reason(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    request_id = int(action["value"])
    p = purchases.check_decider(request_id, actor=operator.slack_user_id, uow=deps.uow_factory())
    customer = queries.customer(p.customer_id, actor=operator.slack_user_id, uow=deps.uow_factory())
    names = queries.summary(p.customer_id, [], actor=operator.slack_user_id, uow=deps.uow_factory()).products
    product = next((n.name for n in names if n.sku == p.sku), p.sku)
    vm = PurchaseVM(p.id, customer.name, product, p.quantity, p.operator, p.note)
    channel, ts = message_of(body)
    client.views_open(trigger_id=body["trigger_id"], view=decline_view(vm, f"{request_id}:{channel}:{ts}"))


def decline(ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, operator: Operator) -> None:
    request_id, channel, ts = (str(view.get("private_metadata") or "").split(":", 2) + ["", ""])[:3]
    values = view["state"]["values"]
    reason = str(values.get(ids.DECLINE_REASON_BLOCK, {}).get(ids.DECLINE_REASON_INPUT, {}).get("value") or "")
    try:
        decision = purchases.decline(
            int(request_id),
            reason,
            actor=operator.slack_user_id,
            uow=deps.uow_factory(),
            message=(channel, ts) if channel and ts else None,
            notify=outcome_reply,
        )
    except LicensingError as e:  # no reason, decided meanwhile, no longer allowed: said under the reason
        ack(response_action="errors", errors={ids.DECLINE_REASON_BLOCK: e.user_message})
        return
    ack()
    show_decision(client, channel, ts, decision)
    events.refresh(deps, client, operator.slack_user_id)
