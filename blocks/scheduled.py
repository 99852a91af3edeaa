"""Time-bound assignments: Manage licenses' two days, what a confirmation says was scheduled, a scheduled run's
reply in the save's thread, and `/licenses scheduled`'s list with Cancel.

Times arrive as text already in the reader's timezone (bot/slack/timezones.py), except in the run's reply, written by a
background job that does not know who reads it: there Slack's `<!date>` shows each reader their own time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DatePickerElement,
    DividerBlock,
    InputBlock,
)

from blocks import ids
from blocks.common import context, message, modal, plain, section
from blocks.render import as_dict
from blocks.text import escape, fit_escaped, plural, truncate
from licensing.types import Desired

NAME_MAX = 200
USERS_SHOWN = 5
PER_PAGE = 20  # a change is two blocks: 20 of them and the frame stay well inside a modal's 100 blocks
STARTS_HINT = "Assigned at 00:00 on this day, in your Slack timezone. Leave empty (or today) to save now."
ENDS_HINT = "The products set to Assign are held through this day and revoked at 00:00 the day after."


def date_inputs() -> list[Block]:
    """Manage licenses' optional Starts on and Ends on (Block Kit datepickers, days as YYYY-MM-DD)."""
    return [
        InputBlock(
            block_id=ids.STARTS_BLOCK,
            label=plain("Starts on"),
            optional=True,
            hint=plain(STARTS_HINT),
            element=DatePickerElement(action_id=ids.STARTS_INPUT, placeholder=plain("Today")),
        ),
        InputBlock(
            block_id=ids.ENDS_BLOCK,
            label=plain("Ends on"),
            optional=True,
            hint=plain(ENDS_HINT),
            element=DatePickerElement(action_id=ids.ENDS_INPUT, placeholder=plain("No end")),
        ),
    ]


@dataclass(frozen=True)
class PlannedVM:
    """One scheduled part of a save, as its confirmation lists it."""

    verb: str  # "Assign Office 365 E3" / "Revoke Visio" / "Assign … and revoke …"
    users: int
    when: str  # in the operator's timezone


def planned_lines(planned: Sequence[PlannedVM]) -> str:
    return "\n".join(
        f":calendar: *{escape(p.verb)}* for {plural(p.users, 'user')} on {escape(p.when)}" for p in planned
    )


def scheduled_only(customer_name: str, operator_id: str, planned: Sequence[PlannedVM]) -> dict[str, Any]:
    """The confirmation of a save that changes nothing now: what is scheduled, and when."""
    customer = fit_escaped(customer_name, NAME_MAX)
    title = f"{customer}: license changes scheduled"
    blocks = [
        section(f"*{title}*\n{planned_lines(planned)}"),
        context(
            f"by <@{escape(operator_id)}> · the outcome will be told in this thread · "
            "`/licenses scheduled` lists them, with Cancel"
        ),
    ]
    return message(title, blocks)


def with_planned(parent: dict[str, Any], planned: Sequence[PlannedVM]) -> dict[str, Any]:
    """A save's confirmation that also scheduled an end: the same message, then what is scheduled."""
    if not planned:
        return parent
    note = as_dict(section(f"*Scheduled*\n{planned_lines(planned)}"))
    return {**parent, "blocks": [*parent.get("blocks", []), note]}


def run_reply(verb: str, when_epoch: int, when_utc: str, ok: bool, outcome: str) -> dict[str, Any]:
    """The reply in the save's thread once a scheduled change ran: what, when, and each user's result or why not."""
    icon = ":white_check_mark:" if ok else ":x:"
    when = f"<!date^{when_epoch}^{{date_short_pretty}} {{time}}|{escape(when_utc)}>"
    head = f"{icon} Scheduled for {when}: *{escape(verb)}* — {'done' if ok else 'failed'}"
    return message(
        f"Scheduled change {'done' if ok else 'failed'}: {verb}",
        [section(head), section(outcome or "Nothing to report.")],
    )


def cancel_reply(verb: str, when_epoch: int, when_utc: str, by: str) -> dict[str, Any]:
    """The reply in the save's thread when a scheduled change is cancelled: what will not happen, and who said so."""
    when = f"<!date^{when_epoch}^{{date_short_pretty}} {{time}}|{escape(when_utc)}>"
    head = f":no_entry_sign: Cancelled by <@{escape(by)}>: *{escape(verb)}* will not run on {when}."
    return message(f"Scheduled change cancelled: {verb}", [section(head)])


@dataclass(frozen=True)
class ScheduledRowVM:
    id: int
    customer_name: str
    users: tuple[str, ...]
    verb: str
    when: str
    operator_id: str


@dataclass(frozen=True)
class ScheduledPageVM:
    rows: tuple[ScheduledRowVM, ...]
    total: int
    offset: int
    zone: str
    note: str | None = None  # what the last click did: "Cancelled: …"


def scheduled_view(vm: ScheduledPageVM) -> dict[str, Any]:
    """The pending changes, soonest first, each with Cancel (behind a confirmation); paged by PER_PAGE."""
    head = f"*Scheduled changes* · {plural(vm.total, 'pending change')} · times in {escape(vm.zone)}"
    blocks: list[Block] = [section(head)]
    if vm.note:
        blocks.append(context(escape(vm.note)))
    if not vm.rows:
        blocks.append(context("Nothing is scheduled for the customers you manage."))
    for r in vm.rows[:PER_PAGE]:
        blocks += [DividerBlock(), section(_row(r), accessory=_cancel(r))]
    pager = []
    if vm.offset > 0:
        pager.append(
            ButtonElement(text=plain("← Sooner"), action_id=ids.SCHEDULED_PREV, value=str(max(0, vm.offset - PER_PAGE)))
        )
    if vm.offset + PER_PAGE < vm.total:
        pager.append(
            ButtonElement(text=plain("Later →"), action_id=ids.SCHEDULED_NEXT, value=str(vm.offset + PER_PAGE))
        )
    if pager:
        blocks.append(ActionsBlock(elements=pager))
    return modal(
        callback_id=ids.SCHEDULED_VIEW,
        title="Scheduled changes",
        close="Close",
        blocks=blocks,
        private_metadata=str(vm.offset),
    )


def _row(r: ScheduledRowVM) -> str:
    names = ", ".join(fit_escaped(u, NAME_MAX) for u in r.users[:USERS_SHOWN])
    more = f" and {len(r.users) - USERS_SHOWN:,} more" if len(r.users) > USERS_SHOWN else ""
    return (
        f"*{escape(r.verb)}* · {fit_escaped(r.customer_name, NAME_MAX)}\n{names}{more}\n"
        f"{escape(r.when)} · scheduled by <@{escape(r.operator_id)}>"
    )


def _cancel(r: ScheduledRowVM) -> ButtonElement:
    text = plain(truncate(f"{r.verb} on {r.when} will not run.", 300))
    confirm = ConfirmObject(
        title=plain("Cancel this change?"), text=text, confirm=plain("Cancel it"), deny=plain("Keep it")
    )
    return ButtonElement(
        text=plain("Cancel"), action_id=ids.SCHEDULED_CANCEL, value=str(r.id), style="danger", confirm=confirm
    )


def verb(desired: Mapping[str, Desired], names: Mapping[str, str], location: str | None = None) -> str:
    """ "Assign Office 365 E3, Visio; revoke Office 365 E1" by product name."""
    assign = [names.get(s, s) for s, d in sorted(desired.items()) if d is Desired.ASSIGN]
    revoke = [names.get(s, s) for s, d in sorted(desired.items()) if d is Desired.REVOKE]
    parts = ([f"assign {', '.join(assign)}"] if assign else []) + ([f"revoke {', '.join(revoke)}"] if revoke else [])
    parts += [f"set usage location {location}"] if location else []
    text = "; ".join(parts) or "no change"
    return text[0].upper() + text[1:]
