"""`/licenses [help | CUSTOMER]`: the seed's flow starts here (`history` and `scheduled` are their rooms' own, routed
by bot/slack/commands.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from blocks.messages import help_message
from bot.deps import Deps
from bot.manage import screens
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
    _, view = screens.start(deps, operator.slack_user_id, modal, (command.get("text") or "").strip())
    client.views_open(trigger_id=command["trigger_id"], view=view)
