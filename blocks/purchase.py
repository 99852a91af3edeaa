"""Buy more, with approval: the request posted for the deciders (Approve / Decline), the same message once decided,
what the requester is told, and the modal asking why a request is declined."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    PlainTextInputElement,
)

from blocks import ids
from blocks.common import context, message, modal, plain, section
from blocks.text import escape, fit_escaped
from blocks.viewmodels import PurchaseVM, SubscriptionChoiceVM

NAME_MAX = 200
NOTE_MAX = 500  # as licensing.purchases: the form and the Decline modal refuse more
CHOICES_MAX = 20  # subscriptions offered to buy on (an actions block holds 25 elements; Decline is one)


def _asked(vm: PurchaseVM) -> tuple[str, str]:
    """The request in one line, as mrkdwn and as the plain notification text (both escaped)."""
    product, customer = fit_escaped(vm.product_name, NAME_MAX), fit_escaped(vm.customer_name, NAME_MAX)
    return (f"{_how_many(vm)} *{product}* for *{customer}*", f"{_how_many(vm)} {product} for {customer}")


def _how_many(vm: PurchaseVM) -> str:
    """As licensing.purchase_log.how_many: a Reduce request is stored as a negative quantity."""
    return f"{vm.quantity:,} more" if vm.quantity > 0 else f"{-vm.quantity:,} fewer"


def _kind(vm: PurchaseVM) -> str:
    return "Buy more" if vm.quantity > 0 else "Reduce"


def _about(vm: PurchaseVM) -> list[Block]:
    line, _ = _asked(vm)
    blocks: list[Block] = [
        section(f":shopping_trolley: {_kind(vm)}: {line}"),
        context(f"Request {vm.request_id} from <@{escape(vm.requester)}>"),
    ]
    if vm.note:
        blocks.append(section(f">{fit_escaped(vm.note, NOTE_MAX + 10)}"))
    return blocks


def request_message(vm: PurchaseVM, choices: Sequence[SubscriptionChoiceVM] = ()) -> dict[str, Any]:
    """The request for the sales channel, with Approve and Decline; with `choices`, one Approve per Partner Center
    subscription that feeds the product, to buy on; after a refusal, Partner Center's reason above the buttons."""
    _, text = _asked(vm)
    what = "purchase" if vm.quantity > 0 else "reduction"  # a Reduce request asks for fewer
    sure = ConfirmObject(
        title=f"Approve this {what}?", text=f"Approve request {vm.request_id}?", confirm="Approve", deny="Back"
    )
    approve = [
        ButtonElement(
            text="Approve", action_id=ids.PURCHASE_APPROVE, value=str(vm.request_id), style="primary", confirm=sure
        )
    ]
    blocks = [*_about(vm)]
    if choices:
        blocks.append(section("Several subscriptions in Partner Center provide it. Buy on:"))
        blocks += [section(f"{i}. {_choice(c)}") for i, c in enumerate(choices[:CHOICES_MAX], 1)]
        approve = [
            ButtonElement(
                text=f"Approve on {i}",
                action_id=f"{ids.PURCHASE_APPROVE_ON}_{i}",
                value=f"{vm.request_id}:{c.id}",
                style="primary" if i == 1 else None,
                confirm=sure,
            )
            for i, c in enumerate(choices[:CHOICES_MAX], 1)
        ]
    if vm.order == "refused":
        blocks.append(section(f":warning: {_order(vm, '')}"))
    decline = ButtonElement(text="Decline", action_id=ids.PURCHASE_DECLINE, value=str(vm.request_id), style="danger")
    blocks.append(ActionsBlock(block_id=ids.PURCHASE_ACTIONS_BLOCK, elements=[*approve, decline]))
    return message(f"{_kind(vm)} request {vm.request_id}: {text}", blocks)


def _choice(c: SubscriptionChoiceVM) -> str:
    until = f", until {c.commitment_end.isoformat()}" if c.commitment_end else ""
    cycle = f"billed {escape(c.billing_cycle)}" if c.billing_cycle else "billing cycle not given"
    return f"*{fit_escaped(c.name, NAME_MAX)}*: {c.quantity:,} now · term {escape(c.term or '?')} · {cycle}{until}"


def _order(vm: PurchaseVM, product: str) -> str:
    """What Partner Center did with the order of a connected customer's approved request."""
    detail = fit_escaped(vm.order_detail, NOTE_MAX + 10)
    if vm.order == "placed":
        on = fit_escaped(vm.order_subscription, NAME_MAX)
        return (
            f"{'Bought' if vm.quantity > 0 else 'Reduced'} in Partner Center: {_how_many(vm)} {product} on {on}, "
            f"which now has "
            f"{vm.order_quantity or 0:,}. The sync that shows it in the tenant closes this request."
        )
    if vm.order == "refused":
        nothing = "Nothing was bought" if vm.quantity > 0 else "Nothing was given back"
        return f"Partner Center refused it: {detail} {nothing}; the request can be decided again."
    if vm.order == "pending":
        return (
            f"Approved, but Partner Center has not answered yet ({detail}). licensebot reads the subscription and "
            "tries again; it never buys twice."
        )
    return ""


def _when(vm: PurchaseVM) -> str:
    if vm.decided_at is None:
        return ""
    fallback = vm.decided_at.strftime("%Y-%m-%d %H:%M UTC")
    return f" on <!date^{int(vm.decided_at.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _outcome(vm: PurchaseVM) -> str:
    product, customer = fit_escaped(vm.product_name, NAME_MAX), fit_escaped(vm.customer_name, NAME_MAX)
    if vm.status == "declined":
        return f"Declined: {fit_escaped(vm.reason or '', NOTE_MAX + 10)}"
    if vm.connected and vm.order not in (None, "by_hand"):
        return _order(vm, product)
    if vm.connected:
        quantity = f" to {vm.new_quantity:,}" if vm.new_quantity is not None else ""
        why = f" ({fit_escaped(vm.order_detail, NOTE_MAX)})" if vm.order_detail else ""
        return (
            f"Approved. {customer} is connected to Microsoft 365: place the order in Partner Center to bring "
            f"{product}{quantity}{why}. The next sync that shows it closes this request."
        )
    return f"Approved: {customer} now owns {vm.new_quantity or 0:,} {product} licenses."


def decided_message(vm: PurchaseVM) -> dict[str, Any]:
    """The request once decided: who decided and when, what follows, and no more buttons."""
    icon = ":white_check_mark:" if vm.status != "declined" else ":no_entry_sign:"
    verb = "Declined" if vm.status == "declined" else "Approved"
    by = f"{icon} {verb} by <@{escape(vm.decided_by or '')}>{_when(vm)}"
    _, text = _asked(vm)
    return message(
        f"{_kind(vm)} request {vm.request_id} {verb.lower()}: {text}", [*_about(vm), section(_outcome(vm)), context(by)]
    )


def outcome_message(vm: PurchaseVM) -> dict[str, Any]:
    """What the requester hears, in the request's thread: the decision on their request, with its context. It names
    them, so Slack notifies them there."""
    line, text = _asked(vm)
    verb = "declined" if vm.status == "declined" else "approved"
    head = (
        f"<@{escape(vm.requester)}>, your {_kind(vm)} request {vm.request_id} ({line}) was {verb} by "
        f"<@{escape(vm.decided_by or '')}>."
    )
    told: list[Block] = [section(head), section(_outcome(vm))]
    return message(f"Your {_kind(vm)} request {vm.request_id} was {verb}: {text}", told)


def decline_view(vm: PurchaseVM, private_metadata: str) -> dict[str, Any]:
    """Why the request is declined; the requester reads the reason."""
    line, _ = _asked(vm)
    blocks: list[Block] = [
        section(f"Decline request {vm.request_id}: {line}, from <@{escape(vm.requester)}>?"),
        InputBlock(
            block_id=ids.DECLINE_REASON_BLOCK,
            label=plain("Reason (the requester reads it)"),
            element=PlainTextInputElement(action_id=ids.DECLINE_REASON_INPUT, multiline=True, max_length=NOTE_MAX),
        ),
    ]
    return modal(
        callback_id=ids.DECLINE_VIEW,
        title="Decline purchase",
        submit="Decline",
        close="Cancel",
        blocks=blocks,
        private_metadata=private_metadata,
    )
