"""`/licenses` is one slash command for several rooms: its first word picks the room that answers (`history`,
`scheduled`), anything else is the seed's flow. bot/app.py wires the rooms in, so no room imports another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from licensing.model import Operator

# The seed's flow: (ack, command, client, deps, operator, every word); it answers the command itself.
Default = Callable[[Ack, dict[str, Any], WebClient, Deps, Operator, list[str]], None]
# A room's subcommand: (deps, client, operator, the words after its own) -> the modal to open.
Subcommand = Callable[[Deps, WebClient, Operator, list[str]], dict[str, Any]]


def licenses(default: Default, **subcommands: Subcommand) -> Callable[..., None]:
    """The `/licenses` listener: the modal of the subcommand named by the first word, else `default`."""

    def listener(ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps, operator: Operator) -> None:
        words = (command.get("text") or "").split()
        chosen = subcommands.get(words[0].lower()) if words else None
        if chosen is None:
            default(ack, command, client, deps, operator, words)
            return
        # Read before the ack, so an unknown customer or user is the command's own private answer (errors.py).
        view = chosen(deps, client, operator, words[1:])
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=view)

    listener.__name__ = "licenses"  # Bolt names listeners in its logs
    return listener
