"""The App Home tab: what the app does, how to start, and who the viewer is to it."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    ExternalDataSelectElement,
    HeaderBlock,
)
from slack_sdk.models.views import View

from blocks import ids
from blocks.actions import action_words
from blocks.common import VIEW_BLOCKS_MAX, context, plain, section
from blocks.render import as_dict
from blocks.text import escape, fit_escaped, plural, truncate
from blocks.viewmodels import CustomerSeatsVM, DashboardVM, HomeVM, SeatLineVM

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
        if vm.dashboard is not None:
            blocks.extend(dashboard_blocks(vm.dashboard))
    assert len(blocks) <= VIEW_BLOCKS_MAX, len(blocks)
    return as_dict(View(type="home", blocks=blocks))


SHOWN_CUSTOMERS = 12  # customers drawn in full; past that a summary and a select to drill into one
BAR = 10  # segments in a seat bar
SEAT_SECTIONS = 3  # sections of seat lines per customer; a context block's elements would sit side by side
SECTION_TEXT_MAX = 3000  # Slack's limit on a section's text
LIST_MAX = 10  # pending requests and recent changes shown
REDUCE_MAX = 25  # Reduce buttons for one customer: an actions block's element limit


def bar(assigned: int, owned: int) -> str:
    """`▰▰▰▰▰▰▱▱▱▱ 6/10`: seats assigned of those owned; full when overused."""
    filled = BAR if owned <= 0 and assigned > 0 else 0 if owned <= 0 else min(BAR, round(BAR * assigned / owned))
    return f"{'▰' * filled}{'▱' * (BAR - filled)} {assigned:,}/{owned:,}"


def seat_line(line: SeatLineVM) -> str:
    mark = ":warning: " if line.low else ""
    over = f" — overused by {line.assigned - line.owned:,}" if line.assigned > line.owned else ""
    if (until := line.reducible_until) is not None:  # Right-size: what Partner Center still takes back
        over += f" · {line.unused:,} unused, reducible until {until.day} {until:%b}"
    return f"{mark}`{bar(line.assigned, line.owned)}` {fit_escaped(line.name, 80)}{over}"


def dashboard_blocks(vm: DashboardVM) -> list[Block]:
    """Seats per customer (the urgent first), then open purchase requests and the operator's recent changes."""
    blocks: list[Block] = [DividerBlock()]
    customers = vm.customers
    low = sum(c.low for c in customers)
    if vm.focus is not None:
        blocks.append(
            ActionsBlock(elements=[ButtonElement(text=plain("← All customers"), action_id=ids.HOME_ALL, value="all")])
        )
    else:
        summary = f"*{plural(len(customers), 'customer')}* · *{plural(low, 'subscription')} low on seats*"
        if len(customers) > SHOWN_CUSTOMERS:
            summary += f"\nThe {SHOWN_CUSTOMERS} most urgent are below; choose a customer to see only theirs."
        picker = ExternalDataSelectElement(
            placeholder=plain("Show one customer"), action_id=ids.HOME_CUSTOMER, min_query_length=0
        )
        blocks.append(section(summary, accessory=picker))
    if not customers:
        blocks.append(context("No customers yet."))
    for c in customers[:SHOWN_CUSTOMERS]:
        blocks.extend(_customer(c))
    blocks.append(DividerBlock())
    blocks.append(section("*Purchase requests waiting*"))
    pending = [
        (f"• {p.quantity:,} × " if p.quantity > 0 else f"• {-p.quantity:,} fewer × ")  # fewer: a Reduce request
        + f"{fit_escaped(p.product_name, 80)} for {fit_escaped(p.customer_name, 80)}"
        + f" — asked by <@{escape(p.requester)}>"
        for p in vm.pending
    ]
    blocks.append(_listed(pending, "None waiting.", more=True))
    blocks.extend(_scheduled(vm))
    blocks.append(DividerBlock())
    blocks.append(section("*Your recent changes*"))
    recent = [
        f"• <!date^{r.at_epoch}^{{date_short_pretty}} {{time}}|{escape(r.at_fallback)}> "
        f"{action_words(r.action, r.product_name, r.service)} · "
        f"{fit_escaped(r.user_id, 100) + ' at ' if r.user_id else ''}{fit_escaped(r.customer_name, 80)}"
        f" — {escape(r.outcome)}"
        for r in vm.recent
    ]
    blocks.append(_listed(recent, "None yet. `/licenses history` shows everyone's."))
    return blocks


def _scheduled(vm: DashboardVM) -> list[Block]:
    """The pending scheduled changes: a few, soonest first, and a button into `/licenses scheduled` (with Cancel)."""
    head = f"*Scheduled changes* · {vm.scheduled_total:,} pending"
    button = ButtonElement(text=plain("Open the list"), action_id=ids.HOME_SCHEDULED, value="scheduled")
    lines = [
        f"• <!date^{c.at_epoch}^{{date_short_pretty}} {{time}}|{escape(c.at_fallback)}> {fit_escaped(c.verb, 200)}"
        f" · {plural(c.users, 'user')} at {fit_escaped(c.customer_name, 80)} — by <@{escape(c.operator_id)}>"
        for c in vm.scheduled
    ]
    more = vm.scheduled_total - len(lines)
    listed = _listed(lines, "Nothing scheduled. Starts on and Ends on in Manage licenses schedule changes.")
    extra = [context(f"…and {more:,} more: `/licenses scheduled` lists them all")] if more > 0 else []
    return [DividerBlock(), section(head, accessory=button), listed, *extra]


def _listed(lines: list[str], empty: str, *, more: bool = False) -> Block:
    """Up to LIST_MAX lines in one context block (with how many more, if asked), or what to say when none."""
    if not lines:
        return context(empty)
    rest = len(lines) - LIST_MAX
    return context("\n".join(lines[:LIST_MAX]) + (f"\n…and {rest:,} more" if more and rest > 0 else ""))


def _customer(c: CustomerSeatsVM) -> list[Block]:
    head = f"*{fit_escaped(c.name, 150)}*" + (f" · :warning: {plural(c.low, 'subscription')} low" if c.low else "")
    button = ButtonElement(text=plain("Manage users"), action_id=ids.HOME_OPEN, value=truncate(c.customer_id, 2000))
    blocks: list[Block] = [section(head, accessory=button)]
    lines = [seat_line(line) for line in c.lines]
    if not lines:
        blocks.append(context("No subscriptions."))
        return blocks
    texts: list[list[str]] = [[]]
    for line in lines:  # one per line, in order: as many lines to a section as its text holds
        if sum(len(x) + 1 for x in texts[-1]) + len(line) > SECTION_TEXT_MAX:
            texts.append([])
        texts[-1].append(line)
    blocks += [section("\n".join(text)) for text in texts[:SEAT_SECTIONS]]
    left = sum(len(text) for text in texts[SEAT_SECTIONS:])
    if left:
        blocks.append(context(f"…and {plural(left, 'more subscription')}: Manage users shows them all"))
    reducible = [line for line in c.lines if line.reducible_until is not None and line.sku]
    if reducible:  # Right-size: a focused connected customer's subscriptions Partner Center still takes back
        blocks.append(ActionsBlock(elements=[_reduce_button(c.customer_id, line) for line in reducible[:REDUCE_MAX]]))
    return blocks


def _reduce_button(customer_id: str, line: SeatLineVM) -> ButtonElement:
    text = plain(truncate(f"Reduce {line.name}", 75))
    return ButtonElement(text=text, action_id=ids.HOME_REDUCE, value=truncate(f"{customer_id}|{line.sku}", 2000))
