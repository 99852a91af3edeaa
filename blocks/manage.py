"""Manage licenses: one Assign / Leave as is / Revoke choice per product for all the selected users at once.

Checkboxes have no "some users have it" state, hence radio buttons with a neutral "Leave as is". Each product's
input dispatches on change so the bot can redraw the preview of what would fail before the operator saves.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)

from blocks import ids
from blocks.common import SECTION_MAX, VIEW_BLOCKS_MAX, modal, plain, plain_section, section
from blocks.text import escape, fit_escaped, names_line, one_line, plural, take_lines, truncate
from blocks.viewmodels import ManageVM, ProductRowVM
from licensing.types import Desired, HoldState

OPTION_MAX = 75
LABEL_NAME_MAX = 150  # product name in an input label (label ≤2000)
HINT_MAX = 2000
SHOWN_USERS = 10  # names listed at the top of the view
HINT_NAMES = 5  # holder names listed under each product
NAME_MAX = 60  # one user's name in those lists
SELECT_OPTIONS_MAX = 100  # static_select
CHOICE_TEXT: dict[Desired, str] = {
    Desired.ASSIGN: "Assign to all selected",
    Desired.KEEP: "Leave as is",
    Desired.REVOKE: "Revoke from all selected",
}


def manage_view(vm: ManageVM, private_metadata: str) -> dict[str, Any]:
    """The per-product choices for the selected users, with the what-would-fail preview and the Buy more path."""
    blocks: list[Block] = [_who(vm)]
    if vm.preview:
        blocks.append(_preview(vm.preview))
    if vm.can_set_location:
        blocks.append(_location(vm))
    sold_out = [p for p in vm.products if p.available <= 0]
    # Slack rejects the whole modal past 100 blocks; past ~95 products, show what fits and say so.
    room = VIEW_BLOCKS_MAX - len(blocks) - bool(sold_out) - 1
    blocks += [_product(p) for p in vm.products[:room]]
    if len(vm.products) > room:
        blocks.append(plain_section(f"Showing the first {room} of {len(vm.products):,} products."))
    if not vm.products:
        blocks.append(plain_section("This customer owns no products yet."))
    if sold_out:
        blocks.append(_buy_more(sold_out))
    return modal(
        callback_id=ids.MANAGE_VIEW,
        title="Manage licenses",
        submit="Save",
        close="Back",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _short_names(names: tuple[str, ...]) -> list[str]:
    return [truncate(name.strip() or "(no name)", NAME_MAX) for name in names]


def _who(vm: ManageVM) -> Block:
    count = plural(len(vm.selected_names), "user")
    names = escape(names_line(_short_names(vm.selected_names), SHOWN_USERS))
    return section(f"*Customer:* {fit_escaped(vm.customer_name, 200)}\n*{count} selected:* {names}".rstrip())


def _preview(lines: tuple[str, ...]) -> Block:
    head = ":warning: *If you save now:*"
    bullets = [f"• {fit_escaped(one_line(line), 500)}" for line in lines]
    room = SECTION_MAX - len(head) - 40  # keeps space for the "and k more" line
    shown, taken = take_lines(bullets, room, max_chunks=1)
    rest = len(bullets) - taken
    tail = f"\n…and {rest:,} more" if rest > 0 else ""
    return section(f"{head}\n{shown[0]}{tail}", block_id=ids.PREVIEW_BLOCK)


def _location(vm: ManageVM) -> Block:
    now = ", ".join(f"{where} ×{count:,}" for where, count in vm.locations)
    return InputBlock(
        block_id=ids.LOCATION_BLOCK,
        label=plain("Set usage location for the selected users"),
        hint=plain(truncate(f"Now: {now}", HINT_MAX)) if now else None,
        optional=True,  # empty means "leave every user's location as it is"
        element=PlainTextInputElement(
            action_id=ids.LOCATION_INPUT,
            placeholder=plain("e.g. US"),
            max_length=2,
            initial_value=vm.location_value or None,
        ),
    )


def _now(p: ProductRowVM) -> str:
    if p.state == HoldState.ALL:
        return "Now: has it" if p.selected == 1 else f"Now: all {p.selected:,} have it"
    if p.state == HoldState.NONE:
        return "Now: doesn't have it" if p.selected == 1 else "Now: none has it"
    return f"Now: {p.held_by:,} of {p.selected:,} have it"


def _hint(p: ProductRowVM) -> str:
    if not p.holders:
        return f"None of the {plural(p.selected, 'selected user')} has it"
    names = names_line(_short_names(p.holders), HINT_NAMES)
    return truncate(f"Assigned {p.held_by:,} of {p.selected:,} selected: {names}", HINT_MAX)


def _product(p: ProductRowVM) -> Block:
    described = Desired.matching(p.state)  # the option that says where the selection stands today: "Now: …"
    options = {
        choice: Option(
            value=choice.value,
            text=plain(text),
            description=plain(_now(p)) if choice == described else None,
        )
        for choice, text in CHOICE_TEXT.items()
    }
    available = "none available" if p.available <= 0 else f"{p.available:,} available"
    return InputBlock(
        block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{p.sku}",
        label=plain(f"{truncate(p.name.strip() or p.sku, LABEL_NAME_MAX)} — {available} of {p.quantity:,}"),
        hint=plain(_hint(p)),
        optional=False,
        dispatch_action=True,  # every change reaches the bot, which refreshes the preview
        element=RadioButtonsElement(
            action_id=ids.PRODUCT_CHOICE,
            options=list(options.values()),
            initial_option=options[p.choice],  # the same object: Slack wants an exact match
        ),
    )


def _buy_more(sold_out: list[ProductRowVM]) -> Block:
    names = [p.name.strip() or p.sku for p in sold_out]
    text = f"No licenses left: {', '.join(f'*{fit_escaped(n, NAME_MAX)}*' for n in names[:5])}"
    if len(names) > 5:
        text += f" and {len(names) - 5:,} more"
    if len(sold_out) == 1:
        button = ButtonElement(text=plain("Buy more"), action_id=ids.BUY_MORE, value=sold_out[0].sku)
        return section(text, accessory=button)
    select = StaticSelectElement(
        action_id=ids.BUY_MORE,
        placeholder=plain("Buy more…"),
        options=[
            Option(value=p.sku, text=plain(truncate(name, OPTION_MAX)))
            for p, name in zip(sold_out[:SELECT_OPTIONS_MAX], names, strict=False)
        ],
    )
    return section(text, accessory=select)
