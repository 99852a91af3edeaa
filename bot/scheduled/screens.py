"""Time-bound assignments on the Slack side: the reply a scheduled run leaves in its save's thread, and `/licenses
scheduled`'s pages. (The Save with days is Manage licenses', bot/manage/later.py.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from slack_sdk import WebClient

from blocks.outcomes import outcome_line
from blocks.scheduled import (
    ScheduledPageVM,
    ScheduledRowVM,
    cancel_reply,
    run_reply,
    scheduled_view,
    verb,
)
from bot.confirmation import result_vm
from bot.deps import Deps
from bot.slack.timezones import zone_of
from licensing.model import ScheduledChange
from licensing.results import BatchResult
from licensing.scheduled import schedule
from licensing.scheduled.runs import Render


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
