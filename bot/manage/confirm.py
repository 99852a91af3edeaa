"""After Save: one call to the licensing service, and the confirmation thread for the channel where /licenses ran,
queued in the change's own transaction (the delivery worker posts it, by direct message if the channel refuses)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.viewmodels import ResultVM
from bot.confirmation import result_vm, thread
from bot.deps import Deps
from bot.manage import screens
from bot.telemetry import logs
from licensing import service
from licensing.model import Change, Operator
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult
from storage.modal_state import ModalState

log = logging.getLogger("licensebot.bot")


def save_and_confirm(deps: Deps, operator: Operator, modal: ModalState, change: Change, *, key: str) -> ResultVM:
    """Saves the change; its thread is queued with the change, whatever failed. Returns what the modal shows."""
    actor = operator.slack_user_id
    name = modal.customer_name or change.customer_id
    names = screens.product_names(deps, actor, change.customer_id)

    reply_to = {"channel": modal.channel_id, "user": actor, "customer_name": name}

    def confirmation(result: BatchResult) -> OutgoingThread:
        return thread(result, reply_to, names)

    logs.bind(customer=change.customer_id)
    result = service.apply(
        change,
        actor=actor,
        uow=deps.uow_factory(),
        idempotency_key=key,
        notify=confirmation,
        provider=deps.m365,
        reply_to=reply_to,
    )
    logs.bind(batch=result.batch_id)
    deps.metrics.saved(result)
    vm = result_vm(name, result, names)
    log.info(
        "batch=%s customer=%s saved: %d updated, %d failed", result.batch_id, change.customer_id, vm.updated, vm.failed
    )
    return vm


def refresh_users_page(deps: Deps, client: WebClient, operator: Operator, modal: ModalState, view_id: str) -> None:
    """The users page under the result shows licenses from before the save: redraw it (gone already is fine)."""
    try:
        _, users = screens.users(deps, operator, modal)
        client.views_update(view_id=view_id, view=users)
    except SlackApiError as e:
        log.info("could not refresh the users page: %s", e.response.get("error"))
