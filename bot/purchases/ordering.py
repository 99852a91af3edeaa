"""Approve = buy, for a customer connected to Microsoft 365 (licensing/connected/orders.py): the approver picks the
subscription when several feed the product, Partner Center is asked once, and the request message shows what it
did. Without Partner Center settings, approval asks for the order by hand, and says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.purchase import request_message
from blocks.viewmodels import PurchaseVM, SubscriptionChoiceVM
from bot.deps import Deps
from bot.purchases.messages import decision_vm, log, outcome_reply, show_decision
from licensing.connected import orders, remote
from licensing.errors import InvalidRequest
from licensing.model import Operator
from licensing.partner import CommerceSubscription, OrderNews, OrderState
from licensing.purchases import Decision, PurchaseRequest
from licensing.tenants import ProviderError

BY_HAND = OrderNews(OrderState.BY_HAND, "licensebot is not connected to Partner Center: LICENSEBOT_PARTNER_TENANT_ID")


def connected(deps: Deps, request_id: int) -> bool:
    """The request is for a customer connected to Microsoft 365."""
    with deps.uow_factory() as uow:
        purchase = uow.purchases.get(request_id)
        return purchase is not None and uow.mirror.get(purchase.customer_id) is not None


def manual(decision: Decision) -> Decision:
    """A connected customer's approval without Partner Center: the order is left to a person, and why."""
    return replace(decision, order=BY_HAND) if decision.connected else decision


def by_hand(decision: Decision) -> dict[str, Any]:
    """What the requester hears of an approval made without Partner Center."""
    return outcome_reply(manual(decision))


def approve(
    client: WebClient, deps: Deps, operator: Operator, request_id: int, subscription_id: str | None, at: tuple[str, str]
) -> None:
    """Buys on `subscription_id`, or on the one subscription that feeds the product; with several and none chosen,
    the request message offers them instead (nothing is decided yet)."""
    try:
        _approve(client, deps, operator, request_id, subscription_id, at)
    except ProviderError as e:  # before anything was decided: Partner Center could not be read (signed out, down)
        raise InvalidRequest(f"Nothing was approved: {e.message}") from None


def _approve(
    client: WebClient, deps: Deps, operator: Operator, request_id: int, subscription_id: str | None, at: tuple[str, str]
) -> None:
    assert deps.partner is not None
    if subscription_id is None:
        request, found = orders.feeding(
            request_id, actor=operator.slack_user_id, uow=deps.uow_factory(), partner=deps.partner
        )
        if len(found) > 1:
            _offer(client, request, found, at)
            return
        subscription_id = found[0].id
    decision = orders.approve_and_buy(
        request_id,
        subscription_id,
        actor=operator.slack_user_id,
        uow=deps.uow_factory(),
        partner=deps.partner,
        provider=deps.m365,
        holder=remote.holder_name(),
        message=at,
        notify=outcome_reply,
        lease=timedelta(seconds=deps.settings.partner_order_lease_s),
    )
    if decision.order is not None and decision.order.state is OrderState.REFUSED:
        _update(client, at, request_message(decision_vm(decision)))  # open again, with Partner Center's reason
    else:
        show_decision(client, *at, decision)


def _offer(client: WebClient, request: PurchaseRequest, found: list[CommerceSubscription], at: tuple[str, str]) -> None:
    r = request
    vm = PurchaseVM(r.id, r.customer_name, r.product_name, r.quantity, r.operator, r.note)
    choices = [SubscriptionChoiceVM(s.id, s.name, s.quantity, s.term, s.billing_cycle, s.commitment_end) for s in found]
    _update(client, at, request_message(vm, choices))


def _update(client: WebClient, at: tuple[str, str], message: dict[str, Any]) -> None:
    channel, ts = at
    if not channel or not ts:
        return
    try:
        client.chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as e:  # the outcome stands (and the requester is told in the thread)
        log.warning("could not update a purchase request message: %s", e.response.get("error"))
