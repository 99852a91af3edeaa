"""App Home: what the app does and who the viewer is to it."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from blocks.home import home_view
from blocks.viewmodels import HomeVM
from bot.deps import Deps
from licensing import queries
from licensing.errors import Forbidden


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)


def publish_home(client: WebClient, context: BoltContext, deps: Deps) -> None:
    user = context.user_id or ""
    try:
        op = queries.authorize(user, uow=deps.uow_factory())
    except Forbidden:
        vm = HomeVM(operator_name=None, role=None, customers="")
    else:
        scope = "all customers" if op.customers is None else ", ".join(sorted(op.customers))
        vm = HomeVM(operator_name=op.name or user, role=op.role.value, customers=scope)
    client.views_publish(user_id=user, view=home_view(vm))
