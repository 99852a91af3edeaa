"""The history modal's pager. It keeps no server-side state: its filter is in the view, its cursor in the button.
The modal is opened by `/licenses history` (`from_command`, routed by bot/slack/commands.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from bot.deps import Deps
from bot.history import screens as history
from bot.slack.errors import after_ack
from bot.slack.roles import OPERATOR_ONLY
from bot.slack.timezones import zone_of
from bot.slack.views import update_view
from licensing.model import Operator


def register(app: App) -> None:
    app.action(ids.HISTORY_NEWER, middleware=OPERATOR_ONLY)(after_ack(turn_history_page))
    app.action(ids.HISTORY_OLDER, middleware=OPERATOR_ONLY)(after_ack(turn_history_page))


def from_command(deps: Deps, client: WebClient, operator: Operator, words: list[str]) -> dict[str, Any]:
    """`/licenses history [CUSTOMER] [USER]` (`words` after "history"): the modal to open."""
    actor = operator.slack_user_id
    return history.from_command(deps, actor, words, zone_of(client, actor))


def turn_history_page(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    newer = action["action_id"] == ids.HISTORY_NEWER
    metadata = body["view"].get("private_metadata") or ""
    actor = operator.slack_user_id
    zone = zone_of(client, actor)
    view = history.from_click(deps, actor, metadata, zone, newer=newer, cursor=action.get("value") or "")
    update_view(client, body, view)
