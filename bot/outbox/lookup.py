"""Finding a message an earlier attempt may have posted (bot/outbox/worker.py says when the worker looks).

Every message goes out with `metadata.event_payload.outbox_id`; the look-up reads the channel's history (a parent)
or the parent's thread (a reply) for that id. It reads a few pages at most: a message further back than that is
sent again, since a duplicate is better than a lost confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.outbox.claims import Claimed

EVENT_TYPE = "licensebot_outbox"
# Slack's own word that it failed on its side; it may have stored the message before failing, so: look, then retry.
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"})
HISTORY_PAGES = 3  # at most this many pages of history are read looking for a message (200 messages each)
HISTORY_PAGE_SIZE = 200


class HistoryUnreadable(Exception):
    """The history could not be read; the message is sent anyway (at least once)."""


def find_posted(
    client: WebClient, m: Claimed, channel: str, timed: Callable[[], AbstractContextManager[None]]
) -> str | None:
    """The ts of the message if an earlier attempt delivered it, None if it is not there.

    Raises HistoryUnreadable when the history cannot tell (no scope, too far back), and SlackApiError when Slack
    failed on its side (the whole delivery is tried again later). `timed` wraps each call, to count Slack time.
    """
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        try:
            with timed():
                if m.thread_ts is None:
                    page = client.conversations_history(
                        channel=channel,
                        oldest=f"{m.created_at.timestamp() - 1:.6f}",
                        include_all_metadata=True,
                        limit=HISTORY_PAGE_SIZE,
                        cursor=cursor,
                    )
                else:
                    page = client.conversations_replies(
                        channel=channel,
                        ts=m.thread_ts,
                        include_all_metadata=True,
                        limit=HISTORY_PAGE_SIZE,
                        cursor=cursor,
                    )
        except SlackApiError as e:
            error = str(e.response.get("error"))
            if e.response.status_code == 429 or e.response.status_code >= 500 or error in TRANSIENT_ERRORS:
                raise  # try the whole thing later
            raise HistoryUnreadable(error) from e
        for message in page.get("messages") or []:
            if outbox_id(message) == m.id:
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or not cursor:
            return None
    raise HistoryUnreadable(f"not in the last {HISTORY_PAGES * HISTORY_PAGE_SIZE} messages")


def metadata(m: Claimed) -> dict[str, Any]:
    """What each message carries, so that `find_posted` can recognise it."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": m.id}}


def outbox_id(message: dict[str, Any]) -> int | None:
    data = message.get("metadata") or {}
    if data.get("event_type") != EVENT_TYPE:
        return None
    value = (data.get("event_payload") or {}).get("outbox_id")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
