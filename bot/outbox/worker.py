"""Delivering the outbox (storage/outbox/) to Slack: claim, send, record; exactly once when the channel's history
can be read, else at least once. See docs/architecture.md, "The outbox"."""

from __future__ import annotations

import http.client
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.outbox.config import Config, Stats
from bot.outbox.failures import Failures, tag
from bot.outbox.lookup import HistoryUnreadable, find_posted, metadata
from bot.telemetry import logs
from bot.webclient import PooledWebClient
from licensing.types import Clock, utcnow
from storage.outbox import claims, outcomes
from storage.outbox.claims import Claimed

log = logging.getLogger("licensebot.outbox")
DEFAULTS = Config()


@dataclass(frozen=True)
class Sent:
    """A delivery waiting to be recorded; `found`: it was already in Slack after an uncertain attempt."""

    delivered: outcomes.Delivered
    found: bool


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class Worker:
    """One replica's delivery loop. Thread-safe: a claim's messages may be sent from a small thread pool."""

    def __init__(
        self,
        sessionmaker: sessionmaker[Session],
        client: WebClient,
        config: Config = DEFAULTS,
        *,
        now: Clock = utcnow,
        rng: Callable[[], float] = random.random,  # in [0, 1): the backoff's jitter
        name: str | None = None,
        observer: Callable[[str, float], None] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client
        self.config = config
        self.now = now
        self.rng = rng
        self.name = name or worker_name()
        self.stats = Stats(observer=observer)
        self.stopping = threading.Event()  # set on shutdown: claimed messages not yet started go back to the queue
        self.failures = Failures(sessionmaker, self.name, config, self.stats, now, rng)
        self._pool = ThreadPoolExecutor(config.concurrency, "outbox") if config.concurrency > 1 else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    # --- the loop ---------------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim due messages (one per free channel) and deliver them; returns how many were claimed.

        A claim's deliveries are recorded in one transaction once its sends are done (the next claim waits for them
        anyway), a few statements per claim rather than per message. A worker that dies before recording leaves
        them 'sending': the next one looks for each in Slack first, as for any uncertain attempt."""
        with self.stats.in_db(), self.sessionmaker() as session:
            claimed = claims.claim(
                session, worker=self.name, now=self.now(), lease=self.config.lease, limit=self.config.lot
            )
        if self._pool is None:
            results = [self.deliver(message) for message in claimed]
        else:
            results = list(self._pool.map(self.deliver, claimed))
        self._record([r for r in results if r is not None])
        return len(claimed)

    def drain(self, budget_s: float = 5.0) -> int:
        """Deliver until nothing is due, the worker is stopping or `budget_s` has passed; the scheduler calls this."""
        started, total = time.monotonic(), 0
        while not self.stopping.is_set() and time.monotonic() - started < budget_s:
            n = self.run_once()
            total += n
            if n == 0:
                break
        return total

    # --- one message ------------------------------------------------------------------------------------------

    def deliver(self, m: Claimed) -> Sent | None:
        """Send one claimed message; a delivery is returned for `run_once` to record, any other outcome is recorded
        here (None)."""
        with logs.scope(batch=m.batch_id):  # every line about this message, from any module, carries its batch
            return self._deliver(m)

    def _deliver(self, m: Claimed) -> Sent | None:
        if self.stopping.is_set():  # shutting down: finish what is in flight, hand back what is not
            with self.stats.in_db(), self.sessionmaker() as s:
                outcomes.release(s, m, worker=self.name, now=self.now())
            return None
        unsure, posting = m.unsure, False
        channel = m.channel
        try:
            if channel is None:  # a direct message: the D-channel comes from conversations.open
                with self.stats.in_slack():
                    channel = str(self.client.conversations_open(users=m.fallback_user)["channel"]["id"])
            if unsure:
                try:
                    ts = find_posted(self.client, m, channel, self.stats.in_slack)
                except HistoryUnreadable as e:
                    log.warning("%s cannot check whether it was delivered (%s): sending it again", tag(m, channel), e)
                else:
                    if ts is not None:
                        return self._sent(m, channel, ts, found=True)
                    unsure = False  # not there: no earlier attempt landed
            posting = True
            with self.stats.in_slack():
                response = self.client.chat_postMessage(
                    channel=channel,
                    thread_ts=m.thread_ts,
                    metadata=metadata(m),
                    **m.payload,
                )
            return self._sent(m, str(response.get("channel") or channel), str(response["ts"]), found=False)
        except SlackApiError as e:
            self.failures.failed(m, channel, e, unsure=unsure, posting=posting)
        except (OSError, http.client.HTTPException) as e:  # timeout, reset, refused: did Slack get it? Unknown.
            self.failures.retry(m, channel, f"{type(e).__name__}", unsure=unsure or posting)
        return None

    # --- outcomes ---------------------------------------------------------------------------------------------

    def _sent(self, m: Claimed, channel: str, ts: str, *, found: bool) -> Sent:
        # The lane's pacing counts from the send, not from when the claim's deliveries are recorded.
        return Sent(outcomes.Delivered(m, channel, ts, self.now() + self.config.channel_interval), found)

    def _record(self, sent: list[Sent]) -> None:
        if not sent:
            return
        with self.stats.in_db(), self.sessionmaker() as s:
            recorded = outcomes.mark_sent(s, [x.delivered for x in sent], worker=self.name)
        for x in sent:
            m, channel, ts = x.delivered.message, x.delivered.channel, x.delivered.ts
            with logs.scope(batch=m.batch_id):
                if m.id not in recorded:
                    log.warning("%s delivered ts=%s but its lease had passed to another worker", tag(m, channel), ts)
                    continue
                self.stats.add(**{"found" if x.found else "sent": 1})
                how = "was already delivered" if x.found else "sent"
                log.info("%s %s ts=%s attempts=%d", tag(m, channel), how, ts, m.attempts)


def make_worker_client(token: str, base_url: str, timeout_s: float) -> WebClient:
    """A client that never retries or sleeps on its own (the worker schedules retries) and gives up quickly; its
    connections are kept open between messages (bot/webclient.py)."""
    return PooledWebClient(token=token, base_url=base_url, timeout=max(1, round(timeout_s)), retry_handlers=[])
