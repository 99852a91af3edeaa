"""What every listener of the modal shares: updating the view a click came from without racing a newer click."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("licensebot.bot")


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
