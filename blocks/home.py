"""The App Home tab: what the app does, how to start, and who the viewer is to it."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from blocks.common import context, plain, section
from blocks.text import fit_escaped
from blocks.viewmodels import HomeVM

ABOUT = (
    "Assign and revoke your customers' product licenses for many users at once: pick a customer, tick its users, "
    "then choose for each product whether to assign it to all of them, revoke it, or leave it as it is."
)
START = (
    "Type `/licenses` in any channel to start, or `/licenses NAME` to go straight to a customer. "
    "`/licenses help` explains the rest."
)


def home_view(vm: HomeVM) -> dict[str, Any]:
    """The App Home for an operator (role and customers) or for someone who still has to be added."""
    blocks: list[Block] = [HeaderBlock(text=plain("Licenses")), section(ABOUT), section(START), DividerBlock()]
    if vm.operator_name is None:
        blocks.append(
            section(":lock: You are not an operator yet. Ask a partner admin to add you, then use `/licenses`.")
        )
    else:
        who = f"*You:* {fit_escaped(vm.operator_name, 200)}"
        if vm.role:
            who += f" · role *{fit_escaped(vm.role, 100)}*"
        blocks.append(section(who))
        blocks.append(context(f"Customers you can manage: {fit_escaped(vm.customers or 'none yet', 2000)}"))
    return View(type="home", blocks=blocks).to_dict()
