"""How a thread reads when the rest of it moves to the operator's DM (bot/outbox/worker.py decides when).

The channel refused a reply after the parent was posted there. The replies alone would make no sense in a DM, so
the parent is posted again in the DM first, with one line on top naming the channel it was posted in and why the
rest is here; the remaining replies are threaded under that copy. (A header alone would leave the replies answering
a message the operator may not be able to open: the channel refuses the bot, and may refuse them too.)
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50  # Slack's limit for a message


def moved_note(channel: str, error: str) -> str:
    return f"Posted in <#{channel}>, which refused the rest of this thread ({error}): it continues here."


def dm_copy(parent: dict[str, Any], channel: str, error: str) -> dict[str, Any]:
    """The parent's payload as its copy in the DM: the same message under a context line saying where it was."""
    note = moved_note(channel, error)
    blocks = parent.get("blocks")
    if blocks and len(blocks) < MAX_BLOCKS:
        context = {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}
        return {**parent, "blocks": [context, *blocks]}
    # No blocks (or no room for one more): the note goes on top of the text instead.
    return {**parent, "text": f"{note}\n{parent.get('text') or ''}".rstrip()}
