"""Builds the Bolt app: one place wires the dependencies, the operator check, each room's listeners and the error
handler."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.alerts import listeners as alerts
from bot.deps import Deps
from bot.history import listeners as history
from bot.home import listeners as home
from bot.home import screens as home_screens
from bot.manage import listeners as manage
from bot.manage.commands import open_licenses
from bot.purchases import listeners as purchases
from bot.scheduled import listeners as scheduled
from bot.slack import commands, errors
from bot.slack.interactions import ObservedApp
from bot.slack.roles import OPERATOR_ONLY
from bot.telemetry import logs


def build_app(deps: Deps, client: WebClient) -> App:
    deps = replace(deps, after_change=(*deps.after_change, home_screens.refresh))  # the Home's counts, after a change
    secret = deps.settings.slack_signing_secret
    app = ObservedApp(
        metrics=deps.metrics,
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode has no signature; Bolt checks it for every HTTP request.
        request_verification_enabled=secret is not None,
        # Listeners ack within the 3 s and carry on in Bolt's thread pool.
        process_before_response=False,
    )

    @app.middleware
    def provide_deps(context: BoltContext, next: Any) -> None:
        context["deps"] = deps
        next()

    @app.middleware
    def log_fields(context: BoltContext, next: Any) -> None:
        # Every line logged for this request, in any module, says whose it is (bot/telemetry/logs.py); a request
        # only gets here once its signature checked out, so the id is Slack's word.
        logs.bind(slack_user=context.user_id)
        next()

    # One room per feature; each lists its ids in its own register (bot/<room>/listeners.py). The one slash command
    # is shared: its first word picks the room.
    licenses = commands.licenses(open_licenses, history=history.from_command, scheduled=scheduled.from_command)
    app.command("/licenses", middleware=OPERATOR_ONLY)(errors.after_ack(licenses))
    manage.register(app)
    history.register(app)
    home.register(app)
    purchases.register(app)
    alerts.register(app)
    scheduled.register(app)
    app.error(errors.handle)
    return app
