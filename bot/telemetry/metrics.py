"""Prometheus metrics, on a registry of their own (built by bootstrap.py), never the process-wide default: two
apps in one test run, or one app and its worker, then count separately.

Label values come from closed sets only (our own ids, Slack's request kinds, our error codes): they are read from
requests before their signature is checked, and a label per made-up value would grow the registry without bound.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from bot.telemetry.timebox import Timebox
from licensing.results import BatchResult, ErrorCode, Status
from licensing.types import Clock, utcnow
from storage.probes import OutboxStats, outbox_stats

log = logging.getLogger("licensebot.metrics")

OK, REFUSED, ERROR = "ok", "refused", "error"
DELIVERY_RESULTS = ("sent", "found", "retried", "dead", "fallback")
# Slack wants an answer within 3 s; the buckets are finest around it.
ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0)
DONE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """Every metric the bot records. Listeners, the save and the worker are handed this object, not the registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.interactions = Counter(
            "licensebot_interactions",
            "Slack requests handled, by kind, id and outcome (ok, refused, error).",
            ["kind", "id", "outcome"],
            registry=registry,
        )
        self.ack_seconds = Histogram(
            "licensebot_interaction_ack_seconds",
            "From a Slack request's arrival to our answer (the ack).",
            ["kind", "id"],
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self.done_seconds = Histogram(
            "licensebot_interaction_seconds",
            "From a Slack request's arrival until its listener finished.",
            ["kind", "id", "outcome"],
            buckets=DONE_BUCKETS,
            registry=registry,
        )
        self.saves = Counter(
            "licensebot_saves",
            "Saves applied, by result: ok (no user failed), partial, failed (every user), "
            "replayed (a repeat of a save already applied: nothing changed).",
            ["result"],
            registry=registry,
        )
        self.save_users = Counter(
            "licensebot_save_users", "Users in applied saves, by outcome.", ["status"], registry=registry
        )
        self.save_errors = Counter(
            "licensebot_save_errors",
            "Problems that made a user's change fail, by error code.",
            ["code"],
            registry=registry,
        )
        self.deliveries = Counter(
            "licensebot_deliveries",
            "Outbox delivery attempts, by result (found: already in Slack after an unsure "
            "attempt; fallback: the channel refused, the thread goes by DM).",
            ["result"],
            registry=registry,
        )
        self.provider_calls = Counter(
            "licensebot_provider_calls",
            "Calls to a licensing provider's API (Microsoft 365 Graph), by status.",
            ["provider", "status"],
            registry=registry,
        )
        # Known label values start at 0, so a rate() has a series to work on before the first event.
        for result in ("ok", "partial", "failed", "replayed"):
            self.saves.labels(result)
        for status in Status:
            self.save_users.labels(status.value)
        for code in ErrorCode:
            self.save_errors.labels(code.value)
        for result in DELIVERY_RESULTS:
            self.deliveries.labels(result)

    def saved(self, result: BatchResult) -> None:
        if result.replayed:
            self.saves.labels("replayed").inc()
            return
        failed = len(result.failed)
        self.saves.labels("ok" if not failed else "failed" if failed == len(result.results) else "partial").inc()
        for outcome in result.results:
            self.save_users.labels(outcome.status.value).inc()
            for problem in outcome.errors:
                self.save_errors.labels(problem.code.value).inc()

    def provider_call(self, provider: str) -> Callable[[str], None]:
        """What a provider's client calls with each call's status (an HTTP code, or "unreachable")."""
        return lambda status: self.provider_calls.labels(provider, status).inc()

    def delivered(self, result: str, count: float = 1) -> None:
        """The delivery worker's tally (bot/outbox/worker.py's Stats); its timing entries are not results."""
        if result in DELIVERY_RESULTS:
            self.deliveries.labels(result).inc(count)


class OutboxCollector(Collector):
    """The outbox's state, read from the database when scraped (every replica shows the same, shared, numbers).
    A database too slow or down yields `licensebot_outbox_up 0` and no stale numbers, rather than a hung scrape."""

    def __init__(self, engine: Engine, timeout_s: float, *, now: Clock = utcnow) -> None:
        self.now = now
        self.read = Timebox(lambda: outbox_stats(engine, timeout_s=timeout_s), timeout_s, "outbox-gauges")

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Names only: registering must not query the database.
        return iter(self._families(None, None))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            stats: OutboxStats | None = self.read()
        except Exception as e:  # the scrape must go on; say what kind of failure, never its text (it may hold a URL)
            log.warning("outbox gauges unavailable: %s", type(e).__name__)
            stats = None
        return iter(self._families(stats, self.now()))

    def _families(self, stats: OutboxStats | None, now: datetime | None) -> list[GaugeMetricFamily]:
        up = GaugeMetricFamily("licensebot_outbox_up", "1 if the outbox gauges below could be read just now.")
        families = [up]
        if stats is None and now is not None:
            up.add_metric([], 0)
            return families
        pending = GaugeMetricFamily("licensebot_outbox_pending", "Messages not delivered yet (in flight included).")
        oldest = GaugeMetricFamily(
            "licensebot_outbox_oldest_pending_age_seconds", "How long the oldest undelivered message has waited."
        )
        dead = GaugeMetricFamily("licensebot_outbox_dead", "Messages given up on (`licensebot outbox` lists them).")
        families += [pending, oldest, dead]
        if stats is not None and now is not None:
            up.add_metric([], 1)
            pending.add_metric([], stats.pending)
            age = (now - stats.oldest_pending).total_seconds() if stats.oldest_pending else 0.0
            oldest.add_metric([], max(0.0, age))
            dead.add_metric([], stats.dead)
        return families
