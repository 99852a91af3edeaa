"""Low-license alerts for the bot: settings into the domain's AlertWatch, and the domain's alerts rendered as
Block Kit messages (queued by licensing/alerts.py in the transaction of the change that caused them)."""

from __future__ import annotations

from typing import Any

from blocks.alerts import alert_message, recovered_message, reminder_message
from blocks.viewmodels import AlertVM
from bot.settings import Settings
from licensing.alert_types import Alert, AlertWatch, Level


def alert_watch(settings: Settings) -> AlertWatch:
    """The policy from LICENSEBOT_ALERT_BELOW, _EXCLUDE and _TIME; messages go to LICENSEBOT_ALERTS_CHANNEL, and
    with none set to no one (the App Home still shows the low subscriptions)."""
    return AlertWatch(settings.alert_policy(), settings.alerts_channel or None, Messages())


def vm(alert: Alert) -> AlertVM:
    return AlertVM(
        alert.customer_id,
        alert.customer_name,
        alert.sku,
        alert.product_name,
        alert.quantity,
        alert.assigned,
        alert.threshold,
        alert.level is Level.OVERUSED,
    )


class Messages:
    """Implements licensing.alert_types.AlertMessages."""

    def raised(self, alert: Alert) -> dict[str, Any]:
        return alert_message(vm(alert))

    def reminder(self, alert: Alert) -> dict[str, Any]:
        return reminder_message(vm(alert))

    def recovered(self, alert: Alert) -> dict[str, Any]:
        return recovered_message(vm(alert))
