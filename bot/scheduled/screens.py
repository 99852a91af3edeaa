"""Time-bound assignments on the Slack side: reading Manage licenses' days, the Save with them, the reply a
scheduled run leaves in the save's thread, and `/licenses scheduled`'s pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date
from typing import Any

from slack_sdk import WebClient

from blocks.outcomes import outcome_line
from blocks.scheduled import (
    PlannedVM,
    ScheduledPageVM,
    ScheduledRowVM,
    cancel_reply,
    run_reply,
    scheduled_only,
    scheduled_view,
    with_planned,
)
from blocks.viewmodels import ResultVM
from bot.deps import Deps
from bot.manage import screens
from bot.manage.confirm import result_vm, thread
from bot.slack.timezones import OperatorZone, zone_of
from bot.telemetry import logs
from licensing.model import Change, Operator, ScheduledChange
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult
from licensing.scheduled import schedule
from licensing.scheduled.runs import Render
from licensing.types import Desired
from storage.modal_state import ModalState


def parse_day(state: dict[str, Any], block: str, action: str) -> date | None:
    value = state.get("values", {}).get(block, {}).get(action, {}).get("selected_date")
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def verb(desired: Mapping[str, Desired], names: Mapping[str, str], location: str | None = None) -> str:
    """ "Assign Office 365 E3, Visio; revoke Office 365 E1" by product name."""
    assign = [names.get(s, s) for s, d in sorted(desired.items()) if d is Desired.ASSIGN]
    revoke = [names.get(s, s) for s, d in sorted(desired.items()) if d is Desired.REVOKE]
    parts = ([f"assign {', '.join(assign)}"] if assign else []) + ([f"revoke {', '.join(revoke)}"] if revoke else [])
    parts += [f"set usage location {location}"] if location else []
    text = "; ".join(parts) or "no change"
    return text[0].upper() + text[1:]


def save(
    deps: Deps,
    client: WebClient,
    operator: Operator,
    modal: ModalState,
    change: Change | None,
    dates: schedule.Dates,
    zone: OperatorZone,
    ends: list[str],
    *,
    key: str,
) -> ResultVM:
    """Save with days: what is applied now (if anything) and what is scheduled, one use case, one transaction."""
    actor = operator.slack_user_id
    customer_id = screens.customer_id(modal)
    name = modal.customer_name or customer_id
    names = screens.product_names(deps, actor, customer_id)
    users = deps.modals.selected(modal.token)
    reply_to = {"channel": modal.channel_id, "user": actor, "customer_name": name}
    planned = _planned(change, dates, zone, ends, names, len(users))

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
        dates,
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


def run_renderer(deps: Deps) -> Render:
    """The reply a scheduled run leaves in its save's thread (a background job: no reader's timezone, so <!date>)."""

    def render(change: ScheduledChange, result: BatchResult | None, error: str | None) -> dict[str, Any]:
        names = _product_names(deps, change)
        what = verb(change.desired, names, change.location)
        at = change.run_at.astimezone(UTC)
        if result is None:
            return run_reply(what, int(at.timestamp()), f"{at:%Y-%m-%d %H:%M} UTC", False, error or "")
        vm = result_vm(change.customer_id, result, names)
        lines = "\n".join(outcome_line(o) for o in vm.outcomes[:40])
        more = f"\n… and {len(vm.outcomes) - 40:,} more: `/licenses history`" if len(vm.outcomes) > 40 else ""
        return run_reply(what, int(at.timestamp()), f"{at:%Y-%m-%d %H:%M} UTC", vm.failed == 0, lines + more)

    return render


def _product_names(deps: Deps, change: ScheduledChange) -> dict[str, str]:
    with deps.uow_factory() as uow:
        return {sku: p.name for sku, p in uow.products.get_many(change.desired).items()}


def page(deps: Deps, client: WebClient, actor: str, offset: int = 0, note: str | None = None) -> dict[str, Any]:
    """A page of `/licenses scheduled`, read with the operator as the actor (scope checked on every click)."""
    zone = zone_of(client, actor)
    listing = schedule.pending(actor, uow=deps.uow_factory(), offset=max(0, offset), limit=20)
    rows = tuple(
        ScheduledRowVM(
            c.id,
            listing.customers.get(c.customer_id, c.customer_id),
            c.user_ids,
            verb(c.desired, listing.products, c.location),
            zone.show(c.run_at),
            c.operator,
        )
        for c in listing.changes
    )
    return scheduled_view(ScheduledPageVM(rows, listing.total, max(0, offset), zone.label, note))


def cancel_renderer(deps: Deps, actor: str) -> Callable[[ScheduledChange], dict[str, Any]]:
    """The reply a cancel leaves in the save's thread, so whoever reads the thread knows it will not happen."""

    def render(change: ScheduledChange) -> dict[str, Any]:
        at = change.run_at.astimezone(UTC)
        what = verb(change.desired, _product_names(deps, change), change.location)
        return cancel_reply(what, int(at.timestamp()), f"{at:%Y-%m-%d %H:%M} UTC", actor)

    return render
