"""After Save: one call to the licensing service, and the confirmation thread for the channel where /licenses ran,
queued in the change's own transaction (the delivery worker posts it, by direct message if the channel refuses)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.viewmodels import OutcomeVM, ProblemVM, ResultVM
from bot.deps import Deps
from bot.manage import screens
from bot.runtime import logs
from licensing import queries, service
from licensing.connected.remote import Render
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


def thread(result: BatchResult, reply_to: Mapping[str, Any], names: dict[str, str]) -> OutgoingThread:
    """The confirmation thread, to the channel where the save was asked for (`reply_to`, kept with the save)."""
    vm = result_vm(str(reply_to.get("customer_name") or result.customer_id), result, names)
    parent, replies = confirmation_parent(vm), tuple(confirmation_replies(vm))
    return OutgoingThread(
        reply_to.get("channel"), str(reply_to.get("user") or result.operator), parent, replies, result.batch_id
    )


def renderer(deps: Deps) -> Render:
    """Confirmations for saves reconciled after a crash, in another process than the one that took them."""

    def render(result: BatchResult, *, reply_to: Mapping[str, Any]) -> OutgoingThread:
        summary = queries.summary(result.customer_id, [], actor=None, uow=deps.uow_factory())
        return thread(result, reply_to, {p.sku: p.name for p in summary.products})

    return render


def refresh_users_page(deps: Deps, client: WebClient, operator: Operator, modal: ModalState, view_id: str) -> None:
    """The users page under the result shows licenses from before the save: redraw it (gone already is fine)."""
    try:
        _, users = screens.users(deps, operator.slack_user_id, modal)
        client.views_update(view_id=view_id, view=users)
    except SlackApiError as e:
        log.info("could not refresh the users page: %s", e.response.get("error"))


def result_vm(customer_name: str, result: BatchResult, names: dict[str, str]) -> ResultVM:
    """One line per user, products by name."""
    outcomes = tuple(
        OutcomeVM(
            name=o.name or o.user_id,
            user_id=o.user_id,
            status=o.status.value,
            assigned=tuple(names.get(s, s) for s in o.assigned),
            revoked=tuple(names.get(s, s) for s in o.revoked),
            errors=tuple(ProblemVM(e.code.value, e.message) for e in o.errors),
            location=o.location,
            services=tuple(f"{c.text} in {names.get(c.sku, c.sku)}" for c in o.services),
            not_held=tuple(names.get(s, s) for s in o.not_held),
        )
        for o in result.results
    )
    return ResultVM(
        customer_name, result.operator, outcomes, replayed=result.replayed, note=result.note, batch_id=result.batch_id
    )
