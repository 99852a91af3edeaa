"""Listener middleware: who may act, and which modal a click belongs to. Every listener runs behind
`require_operator`, so a role removed while a modal is open takes effect on the very next click, not only when the
next modal opens. Both raise for bot/slack/errors.py to answer; neither replies itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.deps import Deps
from bot.slack.errors import ViewExpired
from bot.telemetry import logs
from licensing.queries import authorize


def require_operator(context: BoltContext, next: Callable[[], None]) -> None:
    """Puts the operator on the context (injectable as `operator`), or raises Forbidden."""
    deps: Deps = context["deps"]
    context["operator"] = authorize(context.user_id or "", uow=deps.uow_factory())
    next()


def load_modal(context: BoltContext, body: dict[str, Any], next: Callable[[], None]) -> None:
    """Puts the modal's server-side state on the context (injectable as `modal`), or raises ViewExpired when it is
    gone or belongs to someone else."""
    deps: Deps = context["deps"]
    modal = deps.modals.get(token_of(body.get("view") or {}))
    if modal is None or modal.slack_user_id != context.user_id:
        raise ViewExpired()
    context["modal"] = modal
    logs.bind(customer=modal.customer_id)
    next()


def token_of(view: dict[str, Any]) -> str:
    """A view's metadata is the modal's token, optionally followed by ":" and one argument (e.g. a sku)."""
    return str(view.get("private_metadata") or "").split(":", 1)[0]


def argument_of(view: dict[str, Any]) -> str:
    return str(view.get("private_metadata") or "").partition(":")[2]


Middleware = Callable[..., None]
OPERATOR_ONLY: list[Middleware] = [require_operator]
IN_MODAL: list[Middleware] = [require_operator, load_modal]  # clicks and submissions inside the /licenses modal
