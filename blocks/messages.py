"""Channel messages: the confirmation after a save (a parent plus threaded per-user replies), help and refusals.

Every payload has `text`: mobile notifications use only it. It is mrkdwn, so data in it is escaped like the blocks.
"""

from __future__ import annotations

from typing import Any

from blocks.common import MESSAGE_BLOCKS_MAX, context, message, section
from blocks.outcomes import outcome_line
from blocks.text import escape, fit_escaped, plural, take_lines
from blocks.viewmodels import ResultVM

SECTION_CHARS = 2800
# Slack answers msg_blocks_too_long at about 13k characters of blocks in total, whatever the per-block limits say.
MESSAGE_TEXT_BUDGET = 11_500
CUSTOMER_MAX = 200


def confirmation_parent(vm: ResultVM) -> dict[str, Any]:
    """ "Contoso Ltd: licenses updated for 4 of 5 users, 1 error", by the operator; details follow in the thread."""
    customer = fit_escaped(vm.customer_name, CUSTOMER_MAX)
    counts = f"licenses updated for {vm.updated:,} of {plural(len(vm.outcomes), 'user')}"
    if vm.errors:
        counts += f", {plural(vm.errors, 'error')}"
    by = f"by <@{escape(vm.operator_id)}>" + (" · every user's result is in the thread" if vm.outcomes else "")
    if vm.batch_id:
        by += f" · batch `{escape(vm.batch_id)}`: `/licenses history` shows it"
    note = [context(escape(vm.note))] if vm.note else []
    return message(f"{customer}: {counts}", [section(f"*{customer}*: {counts}"), context(by), *note])


def confirmation_replies(vm: ResultVM) -> list[dict[str, Any]]:
    """The per-user lines, split into thread replies that each stay inside Slack's block and size limits."""
    customer = fit_escaped(vm.customer_name, CUSTOMER_MAX)
    lines = [outcome_line(o) for o in vm.outcomes]
    replies: list[dict[str, Any]] = []
    start = 0
    while start < len(lines):
        chunks, taken = take_lines(
            lines[start:],
            SECTION_CHARS,
            max_chunks=MESSAGE_BLOCKS_MAX - 1,  # one block goes to the "Users 1–120 of 2,000" line
            budget=MESSAGE_TEXT_BUDGET,
            cost=lambda line: len(line) + 1,  # the newline that joins it
        )
        end = start + taken
        where = f"users {start + 1:,}–{end:,} of {len(lines):,}"
        blocks = [context(f"*{customer}* · {where}"), *(section(chunk) for chunk in chunks)]
        replies.append(message(f"{customer}: results for {where}", blocks))
        start = end
    return replies


def help_message() -> dict[str, Any]:
    """How to use /licenses."""
    usage = (
        "*`/licenses`*: choose a customer, tick any number of its users, then assign or revoke licenses "
        "for all of them at once.\n"
        "*`/licenses NAME`*: go straight to the customer whose name matches NAME.\n"
        "*`/licenses history [CUSTOMER] [USER]`*: recent changes (when, who, what, the outcome), newest first, "
        "for all your customers or one customer, or one of its users.\n"
        "*`/licenses scheduled`*: changes scheduled with Starts on / Ends on that have not run yet, with Cancel.\n"
        "*`/licenses help`*: show this help."
    )
    note = "Only partner staff whom a partner admin has added can use it, for the customers they are allowed to manage."
    return message("How to use /licenses", [section(usage), context(note)])
