"""The Buy more listeners called directly: the note on the form, Approve and the Decline modal, with stub Ack and
WebClient (Mocks) and the real Deps on SQLite."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest
from slack_sdk import WebClient
from sqlalchemy import text

from blocks import ids
from bot.deps import Deps
from bot.purchases import listeners
from licensing import purchases
from licensing.errors import Forbidden
from licensing.purchases import AlreadyDecided
from licensing.queries import authorize
from storage.modal_state import ModalState

ADMIN, SALES, SCOPED = "UADMIN01", "USALES01", "USCOPED01"
VISIO = "VISIOCLIENT"
CLICKED = {"container": {"type": "message", "channel_id": "CSALES", "message_ts": "1.5"}, "trigger_id": "T1"}


def contoso(deps: Deps) -> ModalState:
    return deps.modals.switch_customer(deps.modals.create(ADMIN, "C1"), "contoso", "Contoso Ltd")


def buy(deps: Deps, quantity: str = "3", note: str | None = "for the new hires") -> Mock:
    modal = contoso(deps)
    values: dict[str, Any] = {
        ids.BUY_QUANTITY_BLOCK: {ids.BUY_QUANTITY_INPUT: {"value": quantity}},
        ids.BUY_NOTE_BLOCK: {ids.BUY_NOTE_INPUT: {"value": note}},
    }
    ack = Mock()
    view = {"state": {"values": values}, "private_metadata": f"{modal.token}:{VISIO}"}
    listeners.request_more(
        ack=ack,
        view=view,
        client=Mock(spec=WebClient),
        deps=deps,
        operator=authorize(ADMIN, uow=deps.uow_factory()),
        modal=modal,
    )
    return ack


def test_a_note_over_500_characters_is_refused_under_the_note(deps: Deps) -> None:
    ack = buy(deps, note="x" * 501)
    ack.assert_called_once_with(
        response_action="errors", errors={ids.BUY_NOTE_BLOCK: "Keep the note under 500 characters."}
    )


def test_a_request_goes_to_the_requester_by_dm_when_no_channel_is_set(deps: Deps) -> None:
    assert buy(deps).call_args.kwargs["response_action"] == "update"
    with deps.uow_factory() as uow:
        stored = uow.purchases.get(1)
    assert stored is not None and stored.note == "for the new hires"
    with deps.engine.connect() as conn:
        row = conn.execute(text("SELECT channel, fallback_user, kind FROM outbox")).one()
    assert tuple(row) == (None, ADMIN, "purchase_request")


def test_approve_records_the_message_and_updates_it(deps: Deps) -> None:
    buy(deps)
    client = Mock(WebClient)
    listeners.approve(
        ack=Mock(),
        body=CLICKED,
        action={"value": "1"},
        client=client,
        deps=deps,
        operator=authorize(SALES, uow=deps.uow_factory()),
    )
    assert client.chat_update.call_args.kwargs["channel"] == "CSALES"
    assert client.chat_update.call_args.kwargs["ts"] == "1.5"
    with deps.uow_factory() as uow:
        stored = uow.purchases.get(1)
    assert stored is not None and (stored.status, stored.message_ts) == ("approved", "1.5")


def test_decline_opens_a_reason_modal_only_for_a_decider(deps: Deps) -> None:
    buy(deps)
    client = Mock(WebClient)
    listeners.ask_reason(
        ack=Mock(),
        body=CLICKED,
        action={"value": "1"},
        client=client,
        deps=deps,
        operator=authorize(SALES, uow=deps.uow_factory()),
    )
    view = client.views_open.call_args.kwargs["view"]
    assert view["callback_id"] == ids.DECLINE_VIEW and view["private_metadata"] == "1:CSALES:1.5"
    with pytest.raises(Forbidden):
        listeners.ask_reason(
            ack=Mock(),
            body=CLICKED,
            action={"value": "1"},
            client=Mock(WebClient),
            deps=deps,
            operator=authorize(SCOPED, uow=deps.uow_factory()),
        )


def test_the_decline_modal_says_under_the_reason_when_it_is_missing_or_too_late(deps: Deps) -> None:
    buy(deps)
    sales = authorize(SALES, uow=deps.uow_factory())
    view = {
        "private_metadata": "1:CSALES:1.5",
        "state": {"values": {ids.DECLINE_REASON_BLOCK: {ids.DECLINE_REASON_INPUT: {"value": " "}}}},
    }
    ack = Mock()
    listeners.decline(ack=ack, view=view, client=Mock(WebClient), deps=deps, operator=sales)
    assert ids.DECLINE_REASON_BLOCK in ack.call_args.kwargs["errors"]
    purchases.approve(1, actor=ADMIN, uow=deps.uow_factory())
    view["state"]["values"][ids.DECLINE_REASON_BLOCK][ids.DECLINE_REASON_INPUT]["value"] = "Budget"
    ack = Mock()
    listeners.decline(ack=ack, view=view, client=Mock(WebClient), deps=deps, operator=sales)
    assert ack.call_args.kwargs["errors"] == {ids.DECLINE_REASON_BLOCK: "Request 1 was already approved by Ada Admin."}
    with pytest.raises(AlreadyDecided):
        purchases.check_decider(1, actor=SALES, uow=deps.uow_factory())
