"""App Home's listeners: the tab opened, and from it an operator drills into one customer (republished for that
customer) or opens the users modal for one. The Home itself is drawn by screens.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from blocks import ids
from bot.deps import Deps
from bot.home.screens import publish
from bot.slack.errors import after_ack
from bot.slack.roles import OPERATOR_ONLY
from licensing.errors import LicensingError
from licensing.model import Operator


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.action(ids.HOME_CUSTOMER, middleware=OPERATOR_ONLY)(after_ack(drill_down))
    app.action(ids.HOME_ALL, middleware=OPERATOR_ONLY)(after_ack(show_all))


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
