"""Slack's `view.state.values` from what the page collected out of a rendered view's form.

The JS stays dumb: for each `[data-state]` node it sends `{"block_id", "action_id", "type", "value"}`, where
`value` is the text typed, the chosen `data-option` object, or the list of them. This module puts each value
under the key Slack uses for that element type and fills Slack's empty values (`None`, `[]`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from playground.render.elements import STATE_KEY


def state_value(element_type: str, value: Any) -> dict[str, Any]:
    """`{"type": …, <key>: …}` as Slack puts it in view.state.values and in a block_actions action."""
    key = STATE_KEY.get(element_type)
    if key is None:
        raise ValueError(f"{element_type!r} holds no state")
    if key == "selected_options":
        value = [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
    elif key == "selected_option":
        value = value if isinstance(value, dict) else None
    else:  # Slack sends null, not "", for an empty text box or date
        value = value if isinstance(value, str) and value != "" else None
    return {"type": element_type, key: value}


def view_state(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """`{block_id: {action_id: {type, value | selected_option | selected_options | selected_date}}}`."""
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in entries:
        values.setdefault(str(entry["block_id"]), {})[str(entry["action_id"])] = state_value(
            str(entry["type"]), entry.get("value")
        )
    return values
