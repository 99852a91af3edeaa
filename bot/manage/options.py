"""Type-ahead for the customer select: only the customers the operator may manage."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from blocks.text import truncate
from bot.deps import Deps
from licensing import queries
from licensing.model import Operator

MAX_OPTIONS = 100  # Slack shows "no result" past 100


def customer_options(ack: Ack, payload: dict[str, Any], deps: Deps, operator: Operator) -> None:
    found = queries.list_customers(
        actor=operator.slack_user_id, query=payload.get("value", ""), limit=MAX_OPTIONS, uow=deps.uow_factory()
    )
    ack(
        options=[
            {"text": {"type": "plain_text", "text": truncate(f"{c.name} ({c.id})", 75)}, "value": c.id}
            for c in found
            if len(c.id) <= 75
        ]
    )
