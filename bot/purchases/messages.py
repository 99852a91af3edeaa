"""Buy more, with approval, for the listeners: where a request is posted, and the messages queued with a request
and with its decision (each in the use case's own transaction; the delivery worker posts them)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.purchase import decided_message, outcome_message, request_message
from blocks.viewmodels import PurchaseVM
from bot.settings import Settings
from licensing.notifications import OutgoingThread
from licensing.purchases import Decision, PurchaseRequest

log = logging.getLogger("licensebot.bot")


def sales_channel(settings: Settings) -> str | None:
    """LICENSEBOT_SALES_CHANNEL, else LICENSEBOT_ALERTS_CHANNEL; None: the requester's direct messages."""
    return settings.sales_channel or settings.alerts_channel or None


def request_thread(settings: Settings) -> Callable[[PurchaseRequest], OutgoingThread]:
    """The request with Approve and Decline, for the deciders (by DM to the requester if the channel refuses it)."""

    def render(r: PurchaseRequest) -> OutgoingThread:
        vm = PurchaseVM(r.id, r.customer_name, r.product_name, r.quantity, r.operator, r.note)
        return OutgoingThread(sales_channel(settings), r.operator, request_message(vm), kind="purchase_request")

    return render


def decision_vm(d: Decision) -> PurchaseVM:
    r = d.request
    return PurchaseVM(
        r.id,
        r.customer_name,
        r.product_name,
        r.quantity,
        r.operator,
        r.note,
        d.status.value,
        d.decided_by,
        d.at,
        d.reason,
        d.connected,
        d.new_quantity,
        d.order.state.value if d.order else None,
        d.order.detail if d.order else "",
        d.order.quantity if d.order else None,
        d.order.subscription if d.order else "",
    )


def outcome_reply(d: Decision) -> dict[str, Any]:
    """What the requester hears, in the request's thread (naming them, so they are notified)."""
    return outcome_message(decision_vm(d))


def show_decision(client: WebClient, channel: str | None, ts: str | None, d: Decision) -> None:
    """The request message, updated in place: who decided, when, and no more buttons."""
    if not channel or not ts:
        return
    try:
        client.chat_update(channel=channel, ts=ts, **decided_message(decision_vm(d)))
    except SlackApiError as e:  # the decision stands; only the message still shows its buttons
        log.warning("could not update purchase request %s message: %s", d.request.id, e.response.get("error"))
