"""Builds the Bolt app: one place wires the dependencies, the operator check, the listeners and the error handler."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import errors
from bot.deps import Deps
from bot.handlers import actions, commands, events, options, views

DEFAULT_API_URL = "https://slack.com/api/"


def make_client(deps: Deps) -> WebClient:
    s = deps.settings
    base = (s.slack_api_url or DEFAULT_API_URL).rstrip("/") + "/"
    token = s.slack_bot_token.get_secret_value() if s.slack_bot_token else None
    return WebClient(token=token, base_url=base)


def build_app(deps: Deps, *, client: WebClient | None = None) -> App:
    secret = deps.settings.slack_signing_secret
    app = App(
        client=client or make_client(deps),
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

    commands.register(app)
    actions.register(app)
    views.register(app)
    options.register(app)
    events.register(app)
    app.error(errors.handle)
    return app
