"""Users and licenses: search, page and tick the users whose licenses the operator is about to change.

Slack caps checkboxes at 10 options, so the list is paged with buttons; the bot keeps the selection across pages
and re-renders ticks from `initial_options` under a fresh block id (ids.USERS_BLOCK_PREFIX + rev).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig

from blocks import ids
from blocks.common import context, md, modal, plain, plain_section, section
from blocks.text import escape, fit_escaped, or_default, plural, truncate
from blocks.viewmodels import UserRowVM, UsersVM

OPTION_MAX = 75  # option text and description
CHECKBOXES_MAX = 10
ID_ROOM = 30  # of the option text kept for the user id when the name is long
CUSTOMER_MAX = 200


def users_view(vm: UsersVM, private_metadata: str) -> dict[str, Any]:
    """The paged, searchable user list with a tick per user; submitting moves on to Manage licenses."""
    customer = section(
        f"*Customer:* {fit_escaped(or_default(vm.customer_name, vm.customer_id), CUSTOMER_MAX)}",
        accessory=ButtonElement(text=plain("Change"), action_id=ids.CHANGE_CUSTOMER),
    )
    blocks: list[Block] = [customer, _search(vm.query), context(_status_line(vm), plain_text=True)]
    if vm.notice:
        blocks.append(plain_section(vm.notice))
    blocks.append(_user_list(vm) if vm.rows else plain_section(_empty_text(vm)))
    blocks += [b for b in (_paging(vm), _selection(vm)) if b is not None]
    return modal(
        callback_id=ids.USERS_VIEW,
        title="Users and licenses",
        submit="Manage licenses",
        close="Cancel",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _search(query: str) -> InputBlock:
    element = PlainTextInputElement(
        action_id=ids.SEARCH_INPUT,
        initial_value=query or None,  # an empty initial_value is dropped rather than sent
        placeholder=plain("Type and press Enter"),
        # Enter only: searching on every keystroke would race views.update calls against each other.
        dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_enter_pressed"]),
    )
    return InputBlock(
        block_id=ids.SEARCH_BLOCK,
        label=plain("Search by name or user id"),
        element=element,
        optional=True,  # so "Manage licenses" can be submitted with an empty search box
        dispatch_action=True,
    )


def _status_line(vm: UsersVM) -> str:
    pages = f"page {vm.page} of {max(vm.page_count, 1)}"
    if vm.showing_selected:
        line = f"Showing the {plural(vm.selected_count, 'selected user')}"
        return f"{line} · {pages}" if vm.page_count > 1 else line
    matching = plural(vm.total, "user") + (" match the search" if vm.query else "")
    return f"{vm.selected_count:,} selected · {pages} · {matching}"


def _empty_text(vm: UsersVM) -> str:
    if vm.showing_selected:
        return "No users are selected yet."
    if vm.query:
        return f"No users match “{truncate(vm.query, 200)}”."
    return "This customer has no users."


def _option(row: UserRowVM) -> Option:
    text = _option_text(row.name.strip(), row.user_id.strip())
    location = row.location or "no usage location"
    licenses = ", ".join(row.licenses) if row.licenses else "no licenses"
    return Option(value=row.key, text=md(text), description=plain(truncate(f"{location} · {licenses}", OPTION_MAX)))


def _option_text(name: str, user_id: str) -> str:
    """ "*Alice Adams*  alice@contoso.com" in at most 75 characters, escaped."""
    if not name or not user_id:
        return f"*{fit_escaped(name or user_id or '(no name)', OPTION_MAX - 2)}*"
    # The id keeps up to ID_ROOM characters and the name takes the rest; a short name leaves more room for the id.
    head = f"*{fit_escaped(name, OPTION_MAX - len('**  ') - min(len(escape(user_id)), ID_ROOM))}*"
    return f"{head}  {fit_escaped(user_id, OPTION_MAX - len(head) - 2)}"


def _user_list(vm: UsersVM) -> ActionsBlock:
    rows = vm.rows[:CHECKBOXES_MAX]  # Slack rejects the whole view past 10; the bot pages by 10
    options = [_option(row) for row in rows]
    # Slack silently drops the view when an initial option differs from its option in any field: reuse the objects.
    chosen = [option for option, row in zip(options, rows, strict=True) if row.selected]
    checkboxes = CheckboxesElement(action_id=ids.SELECT_USERS, options=options, initial_options=chosen or None)
    return ActionsBlock(block_id=f"{ids.USERS_BLOCK_PREFIX}{vm.rev}", elements=[checkboxes])


def _button(text: str, action_id: str, value: str | None = None, confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=plain(text), action_id=action_id, value=value, confirm=confirm)


def _paging(vm: UsersVM) -> ActionsBlock | None:
    """Only the moves that lead somewhere: Slack buttons cannot be disabled. Values carry the target page."""
    page, last = vm.page, vm.page_count
    # First/Previous whenever there is a page before, Next/Last whenever there is one after: controls that stay put
    # are easier to click in a hurry than ones that come and go by one page.
    buttons = []
    if page > 1:
        buttons.append(_button("« First", ids.PAGE_FIRST, "1"))
        buttons.append(_button("‹ Previous", ids.PAGE_PREV, str(page - 1)))
    if page < last:
        buttons.append(_button("Next ›", ids.PAGE_NEXT, str(page + 1)))
        buttons.append(_button("Last »", ids.PAGE_LAST, str(last)))
    return ActionsBlock(elements=buttons) if buttons else None


def _selection(vm: UsersVM) -> ActionsBlock | None:
    ticked = sum(1 for row in vm.rows if row.selected)
    buttons = []
    if ticked < len(vm.rows):
        buttons.append(_button("Select all on this page", ids.SELECT_PAGE))
    if ticked:
        buttons.append(_button("Clear this page", ids.CLEAR_PAGE))
    if vm.showing_selected:
        buttons.append(_button("All users", ids.SHOW_ALL))
    elif vm.selected_count:
        buttons.append(_button(f"Selected users ({vm.selected_count:,})", ids.SHOW_SELECTED))
    if vm.selected_count:
        confirm = ConfirmObject(
            title=plain("Clear the selection?"),
            text=plain(f"This unticks all {plural(vm.selected_count, 'selected user')}, on every page."),
            confirm=plain("Clear selection"),
            deny=plain("Keep them"),
            style="danger",
        )
        buttons.append(_button("Clear selection", ids.CLEAR_ALL, confirm=confirm))
    return ActionsBlock(elements=buttons) if buttons else None
