"""The seed's flow, /licenses to Save: every listener of the room is registered here. The clicks inside the modal are
below; each acks first, changes the modal's state, then redraws the view from it. The command is in commands.py, the
customer type-ahead in options.py, the submissions (Manage licenses, Save) in submissions.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from blocks import ids
from bot.deps import Deps
from bot.manage import screens, services
from bot.manage.commands import open_licenses
from bot.manage.options import customer_options
from bot.manage.submissions import open_manage, save
from bot.slack.errors import after_ack
from bot.slack.roles import IN_MODAL, OPERATOR_ONLY
from bot.slack.views import update_view
from licensing import queries
from licensing.model import Operator
from storage.modal_state import ModalState, without_choices

PAGING = re.compile(r"^page_(first|prev|next|last)$")
PRODUCT_PAGING = re.compile(r"^product_page_(first|prev|next|last)$")
SERVICE_PAGING = re.compile(r"^service_page_(prev|next)$")


def register(app: App) -> None:
    app.command("/licenses", middleware=OPERATOR_ONLY)(after_ack(open_licenses))
    app.options(ids.CUSTOMER_SELECT, middleware=OPERATOR_ONLY)(customer_options)
    app.options(ids.HOME_CUSTOMER, middleware=OPERATOR_ONLY)(customer_options)  # App Home's drill-down
    guard = IN_MODAL
    app.action(ids.CUSTOMER_SELECT, middleware=guard)(after_ack(choose_customer))
    app.action(ids.CHANGE_CUSTOMER, middleware=guard)(after_ack(change_customer))
    app.action(ids.SEARCH_INPUT, middleware=guard)(after_ack(users_page_action(search)))
    app.action(ids.SELECT_USERS, middleware=guard)(after_ack(users_page_action(tick_users)))
    app.action(PAGING, middleware=guard)(after_ack(users_page_action(turn_page)))
    app.action(ids.SELECT_PAGE, middleware=guard)(after_ack(users_page_action(select_page)))
    app.action(ids.CLEAR_PAGE, middleware=guard)(after_ack(users_page_action(clear_page)))
    app.action(ids.CLEAR_ALL, middleware=guard)(after_ack(users_page_action(clear_all)))
    app.action(ids.SHOW_SELECTED, middleware=guard)(after_ack(users_page_action(show_selected)))
    app.action(ids.SHOW_ALL, middleware=guard)(after_ack(users_page_action(show_all)))
    app.action(ids.PRODUCT_CHOICE, middleware=guard)(after_ack(products_action(choose_product)))
    app.action(PRODUCT_PAGING, middleware=guard)(after_ack(products_action(turn_product_page)))
    app.action(ids.PRODUCT_FILTER_INPUT, middleware=guard)(after_ack(products_action(filter_products)))
    app.action(ids.SHOW_ALL_PRODUCTS, middleware=guard)(after_ack(products_action(show_all_products)))
    app.action(ids.SERVICES_OPEN, middleware=guard)(after_ack(services.open_services))
    app.action(ids.SERVICE_CHOICE, middleware=guard)(after_ack(services.choose_service))
    app.action(SERVICE_PAGING, middleware=guard)(after_ack(services.turn_page))
    app.view(ids.SERVICES_VIEW, middleware=IN_MODAL)(after_ack(services.done))
    app.view_closed(ids.SERVICES_VIEW, middleware=IN_MODAL)(after_ack(services.done))
    app.view(ids.USERS_VIEW, middleware=IN_MODAL)(open_manage)
    app.view(ids.MANAGE_VIEW, middleware=IN_MODAL)(after_ack(save))


def _redraw(deps: Deps, op: Operator, modal: ModalState, client: WebClient, body: dict[str, Any]) -> None:
    _, view = screens.users(deps, op.slack_user_id, modal)
    update_view(client, body, view)


def choose_customer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    deps: Deps,
    operator: Operator,
    modal: ModalState,
) -> None:
    ack()
    chosen = queries.customer(action["selected_option"]["value"], actor=operator.slack_user_id, uow=deps.uow_factory())
    modal = deps.modals.switch_customer(modal, chosen.id, chosen.name)
    _redraw(deps, operator, modal, client, body)


def change_customer(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, modal: ModalState) -> None:
    ack()
    modal = deps.modals.switch_customer(modal, None, None)
    update_view(client, body, screens.picker(deps, modal))


def users_page_action(mutate: Callable[[Deps, ModalState, dict[str, Any]], ModalState]) -> Callable[..., None]:
    """A click on the users page whose whole job is to change the modal's state (given the action), then redraw."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        deps: Deps,
        operator: Operator,
        modal: ModalState,
    ) -> None:
        ack()
        _redraw(deps, operator, mutate(deps, modal, action), client, body)

    listener.__name__ = mutate.__name__  # Bolt names listeners in its logs
    return listener


def search(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    return replace(modal, query=(action.get("value") or "").strip(), page=1, showing_selected=False)


def tick_users(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    """The checkboxes report every ticked option of the page: tick those, untick the rest of that page."""
    # A click on a page that has since been redrawn would map onto the wrong rows: redraw instead of guessing.
    if action.get("block_id") == f"{ids.USERS_BLOCK_PREFIX}{modal.rev}":
        ticked = {o["value"] for o in action.get("selected_options") or []}
        page = modal.page_keys
        deps.modals.select(modal.token, [uid for key, uid in page.items() if key in ticked])
        deps.modals.deselect(modal.token, [uid for key, uid in page.items() if key not in ticked])
        return without_choices(modal)
    return modal


def turn_page(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    where = action["action_id"].removeprefix("page_")
    # "last" asks for a page past any end; the query clamps it to the real last page.
    page = {"first": 1, "prev": modal.page - 1, "next": modal.page + 1, "last": 1_000_000_000}[where]
    return replace(modal, page=max(1, page))


def select_page(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    deps.modals.select(modal.token, modal.page_keys.values())
    return without_choices(modal)


def clear_page(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    deps.modals.deselect(modal.token, modal.page_keys.values())
    return without_choices(modal)


def clear_all(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    deps.modals.clear(modal.token)
    return replace(without_choices(modal), showing_selected=False, page=1)


def show_selected(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    return replace(modal, showing_selected=True, page=1)


def show_all(deps: Deps, modal: ModalState, action: dict[str, Any]) -> ModalState:
    return replace(modal, showing_selected=False, page=1)


def products_action(mutate: Callable[[ModalState, dict[str, Any]], ModalState]) -> Callable[..., None]:
    """A click on Manage licenses: change the product page or filter (given the action), then redraw. The redraw
    first folds the radios on screen into the choices of every page, and refreshes the preview from all of them."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        deps: Deps,
        operator: Operator,
        modal: ModalState,
    ) -> None:
        ack()
        _, view = screens.manage(
            deps,
            operator.slack_user_id,
            mutate(modal, action),
            can_set_location=operator.may_set_location,
            state=body["view"]["state"],
        )
        update_view(client, body, view)

    listener.__name__ = mutate.__name__
    return listener


def choose_product(modal: ModalState, action: dict[str, Any]) -> ModalState:
    """A radio changed: nothing but the redraw, whose preview now counts it."""
    return modal


def turn_product_page(modal: ModalState, action: dict[str, Any]) -> ModalState:
    where = action["action_id"].removeprefix("product_page_")
    # "last" asks for a page past any end; the redraw clamps it to the real last page.
    page = {"first": 1, "prev": modal.product_page - 1, "next": modal.product_page + 1, "last": 1_000_000_000}[where]
    return replace(modal, product_page=max(1, page))


def filter_products(modal: ModalState, action: dict[str, Any]) -> ModalState:
    return replace(modal, product_query=(action.get("value") or "").strip(), product_page=1)


def show_all_products(modal: ModalState, action: dict[str, Any]) -> ModalState:
    return replace(modal, product_query="", product_page=1)
