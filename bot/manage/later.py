"""Save with days (Starts on / Ends on): what is applied now, if anything, and what is scheduled, in one use case
and one transaction; the confirmation says what was scheduled, in the operator's time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from blocks.scheduled import PlannedVM, scheduled_only, verb, with_planned
from blocks.viewmodels import ResultVM
from bot.confirmation import result_vm, thread
from bot.deps import Deps
from bot.manage import screens
from bot.manage.forms import Later
from bot.slack.timezones import OperatorZone
from bot.telemetry import logs
from licensing.model import Change, Operator
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult
from licensing.scheduled import schedule
from licensing.types import Desired
from storage.modal_state import ModalState


def save_later(deps: Deps, operator: Operator, modal: ModalState, form: Later, *, key: str) -> ResultVM:
    """Save with days: what is applied now (if anything) and what is scheduled, one use case, one transaction."""
    actor = operator.slack_user_id
    customer_id = modal.chosen_customer_id()
    name = modal.customer_name or customer_id
    names = screens.product_names(deps, actor, customer_id)
    users = deps.modals.selected(modal.token)
    change = form.now.change(customer_id, users) if form.now else None
    ends = list(form.ends)
    reply_to = {"channel": modal.channel_id, "user": actor, "customer_name": name}
    planned = _planned(change, form.dates, form.zone, ends, names, len(users))

    def confirmation(result: BatchResult | None) -> OutgoingThread:
        if result is None:
            return OutgoingThread(modal.channel_id, actor, scheduled_only(name, actor, planned), kind="scheduled")
        sent = thread(result, reply_to, names)
        return OutgoingThread(
            sent.channel, sent.fallback_user, with_planned(sent.parent, planned), sent.replies, sent.batch_id
        )

    logs.bind(customer=customer_id)
    saved = schedule.save(
        customer_id,
        users,
        change,
        form.dates,
        ends=ends,
        actor=actor,
        uow=deps.uow_factory(),
        key=key,
        notify=confirmation,
        provider=deps.m365,
        reply_to=reply_to,
    )
    if saved.result is not None:
        deps.metrics.saved(saved.result)
        vm = result_vm(name, saved.result, names)
    else:
        vm = ResultVM(name, actor, (), replayed=saved.replayed)
    note = "; ".join(f"{p.verb} on {p.when}" for p in planned)
    return replace(vm, note=f"Scheduled: {note}" + (f" · {vm.note}" if vm.note else ""))


def _planned(
    change: Change | None,
    dates: schedule.Dates,
    zone: OperatorZone,
    ends: list[str],
    names: Mapping[str, str],
    users: int,
) -> list[PlannedVM]:
    """What the save schedules, in the operator's time: its start (the change) and its end (revoking `ends`)."""
    planned: list[PlannedVM] = []
    if dates.starts_at and change:
        planned.append(PlannedVM(verb(change.desired, names, change.location), users, zone.show(dates.starts_at)))
    if dates.ends_at and ends:
        planned.append(PlannedVM(verb(dict.fromkeys(ends, Desired.REVOKE), names), users, zone.show(dates.ends_at)))
    return planned
