"""Reading Buy more's two forms: the request (how many, and a note) and the Decline reason with the message it
answers. Each returns its values, checked, or the errors to show under its fields (by block id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blocks import ids
from bot.slack.roles import argument_of
from licensing import purchases

Errors = dict[str, str]


@dataclass(frozen=True)
class Request:
    sku: str
    quantity: int
    note: str | None


@dataclass(frozen=True)
class Decline:
    request_id: int
    reason: str
    message: tuple[str, str] | None  # the request's (channel, ts), to show the decision in


def read_request(view: dict[str, Any]) -> Request | Errors:
    raw = _value(view, ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT)
    note = _value(view, ids.BUY_NOTE_BLOCK, ids.BUY_NOTE_INPUT)
    if note and len(note.strip()) > purchases.NOTE_MAX:
        return {ids.BUY_NOTE_BLOCK: f"Keep the note under {purchases.NOTE_MAX} characters."}
    try:
        quantity = int(raw or "")
    except ValueError:
        return {ids.BUY_QUANTITY_BLOCK: "Enter a whole number of licenses."}
    return Request(argument_of(view), quantity, note)


def read_decline(view: dict[str, Any]) -> Decline | Errors:
    request_id, channel, ts = (str(view.get("private_metadata") or "").split(":", 2) + ["", ""])[:3]
    if not request_id.isdigit():  # not metadata this bot wrote
        return {ids.DECLINE_REASON_BLOCK: "This form is damaged: press Decline on the request again."}
    reason = _value(view, ids.DECLINE_REASON_BLOCK, ids.DECLINE_REASON_INPUT) or ""
    return Decline(int(request_id), reason, (channel, ts) if channel and ts else None)


def _value(view: dict[str, Any], block: str, action: str) -> str | None:
    value = view["state"]["values"].get(block, {}).get(action, {}).get("value")
    return str(value) if value is not None else None
