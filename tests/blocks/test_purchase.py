from __future__ import annotations

from datetime import UTC, datetime

from blocks import ids
from blocks.purchase import decided_message, decline_view, outcome_message, request_message
from blocks.viewmodels import PurchaseVM
from fakes.slack.blockkit import validate_message, validate_view
from tests.blocks.helpers import EVIL, LONG, assert_escaped
from tests.text import shown

VM = PurchaseVM(7, "Contoso Ltd", "Visio Plan 2", 5, "UREQ", note="for the new hires")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def buttons(message: dict) -> list[dict]:  # type: ignore[type-arg]
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_the_request_message_says_what_who_and_why_with_approve_and_decline() -> None:
    message = request_message(VM)
    assert validate_message(message) == []
    assert message["text"] == "Buy more request 7: 5 more Visio Plan 2 for Contoso Ltd"
    text = shown(message["blocks"])
    assert "5 more *Visio Plan 2* for *Contoso Ltd*" in text and "<@UREQ>" in text and "for the new hires" in text
    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [
        (ids.PURCHASE_APPROVE, "7"),
        (ids.PURCHASE_DECLINE, "7"),
    ]


def test_a_decided_message_shows_who_and_when_and_has_no_buttons() -> None:
    approved = PurchaseVM(
        7,
        "Contoso Ltd",
        "Visio Plan 2",
        5,
        "UREQ",
        status="approved",
        decided_by="USALES",
        decided_at=AT,
        new_quantity=6,
    )
    message = decided_message(approved)
    assert validate_message(message) == [] and buttons(message) == []
    text = shown(message["blocks"])
    assert "Approved by <@USALES> on <!date^" in text and "2026-12-01 09:30 UTC" in text
    assert "Contoso Ltd now owns 6 Visio Plan 2 licenses" in text


def test_a_connected_approval_says_partner_center_and_a_decline_says_why() -> None:
    connected = PurchaseVM(
        7,
        "Contoso Ltd",
        "Visio Plan 2",
        5,
        "UREQ",
        status="approved",
        decided_by="U1",
        decided_at=AT,
        connected=True,
        new_quantity=6,
    )
    assert "place the order in Partner Center" in shown(decided_message(connected)["blocks"])
    declined = PurchaseVM(
        7,
        "Contoso Ltd",
        "Visio Plan 2",
        5,
        "UREQ",
        status="declined",
        decided_by="U1",
        decided_at=AT,
        reason="Budget is frozen",
    )
    told = outcome_message(declined)
    assert validate_message(told) == [] and told["text"].startswith("Your Buy more request 7 was declined")
    assert "Declined: Budget is frozen" in shown(told["blocks"])


def test_purchase_messages_escape_names_notes_and_reasons() -> None:
    evil = PurchaseVM(
        7, f"{EVIL} {LONG}", f"{EVIL} {LONG}", 5, "UREQ", note=EVIL, status="declined", decided_by="U1", reason=EVIL
    )  # (no <!date^…> token: the helper forbids "<!")
    for message in (request_message(evil), decided_message(evil), outcome_message(evil)):
        assert validate_message(message) == []
        assert_escaped(message)


def test_the_decline_modal_asks_for_a_reason() -> None:
    view = decline_view(VM, "7:C1:1.5")
    assert validate_view(view) == []
    assert view["callback_id"] == ids.DECLINE_VIEW and view["private_metadata"] == "7:C1:1.5"
    (block,) = [b for b in view["blocks"] if b.get("block_id") == ids.DECLINE_REASON_BLOCK]
    assert block["element"]["action_id"] == ids.DECLINE_REASON_INPUT and not block.get("optional")


def test_approve_asks_to_confirm_a_purchase_or_a_reduction_by_name() -> None:
    def title(vm: PurchaseVM) -> str:
        [approve] = [
            e
            for b in request_message(vm)["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == ids.PURCHASE_APPROVE
        ]
        return str(approve["confirm"]["title"]["text"])

    assert title(VM) == "Approve this purchase?"
    assert title(PurchaseVM(8, "Contoso Ltd", "Visio Plan 2", -4, "UREQ")) == "Approve this reduction?"
