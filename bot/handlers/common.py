"""Helpers every listener shares: finding the modal's session and updating a view without racing."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.errors import ViewExpired
from storage.sessions import ViewSession

log = logging.getLogger("licensebot.bot")


def session_of(deps: Deps, view: dict[str, Any], context: BoltContext) -> ViewSession:
    """The modal's server-side state; refused when missing or when it belongs to someone else."""
    vs = deps.sessions.get(token_of(view))
    if vs is None or vs.slack_user_id != context.user_id:
        raise ViewExpired()
    return vs


def token_of(view: dict[str, Any]) -> str:
    """A view's metadata is the session token, optionally followed by ":" and one argument (e.g. a sku)."""
    return str(view.get("private_metadata") or "").split(":", 1)[0]


def argument_of(view: dict[str, Any]) -> str:
    return str(view.get("private_metadata") or "").partition(":")[2]


def update_view(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Update the modal the action came from. A stale hash means a newer click is already redrawing it: the state is
    server-side, so that newer render shows this click's effect too."""
    current = body["view"]
    try:
        client.views_update(view_id=current["id"], hash=current.get("hash"), view=view)
    except SlackApiError as e:
        if e.response.get("error") != "hash_conflict":
            raise
        log.info("view %s changed meanwhile (hash_conflict); a newer render wins", current["id"])
