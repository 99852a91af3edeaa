"""The app tests' person in the workspace: `fakes.slack.client.SlackUser`, plus the licensebot-specific gesture of
choosing what to do with a product (the block and action ids come from the bot's `blocks.ids`)."""

from __future__ import annotations

from blocks import ids
from fakes.slack.client import SlackUser as _SlackUser
from fakes.slack.client import texts as _texts

__all__ = ["SlackUser", "_texts"]


class SlackUser(_SlackUser):
    def choose(self, sku: str, choice: str) -> None:
        self.type(f"{ids.PRODUCT_BLOCK_PREFIX}{sku}", ids.PRODUCT_CHOICE,
                  {"type": "radio_buttons", "selected_option": {"value": choice}})  # fmt: skip
