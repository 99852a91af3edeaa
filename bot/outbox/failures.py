"""What the worker does when a send does not land (bot/outbox/worker.py sends; this decides and records the rest).

429 waits exactly Retry-After and holds the channel meanwhile; a 5xx, a transient Slack error or a network error
backs off (bot/outbox/backoff.py); `channel_not_found`/`not_in_channel`/`is_archived` send what is left of the
thread to the operator by DM (bot/outbox/dm.py); any other error is permanent: dead at once, logged at ERROR.
A retry that would land after the message's deadline is dead instead. Each outcome is recorded in a transaction of
its own, guarded by the worker's lease.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.backoff import backoff_s, retry_after_s
from bot.outbox.config import Config, Stats
from bot.outbox.dm import dm_copy
from bot.outbox.lookup import TRANSIENT_ERRORS
from licensing.types import Clock
from storage.outbox import outcomes
from storage.outbox.claims import Claimed

log = logging.getLogger("licensebot.outbox")

# The channel refuses the bot: the thread goes to the operator by DM instead.
FALLBACK_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


def tag(m: Claimed, channel: str | None) -> str:
    """The start of every log line about a message: which one, of which batch, where."""
    where = channel or f"@{m.fallback_user}"
    return f"outbox id={m.id} batch={m.batch_id or '-'} channel={where}"


@dataclass(frozen=True)
class Failures:
    """One worker's handling of failed sends: its database, its name (the lease holder), tuning, clock and jitter."""

    sessionmaker: sessionmaker[Session]
    name: str
    config: Config
    stats: Stats
    now: Clock
    rng: Callable[[], float]

    def failed(self, m: Claimed, channel: str | None, e: SlackApiError, *, unsure: bool, posting: bool) -> None:
        status = e.response.status_code
        error = str(e.response.get("error") or f"HTTP {status}")
        if status == 429:
            wait = retry_after_s(e)
            self.retry(m, channel, f"rate limited ({wait:g} s)", unsure=unsure, delay=wait, hold_lane=True)
        elif status >= 500 or error in TRANSIENT_ERRORS:
            self.retry(m, channel, f"{error} (HTTP {status})", unsure=unsure or posting)
        elif posting and error in FALLBACK_ERRORS and not m.dm:
            assert channel is not None  # not a DM: the channel asked for, or (a reply) where the parent landed
            self._to_dm(m, channel, error)
        else:
            self._dead(m, channel, error)

    def _to_dm(self, m: Claimed, channel: str, error: str) -> None:
        """The channel refuses the bot: what is left of the thread goes to the fallback user by DM (once)."""
        now = self.now()
        free_at, how = now + self.config.channel_interval, "the thread"
        with self.stats.in_db(), self.sessionmaker() as s:
            if m.parent_id is None:  # the parent itself goes by DM, and its replies follow it as usual
                outcomes.mark_retry(
                    s,
                    m,
                    worker=self.name,
                    at=now,
                    unsure=False,
                    error=error,
                    fall_back_to_dm=True,
                    lane_free_at=free_at,
                )
            else:  # the parent is in the channel already: the DM gets a copy of it, then the rest of the replies
                copy = outcomes.move_thread_to_dm(
                    s,
                    m,
                    worker=self.name,
                    error=error,
                    now=now,
                    lane_free_at=free_at,
                    copy_parent=lambda parent: dm_copy(parent, channel, error),
                )
                how = f"the rest of the thread, under a copy of its parent (outbox id={copy}),"
        self.stats.add(fallback=1)
        log.warning("%s refused (%s): sending %s to %s by DM", tag(m, channel), error, how, m.fallback_user)

    def retry(
        self,
        m: Claimed,
        channel: str | None,
        error: str,
        *,
        unsure: bool,
        delay: float | None = None,
        hold_lane: bool = False,
    ) -> None:
        now = self.now()
        if delay is None:
            delay = backoff_s(
                m.attempts, base_s=self.config.backoff_base_s, cap_s=self.config.backoff_cap_s, rng=self.rng
            )
        at = now + timedelta(seconds=delay)
        if at > m.deadline:
            self._dead(m, channel, f"{error}; deadline {m.deadline.isoformat()} passed")
            return
        # A 429 holds the whole channel for as long as Slack said; anything else only paces it as a send would.
        lane_free_at = at if hold_lane else now + self.config.channel_interval
        with self.stats.in_db(), self.sessionmaker() as s:
            outcomes.mark_retry(s, m, worker=self.name, at=at, unsure=unsure, error=error, lane_free_at=lane_free_at)
        self.stats.add(retried=1)
        log.warning("%s attempt %d failed (%s): retry in %g s", tag(m, channel), m.attempts, error, delay)

    def _dead(self, m: Claimed, channel: str | None, error: str) -> None:
        now = self.now()
        with self.stats.in_db(), self.sessionmaker() as s:
            free_at = now + self.config.channel_interval
            ids = outcomes.mark_dead(s, m, worker=self.name, error=error, lane_free_at=free_at)
        if ids:
            self.stats.add(dead=len(ids))
            also = f" (and {', '.join(map(str, ids[1:]))} after it in the thread)" if len(ids) > 1 else ""
            log.error("%s dead: %s%s; `licensebot outbox retry %d` sends it again", tag(m, channel), error, also, m.id)
