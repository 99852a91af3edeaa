"""Modal submissions: Manage licenses (from the users page), Save, and Buy more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from blocks import ids
from blocks.buy import buy_more_done_view
from blocks.result import saving_view
from bot import screens
from bot.confirm import save_and_confirm
from bot.deps import Deps
from bot.errors import after_ack
from bot.handlers.common import argument_of, session_of
from bot.roles import OPERATOR_ONLY
from licensing import purchases
from licensing.countries import normalize_country
from licensing.errors import InvalidRequest
from licensing.model import Operator


def register(app: App) -> None:
    app.view(ids.USERS_VIEW, middleware=OPERATOR_ONLY)(open_manage)
    app.view(ids.MANAGE_VIEW, middleware=OPERATOR_ONLY)(after_ack(save))
    app.view(ids.BUY_VIEW, middleware=OPERATOR_ONLY)(request_more)


def open_manage(ack: Ack, view: dict[str, Any], context: BoltContext, deps: Deps, operator: Operator) -> None:
    vs = session_of(deps, view, context)
    if deps.sessions.count(vs.token) == 0:
        ack(response_action="errors", errors={ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."})
        return
    _, manage = screens.manage(deps, operator.slack_user_id, vs, can_set_location=operator.may_set_location)
    ack(response_action="push", view=manage)


def save(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext, deps: Deps,
    operator: Operator,
) -> None:  # fmt: skip
    vs = session_of(deps, view, context)
    assign, revoke = screens.changes(vs.choices or {}, screens.parse_choices(view["state"]))
    location = screens.parse_location(view["state"])
    errors = {}
    if location is not None:
        try:
            location = normalize_country(location)
        except InvalidRequest as e:
            errors[ids.LOCATION_BLOCK] = e.user_message
    if not (assign or revoke or location or errors):
        first = next(iter(vs.choices or {}), None)
        block = f"{ids.PRODUCT_BLOCK_PREFIX}{first}" if first else ids.LOCATION_BLOCK
        errors[block] = "Nothing to change: choose Assign or Revoke for a product, or set a usage location."
    if errors:
        ack(response_action="errors", errors=errors)
        return
    selected = deps.sessions.selected(vs.token)
    ack(response_action="update", view=saving_view(vs.customer_name or "", len(selected), vs.token))
    # The key ties the change to this very submission: Slack re-sending it, or a double click, applies nothing twice.
    key = f"{body.get('team', {}).get('id', '')}:{view['id']}:{view.get('hash', '')}"
    save_and_confirm(
        deps, client, operator, vs, selected, assign=assign, revoke=revoke, location=location, key=key,
        view_id=view["id"], root_view_id=view.get("root_view_id"),
    )  # fmt: skip


def request_more(ack: Ack, view: dict[str, Any], context: BoltContext, deps: Deps, operator: Operator) -> None:
    vs = session_of(deps, view, context)
    raw = view["state"]["values"].get(ids.BUY_QUANTITY_BLOCK, {}).get(ids.BUY_QUANTITY_INPUT, {}).get("value")
    sku = argument_of(view)
    try:
        quantity = int(raw or "")
        request = purchases.request_more(
            screens.customer_id(vs), sku, quantity, actor=operator.slack_user_id, uow=deps.uow_factory()
        )
    except ValueError:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: "Enter a whole number of licenses."})
        return
    except InvalidRequest as e:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: e.user_message})
        return
    done = buy_more_done_view(request.customer_name, request.product_name, quantity, str(request.id), vs.token)
    ack(response_action="update", view=done)
