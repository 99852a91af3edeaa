"""`/licenses [help | history [CUSTOMER] [USER] | scheduled | CUSTOMER]`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from blocks.messages import help_message
from bot.deps import Deps
from bot.history import screens as history
from bot.manage import screens
from bot.scheduled import screens as scheduled
from bot.slack.timezones import zone_of
from licensing.model import Operator

HELP_WORDS = {"help", "?", "-h", "--help"}


def open_licenses(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps, operator: Operator
) -> None:
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        ack(**help_message())  # the command's own reply is private to the operator
        return
    words = text.split()
    if words and words[0].lower() == "history":
        # Read before the ack, so an unknown customer or user is the command's own private answer (bot/slack/errors.py).
        actor = operator.slack_user_id
        view = history.from_command(deps, actor, words[1:], zone_of(client, actor))
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    if words and words[0].lower() == "scheduled":
        view = scheduled.page(deps, client, operator.slack_user_id)
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    ack()
    modal = deps.modals.create(operator.slack_user_id, command.get("channel_id"))
    _, view = screens.start(deps, operator.slack_user_id, modal, text)
    client.views_open(trigger_id=command["trigger_id"], view=view)
