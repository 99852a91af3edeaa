"""`/licenses history`: recent changes in a modal, a page at a time, with Newer and Older.

A modal rather than a private message: it pages in place (views.update), holds 100 blocks rather than 50, and
leaves nothing behind in the channel; the filter rides in private_metadata and each button carries its cursor.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock

from blocks import ids
from blocks.actions import action_words, outcome_words
from blocks.common import context, modal, plain, section
from blocks.text import escape, fit_escaped
from blocks.viewmodels import HistoryRowVM, HistoryVM

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
    what = f"*{_service(r.service, r.product) if r.service else action_words(r.action, r.product)}*"
    whom = f"{fit_escaped(r.user_id, NAME_MAX)} at " if r.user_id else ""
    outcome = outcome_words(r.outcome, r.reason, REASON_MAX)
    when = f"<!date^{r.at_epoch}^{{date_short_pretty}} {{time}}|{escape(r.at_fallback)}>"
    who = f"<@{escape(r.operator_id)}>" if r.operator_id else escape(r.by)
    return (
        f"{icon} {what} · {whom}{fit_escaped(r.customer_name, NAME_MAX)} — {outcome}\n"
        f"{when} · by {who} · batch `{escape(r.batch_id)}`"
    )


def _service(service: str, product: str | None) -> str:
    """ "Microsoft Teams off in Office 365 E3" """
    return " in ".join(
        filter(None, (fit_escaped(service, NAME_MAX), fit_escaped(product, NAME_MAX) if product else ""))
    )
