"""Buy more: the button on Manage licenses' product rows and the form's submission (from there or from a low-license
alert); then Approve and Decline on the posted request, and the Decline reason modal. Anyone may click; the use case
refuses who may not decide (bot/slack/errors.py tells them privately), and a request is decided once."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from blocks.buy import buy_more_done_view, buy_more_view
from blocks.purchase import decline_view
from blocks.viewmodels import BuyMoreVM, PurchaseVM
from bot.deps import Deps
from bot.home import screens as home
from bot.manage import screens
from bot.purchases import ordering
from bot.purchases.messages import outcome_reply, request_thread, show_decision
from bot.slack.errors import after_ack
from bot.slack.roles import IN_MODAL, OPERATOR_ONLY, argument_of
from licensing import purchases, queries
from licensing.errors import InvalidRequest, LicensingError
from licensing.model import Operator
from storage.modal_state import ModalState


def register(app: App) -> None:
    app.action(ids.PURCHASE_APPROVE, middleware=OPERATOR_ONLY)(after_ack(approve))
    app.action(re.compile(f"^{ids.PURCHASE_APPROVE_ON}_[0-9]+$"), middleware=OPERATOR_ONLY)(after_ack(approve))
    app.action(ids.PURCHASE_DECLINE, middleware=OPERATOR_ONLY)(after_ack(ask_reason))
    app.view(ids.DECLINE_VIEW, middleware=OPERATOR_ONLY)(decline)
    app.action(ids.BUY_MORE, middleware=IN_MODAL)(after_ack(open_buy_more))  # on Manage licenses' product rows
    app.view(ids.BUY_VIEW, middleware=IN_MODAL)(request_more)  # from Manage licenses and from a low-license alert


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
    home.refresh(deps, client, operator.slack_user_id)


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
    home.refresh(deps, client, operator.slack_user_id)


def open_buy_more(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    deps: Deps,
    operator: Operator,
    modal: ModalState,
) -> None:
    ack()
    deps.modals.save(screens.with_visible_choices(modal, body["view"]["state"]))  # as any click on the page does
    sku = action.get("value") or (action.get("selected_option") or {}).get("value")
    summary = queries.summary(screens.customer_id(modal), [], actor=operator.slack_user_id, uow=deps.uow_factory())
    product = next((p for p in summary.products if p.sku == sku), None)
    if product is None:
        raise InvalidRequest(f"{summary.customer.name} owns no product '{sku}'.")
    vm = BuyMoreVM(summary.customer.name, product.sku, product.name, product.quantity, product.available)
    client.views_push(trigger_id=body["trigger_id"], view=buy_more_view(vm, f"{modal.token}:{product.sku}"))


def request_more(
    ack: Ack, view: dict[str, Any], client: WebClient, deps: Deps, operator: Operator, modal: ModalState
) -> None:
    values = view["state"]["values"]
    raw = values.get(ids.BUY_QUANTITY_BLOCK, {}).get(ids.BUY_QUANTITY_INPUT, {}).get("value")
    note = values.get(ids.BUY_NOTE_BLOCK, {}).get(ids.BUY_NOTE_INPUT, {}).get("value")
    sku = argument_of(view)
    if note and len(note.strip()) > purchases.NOTE_MAX:
        ack(
            response_action="errors",
            errors={ids.BUY_NOTE_BLOCK: f"Keep the note under {purchases.NOTE_MAX} characters."},
        )
        return
    try:
        quantity = int(raw or "")
        request = purchases.request_more(
            screens.customer_id(modal),
            sku,
            quantity,
            actor=operator.slack_user_id,
            uow=deps.uow_factory(),
            note=note,
            notify=request_thread(deps.settings),
        )
    except ValueError:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: "Enter a whole number of licenses."})
        return
    except InvalidRequest as e:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: e.user_message})
        return
    done = buy_more_done_view(request.customer_name, request.product_name, quantity, str(request.id), modal.token)
    ack(response_action="update", view=done)
    home.refresh(deps, client, operator.slack_user_id)  # the request now waits on Home
