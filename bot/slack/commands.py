"""`/licenses` is one slash command for several rooms: its first word picks the room that answers (`history`,
`scheduled`), anything else is the seed's flow. bot/app.py wires the rooms in, so no room imports another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from licensing.model import Operator

# (ack, command, client, deps, operator, the words after the subcommand's own)
Subcommand = Callable[[Ack, dict[str, Any], WebClient, Deps, Operator, list[str]], None]


def licenses(default: Subcommand, **subcommands: Subcommand) -> Callable[..., None]:
    """The `/licenses` listener: the subcommand named by the first word, else `default` with every word."""

    def listener(ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps, operator: Operator) -> None:
        words = (command.get("text") or "").split()
        chosen = subcommands.get(words[0].lower()) if words else None
        if chosen is None:
            default(ack, command, client, deps, operator, words)
        else:
            chosen(ack, command, client, deps, operator, words[1:])

    listener.__name__ = "licenses"  # Bolt names listeners in its logs
    return listener
