"""Low-license alert messages: the figures, Buy more for the alert's customer and product, and escaping."""

from __future__ import annotations

from dataclasses import replace

import pytest

from blocks import ids
from blocks.alerts import alert_message, parse_buy_more_value, recovered_message, reminder_message
from blocks.viewmodels import AlertVM
from fakes.slack.blockkit import validate_message
from tests.blocks.helpers import EVIL, LONG, assert_escaped
from tests.text import shown

LOW = AlertVM("contoso", "Contoso Ltd", "ENTERPRISEPACK", "Office 365 E3", 25, 24, 3)
OVER = AlertVM("contoso", "Contoso Ltd", "ENTERPRISEPACK", "Office 365 E3", 25, 27, None, overused=True)


def test_an_alert_shows_who_what_the_figures_and_buy_more_for_that_customer_and_product() -> None:
    message = alert_message(LOW)
    assert validate_message(message) == []
    said = shown(message["blocks"])
    assert "*Contoso Ltd* is running low on *Office 365 E3*: 1 left." in said
    assert "1 available · 24/25 assigned · alert below 3" in said
    [button] = message["blocks"][-1]["elements"]
    assert button["action_id"] == ids.ALERT_BUY_MORE
    assert parse_buy_more_value(button["value"]) == ("contoso", "ENTERPRISEPACK")


def test_overuse_is_said_plainly_with_the_real_figures() -> None:
    message = alert_message(OVER)
    assert message["text"] == "Contoso Ltd: Office 365 E3 is overused (27 assigned, 25 owned)"
    said = shown(message["blocks"])
    assert "assigned than it owns: overused by 2. Buy more or revoke some now." in said
    assert "overused by 2 · 27/25 assigned" in said and "available" not in said  # never "-2 available"
    assert "alert below" not in said  # no threshold: only overuse alerts
    reminder = reminder_message(OVER)
    assert reminder["text"] == "Contoso Ltd: Office 365 E3 is still overused (27 assigned, 25 owned)"
    assert "overused by 2 · 27/25 assigned" in shown(reminder["blocks"])
    back_to_low = replace(OVER, assigned=25, threshold=3)  # an overuse alert stands, the tenant is now 25 of 25
    assert reminder_message(back_to_low)["text"] == "Contoso Ltd: Office 365 E3 is still low (0 available)"


def test_the_reminder_is_shown_in_the_channel_too_and_the_recovery_names_the_threshold() -> None:
    reminder = reminder_message(LOW)
    assert (
        reminder["reply_broadcast"] is True
        and reminder["text"] == "Contoso Ltd: Office 365 E3 is still low (1 available)"
    )
    assert recovered_message(LOW)["text"] == "Contoso Ltd: Office 365 E3 is back above its alert threshold (3)"
    assert recovered_message(OVER)["text"] == "Contoso Ltd: Office 365 E3 is no longer overused"
    unwatched = replace(LOW, threshold=None)  # a low alert stood, then its threshold was set to 0
    assert recovered_message(unwatched)["text"] == (
        "Contoso Ltd: Office 365 E3 is no longer alerted on: its alert threshold was removed"
    )


def test_alert_messages_escape_customer_and_product_names() -> None:
    evil = AlertVM("c&1", f"{EVIL} {LONG}", "SKU", f"{EVIL} {LONG}", 1, 1, 1)
    for message in (alert_message(evil), reminder_message(evil), recovered_message(evil)):
        assert validate_message(message) == []
        assert_escaped(message)


@pytest.mark.parametrize("value", ["", "[]", '["a"]', '{"a": "b"}', '["a", 1]', "not json"])
def test_a_buy_more_value_not_written_by_the_bot_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_buy_more_value(value)
