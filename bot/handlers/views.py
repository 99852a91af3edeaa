"""Modal submissions: Manage licenses (from the users page), Save, and Buy more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from blocks.buy import buy_more_done_view
from blocks.result import result_view, saving_view
from blocks.viewmodels import ResultVM
from bot import scheduled, screens
from bot.confirm import refresh_users_page, save_and_confirm
from bot.deps import Deps
from bot.errors import after_ack
from bot.handlers import events
from bot.purchases import request_thread
from bot.respond import ack_in_time
from bot.roles import IN_MODAL, argument_of
from bot.timezones import zone_of
from licensing import purchases, schedule, service
from licensing.countries import normalize_country
from licensing.errors import InvalidRequest
from licensing.model import Operator
from licensing.types import Desired, utcnow
from storage.modal_state import ModalState

NOTHING_TO_CHANGE = "Nothing to change: choose Assign or Revoke for a product, or set a usage location."


def register(app: App) -> None:
    app.view(ids.USERS_VIEW, middleware=IN_MODAL)(open_manage)
    app.view(ids.MANAGE_VIEW, middleware=IN_MODAL)(after_ack(save))
    app.view(ids.BUY_VIEW, middleware=IN_MODAL)(request_more)


def open_manage(ack: Ack, deps: Deps, operator: Operator, modal: ModalState) -> None:
    if deps.modals.count(modal.token) == 0:
        ack(response_action="errors", errors={ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."})
        return
    _, manage = screens.manage(deps, operator.slack_user_id, modal, can_set_location=operator.may_set_location)
    ack(response_action="push", view=manage)


def save(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps, operator: Operator,
    modal: ModalState,
) -> None:  # fmt: skip
    modal = screens.with_visible_choices(modal, view["state"])  # the radios on screen; other pages' are stored
    deps.modals.save(modal)
    assign, revoke = screens.changes(modal.choices or {}, screens.all_choices(modal))
    location = screens.parse_location(view["state"])
    starts_on = scheduled.parse_day(view["state"], ids.STARTS_BLOCK, ids.STARTS_INPUT)
    ends_on = scheduled.parse_day(view["state"], ids.ENDS_BLOCK, ids.ENDS_INPUT)
    errors = {}
    if location is not None:
        try:
            location = normalize_country(location)
        except InvalidRequest as e:
            errors[ids.LOCATION_BLOCK] = e.user_message
    ends = sorted(sku for sku, c in screens.all_choices(modal).items() if c is Desired.ASSIGN)
    dates, zone = schedule.Dates(), None
    if starts_on or ends_on:  # the operator's days: their timezone from Slack (cached), before the ack's budget
        zone = zone_of(client, operator.slack_user_id)
        try:
            now = bool(assign or revoke or location)
            dates = schedule.plan_dates(starts_on, ends_on, tz=zone.tz, now=utcnow(), changes_now=now,
                                        assigning=bool(ends))  # fmt: skip
        except schedule.DateErrors as e:
            errors |= {ids.STARTS_BLOCK if f == schedule.START else ids.ENDS_BLOCK: m for f, m in e.errors.items()}
    if not (assign or revoke or location or errors or dates.ends_at):
        errors[_first_input(view)] = NOTHING_TO_CHANGE
    if errors:
        ack(response_action="errors", errors=errors)
        return
    selected = deps.modals.selected(modal.token)
    change = (
        service.make_change(screens.customer_id(modal), selected, assign=assign, revoke=revoke, location=location)
        if assign or revoke or location
        else None
    )
    # The key ties the change to this very submission: Slack re-sending it, or a double click, applies nothing twice.
    key = f"{body.get('team', {}).get('id', '')}:{view['id']}:{view.get('hash', '')}"
    s = deps.settings

    def run() -> ResultVM:
        if zone is None and change is not None:
            return save_and_confirm(deps, operator, modal, change, key=key)
        assert zone is not None
        return scheduled.save(deps, client, operator, modal, change, dates, zone, ends, key=key)

    ack_in_time(
        ack, client, view["id"], run,
        pending=saving_view(modal.customer_name or "", len(selected), modal.token),
        final=lambda vm: result_view(vm, modal.token), budget_s=s.ack_budget_s, settle_s=s.ack_settle_s,
    )  # fmt: skip
    if root := view.get("root_view_id"):
        refresh_users_page(deps, client, operator, modal, root)
    events.refresh(deps, client, operator.slack_user_id)  # the Home's counts, after the save's answer


def _first_input(view: dict[str, Any]) -> str:
    """Where to say that Save has nothing to do: Slack shows errors only under an input block of the view on screen,
    and which products are on it depends on the page and the filter."""
    inputs = [str(b["block_id"]) for b in view.get("blocks") or [] if b.get("type") == "input" and b.get("block_id")]
    products = [i for i in inputs if i.startswith(ids.PRODUCT_BLOCK_PREFIX)]
    return (products or inputs or [ids.LOCATION_BLOCK])[0]


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
            screens.customer_id(modal), sku, quantity, actor=operator.slack_user_id, uow=deps.uow_factory(),
            note=note, notify=request_thread(deps.settings),
        )  # fmt: skip
    except ValueError:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: "Enter a whole number of licenses."})
        return
    except InvalidRequest as e:
        ack(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: e.user_message})
        return
    done = buy_more_done_view(request.customer_name, request.product_name, quantity, str(request.id), modal.token)
    ack(response_action="update", view=done)
    events.refresh(deps, client, operator.slack_user_id)  # the request now waits on Home
