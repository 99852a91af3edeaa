"""Who may act: every listener runs behind `require_operator`, so a role removed while a modal is open takes effect
on the very next click, not only when the next modal opens."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from bot.deps import Deps
from licensing.queries import authorize


def require_operator(context: BoltContext, next: Callable[[], None]) -> None:
    """Puts the operator on the context (injectable as `operator`), or raises Forbidden for bot/errors.py."""
    deps: Deps = context["deps"]
    context["operator"] = authorize(context.user_id or "", uow=deps.uow_factory())
    next()


OPERATOR_ONLY = [require_operator]
