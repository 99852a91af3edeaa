"""Low-license alerts on the in-memory fakes, with an injected clock: crossing below, no repeats, the daily reminder,
the "back above" note in the same thread, overuse at once, exclusions and thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from licensing import alerts
from licensing.alert_types import Alert, AlertPolicy, AlertWatch, Level
from licensing.model import Subscription
from licensing.notifications import OutgoingThread
from licensing.purchases import approve, request_more
from licensing.service import apply, make_change
from licensing.tenants import RemoteSku
from tests.memory import FakeUnitOfWork
from tests.world import ADMIN, E3, E5, SALES, VISIO, uid, world

CHANNEL = "CALERTS"
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
QUIET = AlertPolicy(default_below=1, exclude=frozenset({VISIO}))  # the world has one Visio left: not in the way


class Clock:
    def __init__(self, now: datetime = MONDAY_10) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, when: datetime) -> Clock:
        self.now = when
        return self


class Texts:
    """Implements licensing.alert_types.AlertMessages with one line each, so tests can read every figure."""

    def raised(self, a: Alert) -> dict[str, Any]:
        level = a.level.value if a.level else "?"
        return {
            "text": f"{level}: {a.customer_name} {a.product_name} {a.available} left, "
            f"{a.assigned}/{a.quantity}, below {a.threshold}"
        }

    def reminder(self, a: Alert) -> dict[str, Any]:
        return {"text": f"reminder: {a.product_name} {a.available} left"}

    def recovered(self, a: Alert) -> dict[str, Any]:
        return {"text": f"back above: {a.product_name} {a.available} left"}


def watched(policy: AlertPolicy = QUIET, channel: str | None = CHANNEL) -> FakeUnitOfWork:
    """The world (Contoso: Office 365 E3 3 owned, 2 assigned), now with alerts on."""
    return FakeUnitOfWork(world().state, alerts=AlertWatch(policy, channel, Texts()))


def save(uow: FakeUnitOfWork, clock: Clock, user: str, *, assign: str = "", revoke: str = "") -> None:
    change = make_change("contoso", [uid(user)], assign=[assign] if assign else [], revoke=[revoke] if revoke else [])
    apply(change, actor=ADMIN, uow=uow, clock=clock)


def alert_threads(uow: FakeUnitOfWork) -> list[OutgoingThread]:
    return [t for t in uow.state.outbox if t.kind == "license_alert"]


def texts(uow: FakeUnitOfWork) -> list[tuple[str, list[str]]]:
    return [(t.parent["text"], [r["text"] for r in t.replies]) for t in alert_threads(uow)]


def test_a_save_that_takes_the_last_license_queues_one_alert_with_the_figures() -> None:
    uow = watched()
    save(uow, Clock(), "bob", assign=E3)
    [thread] = alert_threads(uow)
    assert (thread.channel, thread.fallback_user) == (CHANNEL, ADMIN)
    assert texts(uow) == [("low: Contoso Ltd Office 365 E3 0 left, 3/3, below 1", [])]
    state = uow.state.alerts[("contoso", E3)]
    assert (state.level, state.since, state.thread) == (Level.LOW, MONDAY_10, 1)


def test_staying_below_queues_nothing_more() -> None:
    uow, clock = watched(), Clock()
    save(uow, clock, "bob", assign=E3)
    save(uow, clock.at(MONDAY_10 + timedelta(hours=1)), "bob", assign=E5)
    save(uow, clock.at(MONDAY_10 + timedelta(hours=2)), "frank", revoke="STANDARDPACK")
    assert len(alert_threads(uow)) == 1 and texts(uow)[0][1] == []


def test_recovering_says_back_above_in_the_alerts_thread_and_clears_the_state() -> None:
    uow, clock = watched(), Clock()
    save(uow, clock, "bob", assign=E3)
    save(uow, clock, "bob", revoke=E3)
    assert texts(uow) == [("low: Contoso Ltd Office 365 E3 0 left, 3/3, below 1", ["back above: Office 365 E3 1 left"])]
    assert uow.state.alerts == {}
    save(uow, clock, "bob", assign=E3)  # a new crossing is a new incident: a new thread
    assert len(alert_threads(uow)) == 2


def test_a_reminder_is_due_the_next_day_at_the_alert_time_and_not_twice_that_day() -> None:
    uow, clock = watched(), Clock()
    save(uow, clock, "bob", assign=E3)
    tuesday_9 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert alerts.remind_due(uow, clock=clock.at(MONDAY_10 + timedelta(hours=13))) == 0  # same day
    assert alerts.remind_due(uow, clock=clock.at(tuesday_9 - timedelta(minutes=1))) == 0
    assert alerts.remind_due(uow, clock=clock.at(tuesday_9)) == 1
    assert alerts.remind_due(uow, clock=clock.at(tuesday_9 + timedelta(hours=6))) == 0
    assert alerts.remind_due(uow, clock=clock.at(tuesday_9 + timedelta(days=1))) == 1
    assert texts(uow)[0][1] == ["reminder: Office 365 E3 0 left"] * 2  # in the alert's own thread
    assert uow.state.alerts[("contoso", E3)].last_reminded_at == tuesday_9 + timedelta(days=1)


def test_the_next_reminder_is_the_alert_time_of_the_next_calendar_day() -> None:
    policy = AlertPolicy(remind_at=time(9, 0))
    assert policy.next_reminder(MONDAY_10) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert policy.next_reminder(MONDAY_10.replace(hour=8)) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_overuse_alerts_at_once_even_when_already_low_and_says_so() -> None:
    uow, clock = watched(), Clock()
    save(uow, clock, "bob", assign=E3)
    with uow:  # a sync reads the tenant: 5 assigned of 3 owned
        uow.customers.lock("contoso")
        alerts.check("contoso", uow, seats=[RemoteSku(E3, "Office 365 E3", 3, 5)], clock=clock)
        uow.commit()
    assert [parent for parent, _ in texts(uow)] == [
        "low: Contoso Ltd Office 365 E3 0 left, 3/3, below 1",
        "overused: Contoso Ltd Office 365 E3 -2 left, 5/3, below 1",
    ]
    assert uow.state.alerts[("contoso", E3)].level is Level.OVERUSED
    assert uow.state.alerts[("contoso", E3)].thread == 2  # "back above" goes where the latest alert is


def test_the_daily_check_reads_a_tenants_overuse_from_the_mirror_and_sees_it_end() -> None:
    uow, clock = watched(AlertPolicy(exclude=frozenset({VISIO}))), Clock()  # no threshold: only overuse alerts
    with uow:
        uow.customers.lock("contoso")
        uow.mirror.set_seats("contoso", [Subscription("contoso", E3, 2, 4)])  # as a sync writes it: 4 of 2
        alerts.check("contoso", uow, clock=clock)
        uow.commit()
    assert texts(uow) == [("overused: Contoso Ltd Office 365 E3 -2 left, 4/2, below None", [])]
    assert alerts.check_all(uow, clock=clock) == 0  # the daily check reads 4 of 2 too: still overused, no repeat
    assert alerts.remind_due(uow, clock=clock.at(MONDAY_10 + timedelta(days=1))) == 1
    with uow:
        uow.customers.lock("contoso")
        uow.mirror.set_seats("contoso", [Subscription("contoso", E3, 2, 2)])  # 2 revoked in the tenant
        uow.commit()
    assert alerts.check_all(uow, clock=clock) == 1  # 2 of 2: no longer overused, and no threshold to be low by
    assert texts(uow)[0][1] == ["reminder: Office 365 E3 -2 left", "back above: Office 365 E3 0 left"]
    assert uow.state.alerts == {}


def test_overuse_alerts_without_any_threshold_but_an_excluded_sku_never_alerts() -> None:
    uow = watched(AlertPolicy(exclude=frozenset({E5, VISIO})))
    with uow:
        uow.customers.lock("contoso")
        seats = [RemoteSku(E3, "Office 365 E3", 3, 4), RemoteSku(E5, "Office 365 E5", 2, 9)]
        alerts.check("contoso", uow, seats=seats, clock=Clock())
        uow.commit()
    assert [parent for parent, _ in texts(uow)] == ["overused: Contoso Ltd Office 365 E3 -1 left, 4/3, below None"]


def test_the_subscriptions_own_threshold_wins_over_the_default_and_zero_means_no_low_alert() -> None:
    policy = AlertPolicy(default_below=5, exclude=frozenset({"TRIAL"}))
    assert policy.threshold(Subscription("c", E3, 10, 9, alert_below=2)) == 2
    assert policy.threshold(Subscription("c", E3, 10, 9)) == 5
    assert policy.threshold(Subscription("c", E3, 10, 9, alert_below=0)) is None
    assert policy.level(Subscription("c", E3, 10, 10, alert_below=0)) is None
    assert policy.level(Subscription("c", E3, 10, 11, alert_below=0)) is Level.OVERUSED
    assert policy.level(Subscription("c", "TRIAL", 10, 11)) is None
    assert AlertPolicy().level(Subscription("c", E3, 10, 10)) is None  # no threshold anywhere: only overuse


def test_visio_alerts_on_its_own_threshold_and_an_approved_buy_more_brings_it_back_above() -> None:
    uow, clock = watched(AlertPolicy()), Clock()  # Visio: 1 owned, 1 assigned, alert_below 1 in the directory
    request = request_more("contoso", VISIO, 2, actor=ADMIN, uow=uow, clock=clock)
    assert texts(uow) == []  # a request changes no seats
    assert alerts.check_all(uow, clock=clock) == 1  # the daily check finds it
    approve(request.id, actor=SALES, uow=uow, clock=clock)
    assert texts(uow) == [("low: Contoso Ltd Visio Plan 2 0 left, 1/1, below 1", ["back above: Visio Plan 2 2 left"])]


def test_the_daily_check_catches_a_quantity_lowered_outside_the_bot_once() -> None:
    uow, clock = watched(), Clock()
    with uow:
        uow.subscriptions.upsert([Subscription("contoso", E5, 0)])
        uow.commit()
    assert alerts.check_all(uow, clock=clock) == 1  # 0 owned, 0 assigned: below 1
    assert texts(uow) == [("low: Contoso Ltd Office 365 E5 0 left, 0/0, below 1", [])]
    assert alerts.check_all(uow, clock=clock) == 0 and len(alert_threads(uow)) == 1


def test_without_a_channel_the_state_is_kept_and_nothing_sent_then_a_reminder_alerts_once_a_channel_is_set() -> None:
    quiet, clock = watched(channel=None), Clock()
    save(quiet, clock, "bob", assign=E3)
    assert quiet.state.outbox == [] or texts(quiet) == []
    assert quiet.state.alerts[("contoso", E3)].thread is None
    loud = FakeUnitOfWork(quiet.state, alerts=AlertWatch(QUIET, CHANNEL, Texts()))
    assert alerts.remind_due(loud, clock=clock.at(MONDAY_10 + timedelta(days=1))) == 1
    assert texts(loud) == [("low: Contoso Ltd Office 365 E3 0 left, 3/3, below 1", [])]
    assert loud.state.alerts[("contoso", E3)].thread is not None


def test_a_sku_excluded_later_or_a_subscription_gone_clears_its_alert_without_a_message() -> None:
    uow, clock = watched(), Clock()
    save(uow, clock, "bob", assign=E3)
    excluding = FakeUnitOfWork(uow.state, alerts=AlertWatch(AlertPolicy(1, frozenset({VISIO, E3})), CHANNEL, Texts()))
    assert alerts.check_all(excluding, clock=clock) == 0
    assert excluding.state.alerts == {} and texts(excluding)[0][1] == []


def test_alerts_are_off_for_a_unit_of_work_built_without_them() -> None:
    uow = world()
    save(uow, Clock(), "bob", assign=E3)
    assert alert_threads(uow) == [] and uow.state.alerts == {}
    assert alerts.remind_due(uow) == 0
