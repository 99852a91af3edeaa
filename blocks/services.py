"""Services: one Turn on for all / Leave as is / Turn off for all choice per service of one product, for the selected
users who hold it (or are given it by this save). Pushed over Manage licenses; its Back returns there with every
choice kept on the server, and each change reaches the bot, which redraws Manage licenses' preview.

A product can have more services than a modal holds comfortably (Microsoft 365 E5 has 86): they come a page at a
time (SERVICES_PER_PAGE), by friendly name.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, InputBlock, Option, RadioButtonsElement

from blocks import ids
from blocks.common import context, modal, plain, section
from blocks.text import fit_escaped, plural, truncate
from blocks.viewmodels import ServiceRowVM, ServicesVM
from licensing.types import HoldState, Switch

SERVICES_PER_PAGE = 40  # E5's 86 in three pages; 40 radio groups is as much as one screen of Slack can show usefully
LABEL_MAX = 150
CHOICE_TEXT: dict[Switch, str] = {
    Switch.ON: "Turn on for all",
    Switch.KEEP: "Leave as is",
    Switch.OFF: "Turn off for all",
}


def services_view(vm: ServicesVM, private_metadata: str) -> dict[str, Any]:
    blocks: list[Block] = [section(_head(vm)), context(_status(vm), plain_text=True)]
    blocks += [_service(r) for r in vm.rows[:SERVICES_PER_PAGE]]
    if pager := _pager(vm):
        blocks.append(pager)
    view = modal(
        callback_id=ids.SERVICES_VIEW,
        title="Services",
        submit="Done",
        close="Back",
        blocks=blocks,
        private_metadata=private_metadata,
    )
    # Back sends view_closed with the radios as left, so the bot keeps the page's choices even if a click's own
    # request is still on its way.
    return view | {"notify_on_close": True}


def _head(vm: ServicesVM) -> str:
    who = [plural(vm.holders, "selected user") + " hold it"] if vm.holders else []
    if vm.giving:
        who.append(f"{plural(vm.giving, 'user')} will get it with the services chosen here")
    return f"*{fit_escaped(vm.product_name, 200)}*\n{'; '.join(who) or 'None of the selected users holds it'}."


def _status(vm: ServicesVM) -> str:
    first = (vm.page - 1) * SERVICES_PER_PAGE + 1
    last = first + len(vm.rows) - 1
    shown = f"Services {first}–{last} of {vm.total}" if vm.page_count > 1 else plural(vm.total, "service")
    return f"{shown}. Only the users who hold the product change; Back keeps your choices."


def _now(r: ServiceRowVM) -> str:
    if r.holders == 0:
        return "Now: on when given"
    if r.state is HoldState.ALL:
        return "Now: on for all" if r.holders > 1 else "Now: on"
    if r.state is HoldState.NONE:
        return "Now: off for all" if r.holders > 1 else "Now: off"
    return f"Now: on for {r.on:,} of {r.holders:,}"


def _described(r: ServiceRowVM) -> Switch:
    return Switch.ON if r.holders == 0 else Switch.matching(r.state)


def _service(r: ServiceRowVM) -> Block:
    described = _described(r)  # the option that says where the holders stand today: "Now: …"
    options = {
        choice: Option(
            value=choice.value, text=plain(text), description=plain(_now(r)) if choice == described else None
        )
        for choice, text in CHOICE_TEXT.items()
    }
    return InputBlock(
        block_id=f"{ids.SERVICE_BLOCK_PREFIX}{r.plan}",
        label=plain(truncate(r.title.strip() or r.plan, LABEL_MAX)),
        optional=False,
        dispatch_action=True,  # every change reaches the bot, which keeps it and refreshes Manage licenses' preview
        element=RadioButtonsElement(
            action_id=ids.SERVICE_CHOICE, options=list(options.values()), initial_option=options[r.choice]
        ),
    )


def _pager(vm: ServicesVM) -> ActionsBlock | None:
    buttons = []
    if vm.page > 1:
        buttons.append(ButtonElement(text=plain("‹ Previous"), action_id=ids.SERVICE_PAGE_PREV, value=str(vm.page - 1)))
    if vm.page < vm.page_count:
        buttons.append(ButtonElement(text=plain("Next ›"), action_id=ids.SERVICE_PAGE_NEXT, value=str(vm.page + 1)))
    return ActionsBlock(elements=buttons) if buttons else None
