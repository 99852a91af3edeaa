"""The modals around a save: "Saving…" while it runs, the per-user result after, and plain notices."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock

from blocks import ids
from blocks.common import VIEW_BLOCKS_MAX, context, modal, plain_section, section
from blocks.outcomes import breakdown, failures_first, outcome_line, summary
from blocks.text import escape, fit_escaped, json_size, or_default, plural, take_lines
from blocks.viewmodels import ResultVM

SECTION_CHARS = 2800  # under the 3000 of a section, with room to spare
# Slack refuses views over ~250 kB. Lines are costed as the client sends them (JSON with ASCII escapes), so names
# in non-Latin scripts, six bytes a character, cannot push the view over.
VIEW_TEXT_BUDGET = 150_000
RESERVED_BLOCKS = 4  # summary, replay note, divider, "and k more"


def saving_view(customer_name: str, count: int, private_metadata: str) -> dict[str, Any]:
    """Shown at once on submit, so the operator sees progress while a large batch is applied."""
    blocks = [
        section(
            f":hourglass_flowing_sand: Applying changes for {plural(count, 'user')} of *{_customer(customer_name)}*…"
        ),
        context("This can take a little while for many users. You can close this window: saving continues."),
    ]
    return modal(
        callback_id=ids.SAVING_VIEW, title="Saving…", close="Close", blocks=blocks, private_metadata=private_metadata
    )


def result_view(vm: ResultVM, private_metadata: str) -> dict[str, Any]:
    """Every user's outcome that fits; past the block or size limit, failures first and a pointer to the thread."""
    said = summary(vm) if vm.outcomes or not vm.note else "Nothing changed now."  # all of it scheduled for later
    blocks: list[Block] = [section(f"*{_customer(vm.customer_name)}*\n{said}")]
    if vm.replayed:
        blocks.append(
            context(":information_source: This submission had already been applied, so nothing was changed again.")
        )
    if vm.note:  # e.g. what the save scheduled, and when
        blocks.append(context(escape(vm.note)))
    blocks.append(DividerBlock())
    ordered = list(vm.outcomes)
    chunks, taken = _fit([outcome_line(o) for o in ordered])
    if taken < len(ordered):
        ordered = failures_first(vm.outcomes)
        chunks, taken = _fit([outcome_line(o) for o in ordered])
    blocks += [section(chunk) for chunk in chunks]
    rest = ordered[taken:]
    if rest:
        blocks.append(section(f"…and {len(rest):,} more ({breakdown(rest)}): see the thread for every user."))
    return modal(
        callback_id=ids.RESULT_VIEW,
        title="Licenses updated",
        close="Done",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def notice_view(title: str, text: str, private_metadata: str) -> dict[str, Any]:
    """A refusal or error the operator must read; `text` is shown as plain text, so it may quote any data."""
    blocks = [plain_section(or_default(text, "Something went wrong."))]
    return modal(
        callback_id=ids.NOTICE_VIEW,
        title=or_default(title, "Licenses"),
        close="Close",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _customer(name: str) -> str:
    return fit_escaped(name, 200)


def _fit(lines: list[str]) -> tuple[list[str], int]:
    max_sections = VIEW_BLOCKS_MAX - RESERVED_BLOCKS
    return take_lines(lines, SECTION_CHARS, max_chunks=max_sections, budget=VIEW_TEXT_BUDGET, cost=json_size)
