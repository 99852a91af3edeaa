"""What the fake Slack records and answers: calls, rejected payloads, replies, and Slack's error shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

Json = dict[str, Any]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    args: Json
    time: float
    token: str | None
    status: int = 200
    response: Json | None = None  # None when the connection was dropped

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class ValidationProblem:
    """A payload the fake rejected because its Block Kit was invalid."""

    method: str
    problems: list[str]
    payload: Json


@dataclass
class Reply:
    """What the transport sends back for one call."""

    status: int = 200
    body: Json = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    delay: float = 0.0  # seconds to wait before answering (the work is already done)


class SlackError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


def ts_key(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation as exc:
        raise SlackError("invalid_arguments", f"[ERROR] invalid ts {ts!r}") from exc


def truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def clone(data: Any) -> Any:
    """A deep copy of JSON data (what the Web API takes and gives): through the C JSON codec, several times
    cheaper than copy.deepcopy, which the fake's busiest paths (every post, every call recorded) paid three times."""
    return json.loads(json.dumps(data))
