"""The operator's timezone, from Slack's users.info (`tz`, else `tz_offset`), cached briefly.

Scheduled days are the operator's days: "Starts on 2 December" means midnight where they are. Slack is asked once
per CACHE_S per user (users.info is Tier 4, but a busy Manage licenses would still call it on every Save); a
failure to ask falls back to UTC, said in the label, rather than refusing the save.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("licensebot.bot")

CACHE_S = 600.0


@dataclass(frozen=True)
class OperatorZone:
    tz: tzinfo
    label: str  # "Europe/Paris", "UTC+05:30", or "UTC"

    def show(self, at: datetime) -> str:
        """ "Wed 2 Dec 2026, 00:00 (Europe/Paris)": an instant as the operator reads it."""
        local = at.astimezone(self.tz)
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({self.label})"

    def stamp(self, at: datetime) -> str:
        """ "2026-03-04 14:00 Asia/Tokyo": the fallback of a `<!date>`, which Slack shows in the reader's zone too."""
        return f"{at.astimezone(self.tz):%Y-%m-%d %H:%M} {self.label}"


_cache: dict[tuple[str, str], tuple[float, OperatorZone]] = {}
_lock = threading.Lock()


def zone_of(client: WebClient, user_id: str) -> OperatorZone:
    """The user's timezone as Slack has it (cached for CACHE_S per workspace API and user)."""
    key = (client.base_url, user_id)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_S:
        return hit[1]
    zone = _ask(client, user_id)
    with _lock:
        _cache[key] = (now, zone)
    return zone


def forget_all() -> None:
    """Forgets every cached zone: a new fake Slack may listen where an earlier one did (tests), with other zones."""
    with _lock:
        _cache.clear()


def _ask(client: WebClient, user_id: str) -> OperatorZone:
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as e:
        log.info("users.info for %s failed (%s): dates are read in UTC", user_id, e.response.get("error"))
        return OperatorZone(UTC, "UTC")
    name, offset = user.get("tz"), user.get("tz_offset")
    if isinstance(name, str) and name:
        try:
            return OperatorZone(ZoneInfo(name), name)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone this machine's database lacks: the offset Slack gave is right for today at least
    if isinstance(offset, int):
        fixed = timezone(timedelta(seconds=offset))
        return OperatorZone(fixed, str(fixed))  # "UTC+05:30", or "UTC"
    return OperatorZone(UTC, "UTC")
