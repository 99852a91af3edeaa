"""A click inside a licensebot modal: acknowledged at once (its only answer is the view redrawn, by `views.update`),
then handed to its listener as one value. Bolt injects a listener's arguments by parameter name, so the names are
spelled out once here rather than in every click's signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.errors import after_ack
from licensing.model import Operator
from storage.modal_state import ModalState


@dataclass(frozen=True)
class Click:
    body: dict[str, Any]
    action: dict[str, Any]
    client: WebClient
    deps: Deps
    operator: Operator
    modal: ModalState  # loaded by the IN_MODAL middleware (bot/slack/roles.py)

    @property
    def actor(self) -> str:
        return self.operator.slack_user_id

    @property
    def state(self) -> dict[str, Any]:
        """The inputs of the view clicked in, as Slack reports them (only those on screen)."""
        return dict(self.body["view"]["state"])


def modal_click(fn: Callable[[Click], None]) -> Callable[..., None]:
    """The Bolt listener for `fn`: ack, then `fn` with the click; its errors answered as any listener's after an ack."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        deps: Deps,
        operator: Operator,
        modal: ModalState,
    ) -> None:
        ack()
        fn(Click(body, action, client, deps, operator, modal))

    listener.__name__ = listener.__qualname__ = fn.__name__  # Bolt names listeners in its logs
    return after_ack(listener)
