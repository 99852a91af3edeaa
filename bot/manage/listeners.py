"""The seed's flow, /licenses to Save: every listener of the room is registered here. The clicks inside the modal are
below; each acks first, changes the modal's state, then redraws the view from it. The command is in commands.py, the
customer type-ahead in options.py, the submissions (Manage licenses, Save) in submissions.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import App

from blocks import ids
from blocks.buy import buy_more_view
from blocks.viewmodels import BuyMoreVM
from bot.deps import Deps
from bot.manage import screens, services
from bot.manage.commands import open_from_home
from bot.manage.options import customer_options
from bot.manage.submissions import open_manage, save
from bot.slack.clicks import Click, modal_click
from bot.slack.errors import after_ack
from bot.slack.roles import IN_MODAL, OPERATOR_ONLY
from bot.slack.views import update_view
from licensing import queries
from storage.modal_state import ModalState, without_choices

PAGING = re.compile(r"^page_(first|prev|next|last)$")
PRODUCT_PAGING = re.compile(r"^product_page_(first|prev|next|last)$")
SERVICE_PAGING = re.compile(r"^service_page_(prev|next)$")


def register(app: App) -> None:
    # Bolt tries the listeners in the order they were registered, about 10 µs each (bench/bench_served.py): the two
    # submissions of the flow first (the heaviest answers, each once per Manage licenses or Save), then the clicks
    # an operator makes most, then the rest.
    busiest: dict[str | re.Pattern[str], Callable[[Click], None]] = {
        PAGING: users_page_action(turn_page),
        ids.SELECT_USERS: users_page_action(tick_users),
        ids.PRODUCT_CHOICE: products_action(choose_product),
        PRODUCT_PAGING: products_action(turn_product_page),
        ids.SERVICE_CHOICE: services.choose_service,
        ids.SEARCH_INPUT: users_page_action(search),
    }
    clicks: dict[str | re.Pattern[str], Callable[[Click], None]] = {
        ids.CUSTOMER_SELECT: choose_customer,
        ids.CHANGE_CUSTOMER: change_customer,
        ids.SELECT_PAGE: users_page_action(select_page),
        ids.CLEAR_PAGE: users_page_action(clear_page),
        ids.CLEAR_ALL: users_page_action(clear_all),
        ids.SHOW_SELECTED: users_page_action(show_selected),
        ids.SHOW_ALL: users_page_action(show_all),
        ids.PRODUCT_FILTER_INPUT: products_action(filter_products),
        ids.SHOW_ALL_PRODUCTS: products_action(show_all_products),
        ids.BUY_MORE: open_buy_more,  # the form's submission is bot/purchases'
        ids.SERVICES_OPEN: services.open_services,
        SERVICE_PAGING: services.turn_page,
    }
    app.view(ids.USERS_VIEW, middleware=IN_MODAL)(open_manage)
    app.view(ids.MANAGE_VIEW, middleware=IN_MODAL)(after_ack(save))
    for action_id, click in busiest.items():
        app.action(action_id, middleware=IN_MODAL)(modal_click(click))
    for action_id, click in clicks.items():
        app.action(action_id, middleware=IN_MODAL)(modal_click(click))
    app.view(ids.SERVICES_VIEW, middleware=IN_MODAL)(after_ack(services.done))
    app.view_closed(ids.SERVICES_VIEW, middleware=IN_MODAL)(after_ack(services.done))
    app.options(ids.CUSTOMER_SELECT, middleware=OPERATOR_ONLY)(customer_options)
    app.options(ids.HOME_CUSTOMER, middleware=OPERATOR_ONLY)(customer_options)  # App Home's drill-down
    app.action(ids.HOME_OPEN, middleware=OPERATOR_ONLY)(after_ack(open_from_home))


def _redraw(c: Click, modal: ModalState) -> None:
    _, view = screens.users(c.deps, c.operator, modal)
    update_view(c.client, c.body, view)


def choose_customer(c: Click) -> None:
    chosen = queries.customer(c.action["selected_option"]["value"], actor=c.actor, uow=c.deps.uow_factory())
    _redraw(c, c.deps.modals.switch_customer(c.modal, chosen.id, chosen.name))


def change_customer(c: Click) -> None:
    modal = c.deps.modals.switch_customer(c.modal, None, None)
    update_view(c.client, c.body, screens.picker(c.deps, modal))


def users_page_action(mutate: Callable[[Deps, ModalState, dict[str, Any]], ModalState]) -> Callable[[Click], None]:
    """A click on the users page whose whole job is to change the modal's state (given the action), then redraw."""

    def redraw(c: Click) -> None:
        _redraw(c, mutate(c.deps, c.modal, c.action))

    redraw.__name__ = mutate.__name__
    return redraw


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


def open_buy_more(c: Click) -> None:
    """Buy more on a product row: the page's radios are kept, as by any click here, and the form is pushed on top."""
    c.deps.modals.save(screens.with_visible_choices(c.modal, c.state))
    sku = str(c.action.get("value") or (c.action.get("selected_option") or {}).get("value"))
    customer, p = queries.owned(c.modal.chosen_customer_id(), sku, actor=c.actor, uow=c.deps.uow_factory())
    vm = BuyMoreVM(customer.name, p.sku, p.name, p.quantity, p.available)
    c.client.views_push(trigger_id=c.body["trigger_id"], view=buy_more_view(vm, f"{c.modal.token}:{p.sku}"))


def products_action(mutate: Callable[[ModalState, dict[str, Any]], ModalState]) -> Callable[[Click], None]:
    """A click on Manage licenses: change the product page or filter (given the action), then redraw. The redraw
    first folds the radios on screen into the choices of every page, and refreshes the preview from all of them."""

    def redraw(c: Click) -> None:
        location = c.operator.may_set_location
        _, view = screens.manage(
            c.deps, c.operator, mutate(c.modal, c.action), can_set_location=location, state=c.state
        )
        update_view(c.client, c.body, view)

    redraw.__name__ = mutate.__name__
    return redraw


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
