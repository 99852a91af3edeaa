"""`/licenses history`: recent changes in a modal, a page at a time, with Newer and Older.

A modal rather than a private message: it pages in place (views.update), holds 100 blocks rather than 50, and
leaves nothing behind in the channel; the filter rides in private_metadata and each button carries its cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock

from blocks import ids
from blocks.actions import action_words, outcome_words
from blocks.common import context, modal, plain, section
from blocks.text import escape, fit_escaped

NAME_MAX = 200  # a user's or customer's name in a line
REASON_MAX = 1000  # with the rest of the line, well under a section's 3000
OUTCOMES = {
    "applied": ":white_check_mark:",
    "failed": ":x:",
    "requested": ":shopping_trolley:",
    "approved": ":white_check_mark:",
    "declined": ":no_entry_sign:",
    "fulfilled": ":white_check_mark:",
    "scheduled": ":calendar:",
    "done": ":white_check_mark:",
    "cancelled": ":no_entry_sign:",
}


@dataclass(frozen=True)
class HistoryRowVM:
    """One audit line: a change to one user, applied or refused."""

    at_epoch: int  # Unix seconds, for Slack's <!date^…> (shown in the reader's own time zone)
    # What clients that cannot format dates show, in the reader's zone: "2026-03-04 06:06 Europe/Paris".
    at_fallback: str
    operator_id: str  # Slack user id, rendered as a mention; "" when no person did it (then `by` says who did)
    customer_name: str
    user_id: str  # "" for a request not about one user (Buy more)
    action: str  # assign | revoke | set_location:CC | quantity | buy_more | scheduled | none
    product: str | None  # the product's name (or its SKU when the catalogue has none)
    outcome: str  # applied | failed | requested | approved | declined | fulfilled | scheduled | done | cancelled
    reason: str | None
    batch_id: str
    by: str = "licensebot"  # who did it when no Slack user did: "directory import", "the Microsoft 365 sync"
    service: str | None = None  # a service line's words, e.g. "Microsoft Teams off"


@dataclass(frozen=True)
class HistoryVM:
    scope: str  # which changes: "All your customers", "Contoso Ltd", "alice@contoso.com at Contoso Ltd"
    rows: tuple[HistoryRowVM, ...]  # newest first, a page of them
    newer: str | None  # the Newer button's value (a cursor), None on the newest page
    older: str | None  # the Older button's value, None on the oldest page
    private_metadata: str  # the filter, for the paging clicks


def history_view(vm: HistoryVM) -> dict[str, Any]:
    """Newest first, every customer-supplied string escaped. A line is under 2,000 characters, so a page of up to
    25 lines stays inside Slack's 100 blocks and its size limit on views."""
    blocks: list[Block] = [section(f"*Recent changes* · {fit_escaped(vm.scope, NAME_MAX)}")]
    if not vm.rows:
        blocks.append(context("No changes recorded here yet." if vm.newer is None else "Nothing newer."))
    blocks += [DividerBlock(), *(section(row_text(r)) for r in vm.rows)] if vm.rows else []
    buttons = []
    if vm.newer is not None:
        buttons.append(ButtonElement(text=plain("← Newer"), action_id=ids.HISTORY_NEWER, value=vm.newer))
    if vm.older is not None:
        buttons.append(ButtonElement(text=plain("Older →"), action_id=ids.HISTORY_OLDER, value=vm.older))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return modal(
        callback_id=ids.HISTORY_VIEW,
        title="License history",
        close="Close",
        blocks=blocks,
        private_metadata=vm.private_metadata,
    )


def row_text(r: HistoryRowVM) -> str:
    """ ":x: *Assign Office 365 E5* · carol@contoso.com at Contoso Ltd — failed: why"; below: when, who, batch."""
    icon = OUTCOMES.get(r.outcome, ":grey_question:")
    what = f"*{action_words(r.action, r.product, r.service)}*"
    whom = f"{fit_escaped(r.user_id, NAME_MAX)} at " if r.user_id else ""
    outcome = outcome_words(r.outcome, r.reason, REASON_MAX)
    when = f"<!date^{r.at_epoch}^{{date_short_pretty}} {{time}}|{escape(r.at_fallback)}>"
    who = f"<@{escape(r.operator_id)}>" if r.operator_id else escape(r.by)
    return (
        f"{icon} {what} · {whom}{fit_escaped(r.customer_name, NAME_MAX)} — {outcome}\n"
        f"{when} · by {who} · batch `{escape(r.batch_id)}`"
    )
