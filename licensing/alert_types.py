"""The values of low-license alerts (licensing/alerts.py): the policy, each subscription's state, what a message
shows, and how alerts are set up. The ports name them too, so they live apart from the use cases that run on ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from licensing.model import Subscription


class Level(StrEnum):
    LOW = "low"
    OVERUSED = "overused"


@dataclass(frozen=True)
class AlertPolicy:
    """The settings every alert is judged by (and the App Home's "low" too)."""

    default_below: int | None = None  # LICENSEBOT_ALERT_BELOW
    exclude: frozenset[str] = frozenset()  # LICENSEBOT_ALERT_EXCLUDE
    remind_at: time = time(9, 0)  # LICENSEBOT_ALERT_TIME, UTC

    def threshold(self, sub: Subscription) -> int | None:
        """Alert when fewer than this are available; None: no low alert (excluded, or a threshold of 0 or none)."""
        if sub.sku in self.exclude:
            return None
        below = sub.alert_below if sub.alert_below is not None else self.default_below
        return below or None

    def level(self, sub: Subscription) -> Level | None:
        if sub.sku in self.exclude:
            return None
        if sub.assigned > sub.quantity:
            return Level.OVERUSED
        below = self.threshold(sub)
        return Level.LOW if below is not None and sub.available < below else None

    def next_reminder(self, after: datetime) -> datetime:
        """The alert time on the calendar day (UTC) after `after`: at most one reminder a day, at the same hour."""
        day = after.astimezone(self.remind_at.tzinfo or after.tzinfo).date() + timedelta(days=1)
        return datetime.combine(day, self.remind_at, tzinfo=after.tzinfo)


@dataclass(frozen=True)
class AlertState:
    """One subscription's durable alert state (a row of `license_alerts`)."""

    customer_id: str
    sku: str
    level: Level
    since: datetime
    next_reminder_at: datetime
    thread: int | None = None  # the outbox id of the alert's thread: reminders and "back above" reply there
    last_reminded_at: datetime | None = None


@dataclass(frozen=True)
class Alert:
    """What a message about one subscription shows."""

    customer_id: str
    customer_name: str
    sku: str
    product_name: str
    quantity: int
    assigned: int
    threshold: int | None
    level: Level | None  # None: recovered
    since: datetime

    @property
    def available(self) -> int:
        return self.quantity - self.assigned


class AlertMessages(Protocol):
    """Renders alerts as message payloads (the bot's Block Kit); the domain never sees Slack."""

    def raised(self, alert: Alert) -> dict[str, Any]: ...

    def reminder(self, alert: Alert) -> dict[str, Any]: ...

    def recovered(self, alert: Alert) -> dict[str, Any]: ...


@dataclass(frozen=True)
class AlertWatch:
    """How the alerts are set up: the policy, and where messages go (no channel or no renderer: nowhere)."""

    policy: AlertPolicy = AlertPolicy()
    channel: str | None = None
    messages: AlertMessages | None = None

    @property
    def sends(self) -> bool:
        return bool(self.channel) and self.messages is not None
