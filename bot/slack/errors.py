"""The one error handler: turns an exception from any listener or middleware into what the operator sees, on the
surface they used (slash command, modal button, modal submission, type-ahead), and logs what we did not expect."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.result import notice_view
from blocks.text import escape
from bot.slack import interactions
from bot.telemetry.metrics import ERROR, REFUSED
from licensing.errors import Forbidden, LicensingError

log = logging.getLogger("licensebot.bot")
TRIGGER_ERRORS = {"expired_trigger_id", "exchanged_trigger_id"}


class ViewExpired(Exception):
    """The modal's server-side state is gone (expired, or the token was not this user's)."""

    user_message = "This window has expired. Run /licenses again to start over."


def describe(error: Exception) -> tuple[str, str]:
    """The title and text an operator should read; unexpected errors get a reference to find the log line."""
    if isinstance(error, Forbidden):
        return "Not allowed", error.user_message
    if isinstance(error, LicensingError):
        return "Can't do that", error.user_message
    if isinstance(error, ViewExpired):
        return "Window expired", error.user_message
    if isinstance(error, SlackApiError) and error.response.get("error") in TRIGGER_ERRORS:
        return "Too slow", "Slack could not open the window in time. Please run /licenses again."
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error ref=%s: %s", ref, type(error).__name__, exc_info=error)
    return "Something went wrong", f"Something went wrong on our side (reference {ref}). Please try again."


def after_ack(fn: Callable[..., None]) -> Callable[..., None]:
    """Answers a listener's error itself once the listener has acked.

    Bolt (1.30, threaded runner) hands an error raised after ack() to the error handler and then overwrites the
    stored ack with the handler's answer, None; if that happens before Bolt's 10 ms poll has seen the ack, Slack is
    answered "unhandled request" instead. Errors before the ack still go through Bolt, which answers Slack with
    what `handle` returns.
    """

    @functools.wraps(fn)  # Bolt injects arguments by the wrapped function's parameter names
    def wrapper(**kwargs: Any) -> None:
        try:
            fn(**kwargs)
        except Exception as error:
            ack = kwargs.get("ack")
            if ack is None or ack.response is None:
                raise
            body = kwargs.get("body") or kwargs.get("command") or {}
            handle(error, body, kwargs["client"], None)

    return wrapper


def handle(
    error: Exception, body: dict[str, Any], client: WebClient, response: BoltResponse | None
) -> BoltResponse | None:
    title, text = describe(error)  # plain text: escaped below wherever Slack reads it as mrkdwn
    interactions.note(REFUSED if isinstance(error, LicensingError | ViewExpired) else ERROR)
    kind = body.get("type")
    view = body.get("view") or {}
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    if kind == "view_submission" and response is not None:  # not acked yet: the answer replaces the modal
        return BoltResponse(status=200, body={"response_action": "update", "view": notice_view(title, text, "")})
    if view.get("id"):
        _update_quietly(client, view["id"], notice_view(title, text, ""))
    elif body.get("command") and response is not None:  # a slash command not acked yet: answer privately
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": escape(text)})
    elif body.get("command") or kind == "block_actions":
        _tell_privately(client, body, text)
    return BoltResponse(status=200, body="") if response is not None else None


def _update_quietly(client: WebClient, view_id: str, view: dict[str, Any]) -> None:
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as e:  # the modal was closed meanwhile: nothing left to tell it
        log.info("could not show an error in view %s: %s", view_id, e.response.get("error"))


def _tell_privately(client: WebClient, body: dict[str, Any], text: str) -> None:
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    if user and channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=escape(text))
        except SlackApiError as e:
            log.info("could not tell %s privately: %s", user, e.response.get("error"))
