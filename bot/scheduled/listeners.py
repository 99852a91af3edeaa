"""`/licenses scheduled`'s clicks: Cancel (after Slack's confirm dialog) and the pager. The list keeps no server-side
state: the page's offset rides in private_metadata and each Cancel carries its change's id. A refusal replaces the
list with the reason (bot/slack/errors.py), which only the clicking operator sees."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from bot.deps import Deps
from bot.scheduled import screens as scheduled
from bot.slack.errors import after_ack
from bot.slack.roles import OPERATOR_ONLY
from bot.slack.timezones import zone_of
from bot.slack.views import update_view
from licensing.errors import InvalidRequest
from licensing.model import Operator
from licensing.scheduled import schedule


def register(app: App) -> None:
    app.action(ids.SCHEDULED_CANCEL, middleware=OPERATOR_ONLY)(after_ack(cancel))
    app.action(ids.SCHEDULED_PREV, middleware=OPERATOR_ONLY)(after_ack(turn_page))
    app.action(ids.SCHEDULED_NEXT, middleware=OPERATOR_ONLY)(after_ack(turn_page))
    app.action(ids.HOME_SCHEDULED, middleware=OPERATOR_ONLY)(after_ack(open_from_home))


def from_command(deps: Deps, client: WebClient, operator: Operator, words: list[str]) -> dict[str, Any]:
    """`/licenses scheduled`: the modal to open, the first page of pending changes."""
    return scheduled.page(deps, client, operator.slack_user_id)


def cancel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    change_id = _number(action.get("value"))
    done = schedule.cancel(
        change_id,
        actor=operator.slack_user_id,
        uow=deps.uow_factory(),
        told=scheduled.cancel_renderer(deps, operator.slack_user_id),
    )
    note = (
        f"Cancelled change {done.id}: it will not run on {zone_of(client, operator.slack_user_id).show(done.run_at)}."
    )
    offset = _number((body.get("view") or {}).get("private_metadata") or "0")
    update_view(client, body, scheduled.page(deps, client, operator.slack_user_id, offset, note))


def turn_page(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps, operator: Operator
) -> None:
    ack()
    update_view(client, body, scheduled.page(deps, client, operator.slack_user_id, _number(action.get("value"))))


def open_from_home(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, operator: Operator) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=scheduled.page(deps, client, operator.slack_user_id))


def _number(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError as e:
        raise InvalidRequest("This list is damaged. Run /licenses scheduled again.") from e
