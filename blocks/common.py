"""Small constructors every builder uses, so limits and text settings are decided once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from blocks.render import as_dict
from blocks.text import truncate

MODAL_TITLE_MAX = 24  # title, submit and close of a modal
SECTION_MAX = 3000
VIEW_BLOCKS_MAX = 100
MESSAGE_BLOCKS_MAX = 50


def plain(text: str) -> PlainTextObject:
    """Plain text: safe for any customer string, nothing in it is parsed as markup or mentions."""
    return PlainTextObject(text=text, emoji=True)


def md(text: str) -> MarkdownTextObject:
    """mrkdwn whose data parts the caller has escaped; verbatim stops Slack auto-linking names that look like URLs."""
    return MarkdownTextObject(text=text, verbatim=True)


def section(text: str, *, block_id: str | None = None, accessory: BlockElement | None = None) -> SectionBlock:
    return SectionBlock(text=md(truncate(text, SECTION_MAX)), block_id=block_id, accessory=accessory)


def plain_section(text: str) -> SectionBlock:
    return SectionBlock(text=plain(truncate(text, SECTION_MAX)))


def context(text: str, *, plain_text: bool = False) -> ContextBlock:
    return ContextBlock(elements=[plain(text) if plain_text else md(text)])


def message(text: str, blocks: Sequence[Block], **extra: Any) -> dict[str, Any]:
    """A message's arguments: its fallback text (notifications, screen readers) and its blocks as Slack takes them."""
    return {"text": text, "blocks": [as_dict(b) for b in blocks], **extra}


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    private_metadata: str,
    submit: str | None = None,
    close: str | None = None,
) -> dict[str, Any]:
    """A modal view dict; `private_metadata` carries the bot's session token through every update."""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=plain(truncate(title, MODAL_TITLE_MAX)),
        submit=plain(submit) if submit else None,
        close=plain(close) if close else None,
        blocks=list(blocks),
        private_metadata=private_metadata,
    )
    return as_dict(view)
