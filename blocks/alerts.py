"""Low-license alerts for the alerts channel: the alert (figures and Buy more), the daily reminder and the "back
above" note, both replies in the alert's thread."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from blocks import ids
from blocks.common import context, message, section
from blocks.text import fit_escaped
from blocks.viewmodels import AlertVM

NAME_MAX = 200


def _names(vm: AlertVM) -> tuple[str, str]:
    return fit_escaped(vm.product_name, NAME_MAX), fit_escaped(vm.customer_name, NAME_MAX)


def figures(vm: AlertVM) -> str:
    """ "0 available · 10/10 assigned · alert below 2" (or "overused by 1 · 6/5 assigned"), the figures every alert
    message shows, as they are now."""
    below = f" · alert below {vm.threshold:,}" if vm.threshold else ""
    left = f"overused by {-vm.available:,}" if vm.available < 0 else f"{vm.available:,} available"
    return f"{left} · {vm.assigned:,}/{vm.owned:,} assigned{below}"


def _counts(vm: AlertVM) -> str:
    """ "(6 assigned, 5 owned)" when overused, else "(0 available)": the notification text's figures."""
    return f"({vm.assigned:,} assigned, {vm.owned:,} owned)" if vm.available < 0 else f"({vm.available:,} available)"


def buy_more_value(customer_id: str, sku: str) -> str:
    return json.dumps([customer_id, sku], separators=(",", ":"))


def parse_buy_more_value(value: str) -> tuple[str, str]:
    """The (customer_id, sku) a Buy more button on an alert is for; ValueError if it is not one of ours."""
    parsed = json.loads(value)
    if not (isinstance(parsed, list) and len(parsed) == 2 and all(isinstance(p, str) for p in parsed)):
        raise ValueError(f"not an alert's Buy more value: {value!r}")
    return parsed[0], parsed[1]


def _headline(vm: AlertVM) -> tuple[str, str]:
    """The alert in one line, as mrkdwn and as the plain notification text."""
    product, customer = _names(vm)
    if vm.overused:
        over = vm.assigned - vm.owned
        return (
            f":rotating_light: *{customer}* has more *{product}* licenses assigned than it owns: overused by "
            f"{over:,}. Buy more or revoke some now.",
            f"{customer}: {product} is overused {_counts(vm)}",
        )
    return (
        f":warning: *{customer}* is running low on *{product}*: {vm.available:,} left.",
        f"{customer}: {product} is low ({vm.available:,} available)",
    )


def alert_message(vm: AlertVM) -> dict[str, Any]:
    """The alert, the parent of its thread: who, what, the figures, and Buy more for that product and customer."""
    line, text = _headline(vm)
    button = ButtonElement(
        text="Buy more", action_id=ids.ALERT_BUY_MORE, value=buy_more_value(vm.customer_id, vm.sku), style="primary"
    )
    return message(
        text, [section(line), context(figures(vm)), ActionsBlock(block_id=ids.ALERT_ACTIONS_BLOCK, elements=[button])]
    )


def reminder_message(vm: AlertVM) -> dict[str, Any]:
    """Once a day while it stays short: today's figures, in the thread and shown in the channel too."""
    product, customer = _names(vm)
    state = "still overused" if vm.overused and vm.assigned > vm.owned else "still low"
    text = f"{customer}: {product} is {state} {_counts(vm)}"
    line = f":alarm_clock: Daily reminder: *{product}* for *{customer}* is {state}."
    return message(text, [section(line), context(figures(vm))], reply_broadcast=True)


def recovered_message(vm: AlertVM) -> dict[str, Any]:
    """The subscription has enough again (or is no longer watched): the alert's thread ends with this. `vm.overused`
    says what the alert was about."""
    product, customer = _names(vm)
    if vm.threshold:
        where = f"back above its alert threshold ({vm.threshold:,})"
    elif vm.overused:
        where = "no longer overused"
    else:
        where = "no longer alerted on: its alert threshold was removed"
    text = f"{customer}: {product} is {where}"
    return message(
        text, [section(f":white_check_mark: *{product}* for *{customer}* is {where}."), context(figures(vm))]
    )
