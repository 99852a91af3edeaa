"""App Home's listeners: the tab opened, and from it an operator drills into one customer (republished for that
customer) or opens the users modal for one. The Home itself is drawn by screens.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from blocks import ids
from blocks.buy import reduce_view
from blocks.result import notice_view
from blocks.viewmodels import BuyMoreVM
from bot.deps import Deps
from bot.home.screens import publish, reducible
from bot.slack.errors import after_ack, describe
from bot.slack.roles import OPERATOR_ONLY
from licensing import queries
from licensing.errors import InvalidRequest, LicensingError
from licensing.model import Operator


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.action(ids.HOME_CUSTOMER, middleware=OPERATOR_ONLY)(after_ack(drill_down))
    app.action(ids.HOME_ALL, middleware=OPERATOR_ONLY)(after_ack(show_all))
    app.action(ids.HOME_REDUCE, middleware=OPERATOR_ONLY)(after_ack(open_reduce))


def publish_home(client: WebClient, context: BoltContext, deps: Deps) -> None:
    publish(deps, client, context.user_id or "")


def drill_down(ack: Ack, action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator) -> None:
    ack()
    chosen = (action.get("selected_option") or {}).get("value")
    try:
        publish(deps, client, operator.slack_user_id, chosen or None)
    except LicensingError:  # no longer theirs, or gone: a Home cannot show a notice, so it shows every customer
        publish(deps, client, operator.slack_user_id)


def show_all(ack: Ack, client: WebClient, deps: Deps, operator: Operator) -> None:
    ack()
    publish(deps, client, operator.slack_user_id)


def open_reduce(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    """Right-size's Reduce: the form for the customer and product the button names, with what Partner Center still
    takes back now; the submission is Buy more's (bot/purchases), with its Reduce use case."""
    ack()
    customer_id, _, sku = str(action.get("value") or "").partition("|")
    try:
        customer, p = queries.owned(customer_id, sku, actor=operator.slack_user_id, uow=deps.uow_factory())
        if (r := reducible(deps, customer.id).get(sku)) is None:
            raise InvalidRequest(f"Partner Center takes back no {p.name} of {customer.name} now: nothing to reduce.")
    except LicensingError as e:  # a Home published before the window closed or the seats were assigned: say so
        client.views_open(trigger_id=body["trigger_id"], view=notice_view(*describe(e), ""))
        return
    modal = deps.modals.switch_customer(deps.modals.create(operator.slack_user_id, None), customer.id, customer.name)
    vm = BuyMoreVM(customer.name, p.sku, p.name, p.quantity, r.unused)
    client.views_open(trigger_id=body["trigger_id"], view=reduce_view(vm, r.until, f"{modal.token}:{p.sku}"))
