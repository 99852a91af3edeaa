"""The first screen of /licenses: pick one of the customers the operator may manage."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ExternalDataSelectElement

from blocks import ids
from blocks.common import modal, plain, plain_section, section
from blocks.viewmodels import PickerVM


def picker_view(vm: PickerVM, private_metadata: str) -> dict[str, Any]:
    """The customer picker: a type-ahead select fed by the options load URL (`block_suggestion`)."""
    select = ExternalDataSelectElement(
        action_id=ids.CUSTOMER_SELECT,
        placeholder=plain("Search customers"),
        # 0 lists the first customers as soon as the menu opens; Slack's default waits for 3 typed characters.
        min_query_length=0,
    )
    blocks: list[Block] = [section("Whose users and licenses do you want to manage?")]
    blocks.append(ActionsBlock(block_id=ids.CUSTOMER_BLOCK, elements=[select]))
    if vm.notice:
        blocks.append(plain_section(vm.notice))  # may quote what the operator typed: plain text, never mrkdwn
    return modal(
        callback_id=ids.PICK_VIEW, title="Licenses", close="Cancel", blocks=blocks, private_metadata=private_metadata
    )
