"""Services, pushed over Manage licenses: the service plans of one product for the selected users who hold it (or are
given it by this save). Every choice is kept in the modal's state (ModalState.service_choices) as it is made, so Back
and the pages lose nothing and Save applies them with the licenses; each change redraws Manage licenses' preview.
Registered by listeners.py's `register`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.services import SERVICES_PER_PAGE, services_view
from blocks.viewmodels import ServiceRowVM, ServicesVM
from bot.deps import Deps
from bot.manage import screens
from bot.slack.clicks import Click
from bot.slack.roles import argument_of
from bot.slack.views import update_view
from licensing import queries
from licensing.model import Operator
from licensing.queries import ProductSummary, Summary
from licensing.types import Desired, HoldState, Switch
from storage.modal_state import ModalState

CHOICES = frozenset(s.value for s in Switch)


def open_services(c: Click) -> None:
    modal = screens.with_visible_choices(c.modal, c.state)  # the radios on screen count for "given"
    c.deps.modals.save(modal)
    sku = str((c.action.get("selected_option") or {}).get("value") or "")
    c.client.views_push(trigger_id=c.body["trigger_id"], view=render(c.deps, c.actor, modal, sku, page=1))


def choose_service(c: Click) -> None:
    """A radio changed: keep that one choice, then redraw Manage licenses (the view under this one) so its preview
    counts it. Only the radio clicked is merged, atomically: clicks handled at once all count."""
    plan = str(c.action.get("block_id") or "").removeprefix(ids.SERVICE_BLOCK_PREFIX)
    value = (c.action.get("selected_option") or {}).get("value")
    if value not in CHOICES or not plan:
        return
    merged = c.deps.modals.merge_services(c.modal.token, argument_of(c.body["view"]), {plan: Switch(value)})
    if merged is not None:
        _redraw_manage(c.deps, c.client, c.body, c.operator, merged)


def turn_page(c: Click) -> None:
    sku = argument_of(c.body["view"])
    modal = keep_visible(c.deps, c.modal, c.body["view"])
    value = str(c.action.get("value") or "")
    update_view(c.client, c.body, render(c.deps, c.actor, modal, sku, page=int(value) if value.isdigit() else 1))


def done(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    deps: Deps,
    operator: Operator,
    modal: ModalState,
) -> None:
    """Done (view_submission) or Back (view_closed): a plain ack closes just this view; the radios as left on its
    page are kept, and Manage licenses, on top again, is redrawn with them."""
    ack()
    kept = keep_visible(deps, modal, view)
    if kept.service_choices != modal.service_choices:  # else each click redrew it already: no redraw racing Save
        _redraw_manage(deps, client, body, operator, kept)


def keep_visible(deps: Deps, modal: ModalState, view: dict[str, Any]) -> ModalState:
    """Merge the radios of the page on screen that the operator moved from where the view drew them into the choices
    of every page (values not ours are no choice; untouched radios add nothing)."""
    drawn = {
        str(b["block_id"]): (b.get("element") or {}).get("initial_option", {}).get("value")
        for b in view.get("blocks") or []
        if str(b.get("block_id", "")).startswith(ids.SERVICE_BLOCK_PREFIX)
    }
    moved = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        value = ((actions.get(ids.SERVICE_CHOICE) or {}).get("selected_option") or {}).get("value")
        if block_id in drawn and value in CHOICES and value != drawn[block_id]:
            moved[block_id.removeprefix(ids.SERVICE_BLOCK_PREFIX)] = Switch(value)
    if not moved:
        return modal
    return deps.modals.merge_services(modal.token, argument_of(view), moved) or modal


def render(deps: Deps, actor: str, modal: ModalState, sku: str, *, page: int) -> dict[str, Any]:
    summary = queries.summary(
        modal.chosen_customer_id(), deps.modals.selected(modal.token), actor=actor, uow=deps.uow_factory()
    )
    product = next((p for p in summary.products if p.sku == sku), None)
    if product is None or not product.services:
        return services_view(ServicesVM(sku, 0, 0, (), 1, 1, 0), f"{modal.token}:{sku}")
    return services_view(_vm(product, summary, modal, page), f"{modal.token}:{sku}")


def _vm(product: ProductSummary, summary: Summary, modal: ModalState, page: int) -> ServicesVM:
    chosen = modal.service_choices.get(product.sku, {})
    rows = [
        ServiceRowVM(s.plan, s.title, s.state, s.on, s.holders, chosen.get(s.plan, _initial(s.holders, s.state)))
        for s in product.services
    ]
    pages = max(1, -(-len(rows) // SERVICES_PER_PAGE))
    page = min(max(1, page), pages)
    giving = (
        len(summary.selected) - len(product.holders)
        if screens.all_choices(modal).get(product.sku) is Desired.ASSIGN
        else 0
    )
    shown = tuple(rows[(page - 1) * SERVICES_PER_PAGE : page * SERVICES_PER_PAGE])
    return ServicesVM(product.name, len(product.holders), giving, shown, page, pages, len(rows))


def _initial(holders: int, state: HoldState) -> Switch:
    # Nobody holds it yet (it is being given): every service comes on with it.
    return Switch.ON if holders == 0 else Switch.matching(state)


def _redraw_manage(deps: Deps, client: WebClient, body: dict[str, Any], operator: Operator, modal: ModalState) -> None:
    """Manage licenses, under this view, with its preview counting the services chosen. `state={}`: a redraw, which
    keeps the product choices (an empty state folds no radio in)."""
    under = body["view"].get("previous_view_id")
    if not under:
        return
    can = operator.may_set_location
    _, view = screens.manage(deps, operator, modal, can_set_location=can, state={})
    try:
        client.views_update(view_id=under, view=view)
    except SlackApiError as e:  # Manage licenses was closed meanwhile: the choices are kept all the same
        if e.response.get("error") not in ("not_found", "view_not_found"):
            raise
