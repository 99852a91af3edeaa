"""Reading Block Kit the way a person does: every text object's text, in document order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a payload, depth first."""
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from walk(child)


def texts(payload: Any, kind: str | None = None) -> list[str]:
    """Every text object's text (of one `kind`: mrkdwn or plain_text), in document order."""
    return [
        d["text"]
        for d in walk(payload)
        if d.get("type") in ("mrkdwn", "plain_text") and (kind is None or d["type"] == kind) and "text" in d
    ]


def shown(payload: Any) -> str:
    """All user-visible text, joined: what a user would read."""
    return "\n".join(texts(payload))
