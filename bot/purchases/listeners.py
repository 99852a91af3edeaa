"""Buy more: the form's submission (opened from Manage licenses' product rows, bot/manage, or from a low-license
alert, bot/alerts); then Approve and Decline on the posted request, and the Decline reason modal. Anyone may click;
the use case refuses who may not decide (bot/slack/errors.py tells them privately), and a request is decided once."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from blocks.buy import buy_more_done_view
from blocks.purchase import decline_view
from blocks.viewmodels import PurchaseVM
from bot.deps import Deps
from bot.purchases import forms, ordering
from bot.purchases.messages import outcome_reply, request_thread, show_decision
from bot.slack.errors import after_ack
from bot.slack.roles import IN_MODAL, OPERATOR_ONLY
from licensing import purchases, queries
from licensing.connected import rightsize
from licensing.errors import InvalidRequest, LicensingError
from licensing.model import Operator
from storage.modal_state import ModalState


def register(app: App) -> None:
    app.action(ids.PURCHASE_APPROVE, middleware=OPERATOR_ONLY)(after_ack(approve))
    app.action(re.compile(f"^{ids.PURCHASE_APPROVE_ON}_[0-9]+$"), middleware=OPERATOR_ONLY)(after_ack(approve))
    app.action(ids.PURCHASE_DECLINE, middleware=OPERATOR_ONLY)(after_ack(ask_reason))
    app.view(ids.DECLINE_VIEW, middleware=OPERATOR_ONLY)(decline)
    app.view(ids.BUY_VIEW, middleware=IN_MODAL)(request_more)  # from Manage licenses and from a low-license alert
    app.view(ids.REDUCE_VIEW, middleware=IN_MODAL)(request_more)  # Right-size's Reduce, from the App Home


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
    request_id, _, subscription_id = str(action["value"]).partition(":")  # Approve on one subscription: "<id>:<sub>"
    if deps.partner is not None and ordering.connected(deps, int(request_id)):
        ordering.approve(client, deps, operator, int(request_id), subscription_id or None, (channel, ts))
    else:
        decision = purchases.approve(
            int(request_id),
            actor=operator.slack_user_id,
            uow=deps.uow_factory(),
            message=(channel, ts),
            notify=ordering.by_hand,
        )
        show_decision(client, channel, ts, ordering.manual(decision))
    deps.changed(client, operator.slack_user_id)


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
    form = forms.read_decline(view)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    try:
        decision = purchases.decline(
            form.request_id,
            form.reason,
            actor=operator.slack_user_id,
            uow=deps.uow_factory(),
            message=form.message,
            notify=outcome_reply,
        )
    except LicensingError as e:  # no reason, decided meanwhile, no longer allowed: said under the reason
        ack(response_action="errors", errors={ids.DECLINE_REASON_BLOCK: e.user_message})
        return
    ack()
    channel, ts = form.message or ("", "")
    show_decision(client, channel, ts, decision)
    deps.changed(client, operator.slack_user_id)


def request_more(
    ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, operator: Operator, modal: ModalState
) -> None:
    form = forms.read_request(view)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    reduce = view.get("callback_id") == ids.REDUCE_VIEW  # Right-size's form: fewer, from the App Home
    ask = rightsize.request_reduction if reduce else purchases.request_more
    try:
        request = ask(
            modal.chosen_customer_id(),
            form.sku,
            form.quantity,
            actor=operator.slack_user_id,
            uow=deps.uow_factory(),
            note=form.note,
            notify=request_thread(deps.settings),
        )
    except InvalidRequest as e:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: e.user_message})
        return
    quantity = -form.quantity if reduce else form.quantity
    done = buy_more_done_view(request.customer_name, request.product_name, quantity, str(request.id), modal.token)
    ack(response_action="update", view=done)
    deps.changed(client, operator.slack_user_id)  # the request now waits on Home
