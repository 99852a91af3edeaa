"""Buy more on a low-license alert: opens the usual Buy more modal for the alert's customer and product. The submission
is the one from Manage licenses (bot/purchases/listeners.py `request_more`), so the request goes to the sales channel
as ever. Only operators who may manage that customer get the modal; anyone else is told privately
(bot/slack/errors.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from blocks.alerts import parse_buy_more_value
from blocks.buy import buy_more_view
from blocks.viewmodels import BuyMoreVM
from bot.deps import Deps
from bot.slack.errors import after_ack
from bot.slack.roles import OPERATOR_ONLY
from licensing import queries
from licensing.errors import InvalidRequest
from licensing.model import Operator


def register(app: App) -> None:
    app.action(ids.ALERT_BUY_MORE, middleware=OPERATOR_ONLY)(after_ack(open_buy_more))


def open_buy_more(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    try:
        customer_id, sku = parse_buy_more_value(str(action.get("value") or ""))
    except ValueError as e:  # not a value this bot wrote
        raise InvalidRequest("This button is not from a licensebot alert.") from e
    actor = operator.slack_user_id
    customer, p = queries.owned(customer_id, sku, actor=actor, uow=deps.uow_factory())  # Forbidden out of scope
    # The form's submission reads the customer from a modal's server-side state, as from Manage licenses.
    modal = deps.modals.create(actor, (body.get("channel") or {}).get("id"))
    modal = deps.modals.switch_customer(modal, customer.id, customer.name)
    vm = BuyMoreVM(customer.name, p.sku, p.name, p.quantity, p.available)
    client.views_open(trigger_id=body["trigger_id"], view=buy_more_view(vm, f"{modal.token}:{p.sku}"))
