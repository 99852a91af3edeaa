"""Modal submissions: Manage licenses (from the users page) and Save; registered by listeners.py."""

from __future__ import annotations

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
    selected = deps.modals.selected(modal.token)
    if not selected:
        ack(response_action="errors", errors={ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."})
        return
    _, manage = screens.manage(deps, operator, modal, can_set_location=operator.may_set_location, selected=selected)
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
    run = partial(_save, deps, operator, modal, form, key=forms.submission_key(body, view))
    pending = saving_view(modal.customer_name or "", deps.modals.count(modal.token), modal.token)
    final = partial(result_view, private_metadata=modal.token)

    def then(_: ResultVM) -> None:  # once the result shows: what it changed, redrawn elsewhere
        if root := view.get("root_view_id"):
            refresh_users_page(deps, client, operator, modal, root)
        deps.changed(client, operator.slack_user_id)  # the Home's counts

    s = deps.settings
    ack_in_time(
        ack,
        client,
        body,
        run,
        pending=pending,
        final=final,
        budget_s=s.ack_budget_s,
        settle_s=s.ack_settle_s,
        lane=deps.slow,
        then=then,
    )


def _save(deps: Deps, operator: Operator, modal: ModalState, form: forms.Now | forms.Later, *, key: str) -> ResultVM:
    """The Save the form asks for: at once, or with days."""
    if isinstance(form, forms.Later):
        return save_later(deps, operator, modal, form, key=key)
    change = form.change(modal.chosen_customer_id(), deps.modals.selected(modal.token))
    return save_and_confirm(deps, operator, modal, change, key=key)
