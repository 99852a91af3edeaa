"""Manage licenses: one choice per product for all the selected users at once, said as the end state: everyone
has it, as is, no one has it.

Checkboxes have no "some users have it" state, hence radio buttons with a neutral "As is". The option that matches
where the selection stands starts chosen and says "no change", so an untouched product never reads as a revoke.
Each product's input dispatches on change so the bot can redraw the preview of what would fail, at the top and
again next to Save, before the operator saves.
A customer may own more products than a modal holds: the bot pages them (PRODUCTS_PER_PAGE) behind a name/SKU
filter and keeps the choices of every page.
"""

from __future__ import annotations

import hashlib
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig

from blocks import ids
from blocks.common import SECTION_MAX, VIEW_BLOCKS_MAX, context, modal, plain, plain_section, section
from blocks.scheduled import date_inputs
from blocks.text import escape, fit_escaped, names_line, one_line, plural, take_lines, truncate
from blocks.viewmodels import ManageVM, ProductPagingVM, ProductRowVM, SoldOutVM
from licensing.types import Desired, HoldState

OPTION_MAX = 75
LABEL_NAME_MAX = 150  # product name in an input label (label ≤2000)
HINT_MAX = 2000
SHOWN_USERS = 10  # names listed at the top of the view
HINT_NAMES = 5  # holder names listed under each product
NAME_MAX = 60  # one user's name in those lists
SELECT_OPTIONS_MAX = 100  # static_select
QUERY_MAX = 100  # the filter's input; shown back in the status line
# The blocks around the products, each at most once: who is selected, the preview, the usage location, Starts on
# and Ends on, the filter, the status line, the pager, Buy more and the summary next to Save. A customer without
# products shows a note instead.
FRAME_BLOCKS_MAX = 10
PRODUCTS_PER_PAGE = VIEW_BLOCKS_MAX - FRAME_BLOCKS_MAX  # 90: every block the frame does not need holds a product
# Size is no tighter limit: a full page of the longest names and hints the builder lets through is ~150 kB of JSON,
# under the 250 kB past which Slack answers view_too_large (tests/blocks/test_manage_pages.py measures it).
FILTER_FROM = 10  # past this many products the list outgrows a screen, and finding one by name helps
# The end state each choice leads to, for many selected users and for one.
CHOICE_TEXT: dict[Desired, tuple[str, str]] = {
    Desired.ASSIGN: ("Everyone selected has it", "Has it"),
    Desired.KEEP: ("As is", "As is"),
    Desired.REVOKE: ("No one selected has it", "Doesn't have it"),
}


def manage_view(vm: ManageVM, private_metadata: str) -> dict[str, Any]:
    """A page of per-product choices for the selected users, with the what-would-fail preview, the filter and pager
    when there are many products, and the Buy more path."""
    paging = vm.paging or ProductPagingVM(owned=len(vm.products), matching=len(vm.products), first=1)
    blocks: list[Block] = [_who(vm)]
    if vm.preview:
        blocks.append(_preview(vm.preview))
    if vm.can_set_location:
        blocks.append(_location(vm))
    blocks += date_inputs()
    rows = vm.products[:PRODUCTS_PER_PAGE]  # the bot pages by PRODUCTS_PER_PAGE; more would break the 100 blocks
    if paging.owned > FILTER_FROM or paging.query:
        blocks += [_filter(paging.query), context(_status(paging, len(rows)), plain_text=True)]
    blocks += [_product(p) for p in rows]
    if not rows:
        blocks.append(plain_section(_no_products(paging)))
    if pager := _pager(paging):
        blocks.append(pager)
    sold_out = vm.sold_out
    if sold_out is None:
        sold_out = tuple(SoldOutVM(p.sku, p.name, max(0, -p.available)) for p in rows if p.available <= 0)
    if sold_out:
        blocks.append(_buy_more(sold_out))
    if summary := _save_summary(vm.preview, paging):
        blocks.append(summary)
    return modal(
        callback_id=ids.MANAGE_VIEW,
        title="Manage licenses",
        submit="Save",
        close="Back",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def filter_block_id(query: str) -> str:
    """Slack keeps what was typed in an input whose block and action ids stay the same across updates, whatever its
    initial value: an id that follows the filter lets "Show all products" empty the box."""
    return ids.PRODUCT_FILTER_BLOCK + hashlib.blake2s(query.encode(), digest_size=6).hexdigest()


def _filter(query: str) -> Block:
    element = PlainTextInputElement(
        action_id=ids.PRODUCT_FILTER_INPUT,
        initial_value=query or None,
        placeholder=plain("Type and press Enter"),
        max_length=QUERY_MAX,
        # Enter only, as the users search: filtering on each keystroke would race views.update calls.
        dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_enter_pressed"]),
    )
    return InputBlock(
        block_id=filter_block_id(query),
        label=plain("Find products by name or SKU"),
        element=element,
        optional=True,  # Save must not ask for a filter
        dispatch_action=True,
    )


def _status(p: ProductPagingVM, shown: int) -> str:
    last = p.first + shown - 1
    query = truncate(p.query, QUERY_MAX)
    if not p.matching:
        line = f"No product of {p.owned:,} matches “{query}”"
    elif p.query:
        line = f"Products {p.first:,}–{last:,} of {p.matching:,} matching “{query}” ({p.owned:,} in all)"
    else:
        line = f"Products {p.first:,}–{last:,} of {p.owned:,}"
    changes = _changes(p)
    return line + (f" · Save will {changes}" if changes else "")


def _changes(p: ProductPagingVM) -> str:
    """ "assign 2 products and revoke 1 product", on every page; "" when nothing is set to change."""
    said = [f"{verb} {plural(n, 'product')}" for verb, n in (("assign", p.to_assign), ("revoke", p.to_revoke)) if n]
    return " and ".join(said)


def _save_summary(preview: tuple[str, ...], p: ProductPagingVM) -> Block | None:
    """Next to Save, out of the long list's way: what Save will do, and the preview's warnings again."""
    changes = _changes(p)
    if not changes and not preview:
        return None
    head = f"*Save will {changes}.*" if changes else "*Save will change nothing yet.*"
    return (
        _preview(preview, head=head, block_id=ids.SAVE_SUMMARY_BLOCK)
        if preview
        else section(head, block_id=ids.SAVE_SUMMARY_BLOCK)
    )


def _no_products(p: ProductPagingVM) -> str:
    if p.query:
        return f"No product name or SKU contains “{truncate(p.query, QUERY_MAX)}”. Try another, or show all products."
    return "This customer owns no products yet."


def _pager(p: ProductPagingVM) -> ActionsBlock | None:
    """As the users page: only the moves that lead somewhere; values carry the target page."""
    buttons = []
    if p.page > 1:
        buttons.append(ButtonElement(text=plain("« First"), action_id=ids.PRODUCT_PAGE_FIRST, value="1"))
        buttons.append(ButtonElement(text=plain("‹ Previous"), action_id=ids.PRODUCT_PAGE_PREV, value=str(p.page - 1)))
    if p.page < p.page_count:
        buttons.append(ButtonElement(text=plain("Next ›"), action_id=ids.PRODUCT_PAGE_NEXT, value=str(p.page + 1)))
        buttons.append(ButtonElement(text=plain("Last »"), action_id=ids.PRODUCT_PAGE_LAST, value=str(p.page_count)))
    if p.query:
        buttons.append(ButtonElement(text=plain("Show all products"), action_id=ids.SHOW_ALL_PRODUCTS))
    return ActionsBlock(elements=buttons) if buttons else None


def _names_line(names: tuple[str, ...], limit: int) -> str:
    """ "Ann, Bob and 98 more": only the names shown are shortened (a selection may run to thousands)."""
    shown = [truncate(name.strip() or "(no name)", NAME_MAX) for name in names[:limit]]
    return names_line([*shown, *names[limit:]], limit)


def _who(vm: ManageVM) -> Block:
    count = plural(len(vm.selected_names), "user")
    names = escape(_names_line(vm.selected_names, SHOWN_USERS))
    text = f"*Customer:* {fit_escaped(vm.customer_name, 200)}\n*{count} selected:* {names}".rstrip()
    return section(text, accessory=_services(vm.service_products))


def _services(products: tuple[tuple[str, str], ...]) -> StaticSelectElement | None:
    """Services of a product the selection holds or is being given: a select beside who is selected, so it takes
    none of the blocks the products need. Choosing one pushes that product's Services view."""
    if not products:
        return None
    options = [
        Option(value=sku, text=plain(truncate(name.strip() or sku, OPTION_MAX)))
        for sku, name in products[:SELECT_OPTIONS_MAX]
    ]
    return StaticSelectElement(action_id=ids.SERVICES_OPEN, placeholder=plain("Services…"), options=options)


def _preview(lines: tuple[str, ...], head: str = "", block_id: str = ids.PREVIEW_BLOCK) -> Block:
    head = f"{head + chr(10) if head else ''}:warning: *If you save now:*"
    bullets = [f"• {fit_escaped(one_line(line), 500)}" for line in lines]
    room = SECTION_MAX - len(head) - 40  # keeps space for the "and k more" line
    shown, taken = take_lines(bullets, room, max_chunks=1)
    rest = len(bullets) - taken
    tail = f"\n…and {rest:,} more" if rest > 0 else ""
    return section(f"{head}\n{shown[0]}{tail}", block_id=block_id)


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
    names = _names_line(p.holders, HINT_NAMES)
    return truncate(f"Assigned {p.held_by:,} of {p.selected:,} selected: {names}", HINT_MAX)


def _seats(p: ProductRowVM) -> str:
    """ "3 available of 5", "none available of 5", or, for a connected tenant with more assigned than owned,
    "overused by 1: 6 assigned of 5"."""
    if p.available < 0:
        return f"overused by {-p.available:,}: {p.quantity - p.available:,} assigned of {p.quantity:,}"
    return f"{'none' if p.available == 0 else f'{p.available:,}'} available of {p.quantity:,}"


def _effect(p: ProductRowVM, choice: Desired) -> str:
    """What choosing this option would do: "no change" for where the selection already stands."""
    if choice == Desired.matching(p.state):
        return f"{_now(p)} · no change"
    if choice == Desired.ASSIGN:
        return f"Assigns it to {plural(p.selected - p.held_by, 'user')}"
    if choice == Desired.REVOKE:
        return f"Revokes it from {plural(p.held_by, 'user')}"
    return "No change"


def _product(p: ProductRowVM) -> Block:
    options = {
        choice: Option(
            value=choice.value,
            text=plain(many if p.selected != 1 else one),
            description=plain(_effect(p, choice)),
        )
        for choice, (many, one) in CHOICE_TEXT.items()
    }
    return InputBlock(
        block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{p.sku}",
        label=plain(f"{truncate(p.name.strip() or p.sku, LABEL_NAME_MAX)} — {_seats(p)}"),
        hint=plain(_hint(p)),
        optional=False,
        dispatch_action=True,  # every change reaches the bot, which refreshes the preview
        element=RadioButtonsElement(
            action_id=ids.PRODUCT_CHOICE,
            options=list(options.values()),
            initial_option=options[p.choice],  # the same object: Slack wants an exact match
        ),
    )


def _buy_more(sold_out: tuple[SoldOutVM, ...]) -> Block:
    names = [p.name.strip() or p.sku for p in sold_out]
    listed = [
        f"*{fit_escaped(n, NAME_MAX)}*" + (f" (overused by {p.overused:,})" if p.overused else "")
        for p, n in zip(sold_out[:5], names, strict=False)
    ]
    text = f"No licenses left: {', '.join(listed)}"
    if len(names) > 5:
        text += f" and {len(names) - 5:,} more"
    if len(sold_out) > SELECT_OPTIONS_MAX:  # the menu holds 100; the others are each on a page of their own
        text += f"\nThe menu lists {SELECT_OPTIONS_MAX}, this page's first: page or filter to reach the others."
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
