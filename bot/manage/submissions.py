"""Modal submissions: Manage licenses (from the users page) and Save; registered by listeners.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from blocks import ids
from blocks.result import result_view, saving_view
from blocks.viewmodels import ResultVM
from bot.deps import Deps
from bot.manage import forms, screens
from bot.manage.confirm import refresh_users_page, save_and_confirm
from bot.manage.later import save_later
from bot.slack.respond import ack_in_time
from bot.slack.timezones import zone_of
from licensing.model import Operator
from storage.modal_state import ModalState


def open_manage(ack: Ack, deps: Deps, operator: Operator, modal: ModalState) -> None:
    if deps.modals.count(modal.token) == 0:
        ack(response_action="errors", errors={ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."})
        return
    _, manage = screens.manage(deps, operator.slack_user_id, modal, can_set_location=operator.may_set_location)
    ack(response_action="push", view=manage)


def save(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    deps: Deps,
    operator: Operator,
    modal: ModalState,
) -> None:
    modal = screens.with_visible_choices(modal, view["state"])  # the radios on screen; other pages' are stored
    deps.modals.save(modal)
    form = forms.read_save(view, modal, zone_of=lambda: zone_of(client, operator.slack_user_id))
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    selected = deps.modals.selected(modal.token)
    key = forms.submission_key(body, view)
    customer_id = modal.chosen_customer_id()
    run: Callable[[], ResultVM]
    if isinstance(form, forms.Now):
        change = form.change(customer_id, selected)
        run = partial(save_and_confirm, deps, operator, modal, change, key=key)
    else:
        later = form.now.change(customer_id, selected) if form.now else None
        run = partial(save_later, deps, client, operator, modal, later, form.dates, form.zone, list(form.ends), key=key)
    ack_in_time(
        ack,
        client,
        view["id"],
        run,
        pending=saving_view(modal.customer_name or "", len(selected), modal.token),
        final=lambda vm: result_view(vm, modal.token),
        budget_s=deps.settings.ack_budget_s,
        settle_s=deps.settings.ack_settle_s,
    )
    if root := view.get("root_view_id"):
        refresh_users_page(deps, client, operator, modal, root)
    deps.changed(client, operator.slack_user_id)  # the Home's counts, after the save's answer
