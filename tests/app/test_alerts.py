"""Low-license alerts end to end: a Save that takes the last licenses posts one alert in the alerts channel, a revoke
posts "back above" in its thread, Buy more on the alert opens the usual form, a sync shows overuse at once, and the
daily job (under time-machine) reminds once a day at LICENSEBOT_ALERT_TIME."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from apscheduler.triggers.cron import CronTrigger

from blocks import ids
from bot.runtime import jobs as scheduler
from licensing.connected.sync import sync_tenant
from licensing.dashboard import dashboard
from licensing.model import Subscription
from licensing.tenants import RemoteSku, Tenant, TenantSnapshot
from tests.app.driver import ADMIN, E3, SCOPED, STRANGER, VISIO, Bot, click_message, manage, open_contoso, save
from tests.text import shown

ALERTS, SALES_CHANNEL = "C0ALERTS", "C0SALES"
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    # One license of E3 left in the directory; Visio (none left, no threshold of its own) excluded so as to start quiet.
    return {
        "licensebot_alerts_channel": ALERTS,
        "licensebot_sales_channel": SALES_CHANNEL,
        "licensebot_alert_below": 1,
        "licensebot_alert_exclude": f"{VISIO}, POWER_BI_PRO",
    }


def change_e3(bot: Bot, name: str, choice: str) -> None:
    user = manage(open_contoso(bot), name)
    user.choose(E3, choice)
    save(bot, user)


def alerts(bot: Bot) -> list[dict[str, Any]]:
    """The alerts channel's top-level messages (a parent with replies has its own ts as thread_ts)."""
    return [m for m in bot.fake.messages(ALERTS) if m.get("thread_ts", m["ts"]) == m["ts"]]


def test_a_save_that_takes_the_last_license_posts_one_alert_with_the_figures(bot: Bot) -> None:
    assert bot.deliver() == 0 and alerts(bot) == []  # the directory's import alerted on nothing
    change_e3(bot, "Bob Brown", "assign")
    [alert] = alerts(bot)
    assert alert["text"] == "Contoso Ltd: Office 365 E3 is low (0 available)"
    said = shown(alert["blocks"])
    assert "*Contoso Ltd* is running low on *Office 365 E3*: 0 left." in said
    assert "0 available · 3/3 assigned · alert below 1" in said
    [button] = [e for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["text"]["text"]) == (ids.ALERT_BUY_MORE, "Buy more")

    user = manage(open_contoso(bot), "Carol Chen")  # another change while still low: no second alert
    user.choose("ENTERPRISEPREMIUM", "assign")
    save(bot, user)
    assert len(alerts(bot)) == 1


def test_a_revoke_that_brings_it_back_posts_back_above_in_the_alerts_thread(bot: Bot) -> None:
    change_e3(bot, "Bob Brown", "assign")
    [alert] = alerts(bot)
    change_e3(bot, "Bob Brown", "revoke")
    [_, note] = bot.fake.thread(ALERTS, alert["ts"])
    assert note["text"] == "Contoso Ltd: Office 365 E3 is back above its alert threshold (1)"
    assert "1 available · 2/3 assigned" in shown(note["blocks"])
    assert len(alerts(bot)) == 1


def test_buy_more_on_the_alert_opens_the_form_and_sends_the_request_to_sales(bot: Bot) -> None:
    change_e3(bot, "Bob Brown", "assign")
    [alert] = alerts(bot)
    opened = len(bot.fake.calls("views.open"))
    assert click_message(bot, ADMIN, ALERTS, alert, ids.ALERT_BUY_MORE).status_code == 200
    buyer = bot.user(ADMIN, ALERTS)
    buyer.top = bot.fake.wait_for("views.open", opened + 1)[-1].response["view"]["id"]
    assert buyer.view["callback_id"] == ids.BUY_VIEW
    assert "*Office 365 E3* for *Contoso Ltd*" in shown(buyer.view["blocks"])
    buyer.type(ids.BUY_QUANTITY_BLOCK, ids.BUY_QUANTITY_INPUT, {"type": "number_input", "value": "4"})
    answer = buyer.submit()
    assert answer is not None and answer["response_action"] == "update"
    assert bot.deliver() == 1
    [request] = bot.fake.messages(SALES_CHANNEL)
    assert request["text"] == "Buy more request 1: 4 more Office 365 E3 for Contoso Ltd"


@pytest.mark.parametrize("who", [SCOPED, STRANGER])
def test_buy_more_on_the_alert_is_refused_privately_to_who_may_not_manage_the_customer(bot: Bot, who: str) -> None:
    change_e3(bot, "Bob Brown", "assign")
    [alert] = alerts(bot)
    opened = len(bot.fake.calls("views.open"))
    assert click_message(bot, who, ALERTS, alert, ids.ALERT_BUY_MORE).status_code == 200
    bot.fake.wait_for("chat.postEphemeral", 1)
    [refusal] = bot.fake.ephemeral(ALERTS, who)
    assert "not" in refusal["text"]
    assert len(bot.fake.calls("views.open")) == opened and bot.fake.messages(SALES_CHANNEL) == []


class Tenant365:
    """Just enough of Microsoft 365 for a sync: E3's seats, and no users."""

    def __init__(self, owned: int, assigned: int) -> None:
        self.seats = RemoteSku(E3, "Office 365 E3", owned, assigned)

    def snapshot(self, tenant: str) -> TenantSnapshot:
        return TenantSnapshot((self.seats,), ())


def test_a_sync_that_shows_a_connected_customer_overused_alerts_at_once(bot: Bot) -> None:
    with bot.deps.uow_factory() as uow:
        uow.mirror.upsert([Tenant("contoso", "contoso.onmicrosoft.com")])
        uow.commit()
    sync_tenant("contoso", provider=Tenant365(3, 5), uow=bot.deps.uow_factory())  # type: ignore[arg-type]
    assert bot.deliver() == 1
    [alert] = alerts(bot)
    assert alert["text"] == "Contoso Ltd: Office 365 E3 is overused (5 assigned, 3 owned)"
    said = shown(alert["blocks"])
    assert "more *Office 365 E3* licenses assigned than it owns: overused by 2" in said
    assert "overused by 2 · 5/3 assigned" in said
    sync_tenant("contoso", provider=Tenant365(3, 5), uow=bot.deps.uow_factory())  # type: ignore[arg-type]
    sync_tenant("contoso", provider=Tenant365(6, 5), uow=bot.deps.uow_factory())  # type: ignore[arg-type]
    assert bot.deliver() == 1  # not a second alert: the note that it recovered
    [_, note] = bot.fake.thread(ALERTS, alert["ts"])
    assert "back above its alert threshold" in note["text"]


def test_the_daily_job_reminds_the_next_day_at_the_alert_time_and_not_twice_a_day(bot: Bot) -> None:
    with time_machine.travel(MONDAY_10):
        change_e3(bot, "Bob Brown", "assign")
        scheduler.daily_alerts(bot.deps)
        assert bot.deliver() == 0  # the day it was raised: no reminder
    [alert] = alerts(bot)
    with time_machine.travel(TUESDAY_9):
        scheduler.daily_alerts(bot.deps)
        assert bot.deliver() == 1
    with time_machine.travel(TUESDAY_9 + timedelta(hours=5)):  # the job run again, by another replica or a restart
        scheduler.daily_alerts(bot.deps)
        assert bot.deliver() == 0
    with time_machine.travel(TUESDAY_9 + timedelta(days=1)):
        scheduler.daily_alerts(bot.deps)
        assert bot.deliver() == 1
    replies = bot.fake.thread(ALERTS, alert["ts"])[1:]
    assert [r["text"] for r in replies] == ["Contoso Ltd: Office 365 E3 is still low (0 available)"] * 2
    assert all("0 available · 3/3 assigned" in shown(r["blocks"]) for r in replies)
    assert len(alerts(bot)) == 1


def test_the_daily_job_fires_at_the_alert_time_in_utc(bot: Bot) -> None:
    trigger = scheduler.daily_trigger(bot.deps.settings)
    assert isinstance(trigger, CronTrigger)
    with time_machine.travel(MONDAY_10):
        now = datetime.now(UTC)
        assert trigger.get_next_fire_time(None, now) == TUESDAY_9
    with time_machine.travel(TUESDAY_9 - timedelta(minutes=1)):
        assert trigger.get_next_fire_time(None, datetime.now(UTC)) == TUESDAY_9


def test_the_home_shows_low_by_the_same_threshold_and_exclusions_as_the_alerts(bot: Bot) -> None:
    change_e3(bot, "Bob Brown", "assign")
    seats = dashboard(actor=ADMIN, uow=bot.deps.uow_factory()).customers[0]
    low = {s.sku: s.low for s in seats.subscriptions}
    assert low[E3] and not low[VISIO]  # E3 below the default threshold; Visio has none left but is excluded


def test_the_home_shows_an_overused_connected_subscription_as_low_with_its_real_count(bot: Bot) -> None:
    with bot.deps.uow_factory() as uow:
        uow.mirror.upsert([Tenant("contoso", "contoso.onmicrosoft.com")])
        uow.subscriptions.upsert([Subscription("contoso", E3, 3, alert_below=0)])  # only overuse alerts
        uow.commit()
    sync_tenant("contoso", provider=Tenant365(3, 5), uow=bot.deps.uow_factory())  # type: ignore[arg-type]
    [line] = [s for s in dashboard(actor=ADMIN, uow=bot.deps.uow_factory()).customers[0].subscriptions if s.sku == E3]
    assert (line.assigned, line.owned, line.low) == (5, 3, True)  # as the tenant reports it: 2 over
