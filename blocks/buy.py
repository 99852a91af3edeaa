"""Buy more licenses: the form posts a request for the partner's sales people to approve or decline."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, NumberInputElement, PlainTextInputElement

from blocks import ids
from blocks.common import context, modal, plain, section
from blocks.text import fit_escaped, plural
from blocks.viewmodels import BuyMoreVM

NAME_MAX = 200
NOTE_MAX = 500  # as licensing.purchases
NOT_CONNECTED = (
    ":information_source: Sending this posts a request for your partner's sales people to approve; nothing is "
    "bought now. Their decision comes in the request's thread, where it mentions you."
)


def buy_more_view(vm: BuyMoreVM, private_metadata: str) -> dict[str, Any]:
    """How many more licenses of one product to request."""
    product, customer = fit_escaped(vm.product_name, NAME_MAX), fit_escaped(vm.customer_name, NAME_MAX)
    if vm.available < 0:  # a connected tenant with more assigned than owned
        seats = f"assigned: {vm.quantity - vm.available:,} · *overused by {-vm.available:,}*"
    else:
        seats = f"available: {vm.available:,}"
    blocks: list[Block] = [
        section(f"*{product}* for *{customer}*\nOwned: {plural(vm.quantity, 'license')} · {seats}"),
        context(NOT_CONNECTED),
        *_request_inputs("How many more licenses?", 10000),
    ]
    return modal(
        callback_id=ids.BUY_VIEW,
        title="Buy more licenses",
        submit="Send request",
        close="Back",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def buy_more_done_view(
    customer_name: str, product_name: str, quantity: int, request_id: str, private_metadata: str
) -> dict[str, Any]:
    """Confirms the recorded request (`quantity` below 0: a Reduce request for that many fewer); the operator closes
    it to return to where they were."""
    product, customer = fit_escaped(product_name, NAME_MAX), fit_escaped(customer_name, NAME_MAX)
    how_many, done = (f"{quantity:,} more", "bought") if quantity > 0 else (f"{-quantity:,} fewer", "given back")
    blocks: list[Block] = [
        section(f":memo: Request sent: {how_many} *{product}* for *{customer}*."),
        context(
            f"Request {fit_escaped(request_id, 100)}. Nothing was {done} yet: the partner's sales people approve or "
            "decline it, and you will hear which in the request's thread, where the decision mentions you."
        ),
    ]
    return modal(
        callback_id=ids.BUY_DONE_VIEW,
        title="Request sent",
        close="Done",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def reduce_view(vm: BuyMoreVM, until: date, private_metadata: str) -> dict[str, Any]:
    """How many fewer licenses of one product to ask Partner Center to take back (`vm.available`: the unused ones,
    the most a reduction may give back: assigned licenses never are)."""
    product, customer = fit_escaped(vm.product_name, NAME_MAX), fit_escaped(vm.customer_name, NAME_MAX)
    blocks: list[Block] = [
        section(
            f"*{product}* for *{customer}*\nOwned: {plural(vm.quantity, 'license')} · unused: {vm.available:,}, "
            f"reducible until {until.day} {until:%b %Y}"
        ),
        *_request_inputs("How many fewer licenses?", max(vm.available, 1)),
    ]
    return modal(
        callback_id=ids.REDUCE_VIEW,
        title="Reduce licenses",
        submit="Request",
        close="Cancel",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _request_inputs(question: str, most: int) -> list[Block]:
    """A request's two inputs, Buy more's and Reduce's alike (bot/purchases/forms.py reads both)."""
    number = NumberInputElement(
        action_id=ids.BUY_QUANTITY_INPUT, is_decimal_allowed=False, min_value=1, max_value=most, initial_value=1
    )
    note = PlainTextInputElement(action_id=ids.BUY_NOTE_INPUT, multiline=True, max_length=NOTE_MAX)
    return [
        InputBlock(block_id=ids.BUY_QUANTITY_BLOCK, label=plain(question), element=number),
        InputBlock(block_id=ids.BUY_NOTE_BLOCK, label=plain("Note for the approver"), optional=True, element=note),
    ]
