"""Where the seed's flow starts: `/licenses [help | CUSTOMER]` (`history` and `scheduled` are their rooms' own, routed
by bot/slack/commands.py), and the App Home's Open button for one customer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from blocks.messages import help_message
from blocks.result import notice_view
from bot.deps import Deps
from bot.manage import screens
from bot.slack.errors import describe
from licensing import queries
from licensing.errors import LicensingError
from licensing.model import Operator

HELP_WORDS = {"help", "?", "-h", "--help"}


def open_licenses(
    ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps, operator: Operator, words: list[str]
) -> None:
    if len(words) == 1 and words[0].lower() in HELP_WORDS:
        ack(**help_message())  # the command's own reply is private to the operator
        return
    ack()
    modal = deps.modals.create(operator.slack_user_id, command.get("channel_id"))
    _, view = screens.start(deps, operator, modal, (command.get("text") or "").strip())
    client.views_open(trigger_id=command["trigger_id"], view=view)


def open_from_home(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    """Home cannot run `/licenses`; the button opens the same modal, at the customer's users, with its trigger."""
    ack()
    cid = str(action.get("value") or "")
    try:
        customer = queries.customer(cid, actor=operator.slack_user_id, uow=deps.uow_factory())
    except LicensingError as e:  # a Home published before the operator's scope changed: say so in a modal
        client.views_open(trigger_id=body["trigger_id"], view=notice_view(*describe(e), ""))
        return
    modal = deps.modals.create(operator.slack_user_id, None)
    modal = deps.modals.switch_customer(modal, customer.id, customer.name)
    _, view = screens.users(deps, operator, modal)
    client.views_open(trigger_id=body["trigger_id"], view=view)
