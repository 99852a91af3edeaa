"""What a saved batch looks like in Slack, wherever it was saved: the result's view-model and the confirmation
thread. Shared by the Save (bot/manage), scheduled runs (bot/scheduled) and saves reconciled after a crash
(bot/runtime/jobs.py, `licensebot sync`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.viewmodels import OutcomeVM, ProblemVM, ResultVM
from bot.deps import Deps
from licensing import queries
from licensing.connected.remote import Render
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult


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
