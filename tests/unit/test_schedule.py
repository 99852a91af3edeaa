"""Time-bound assignments on the in-memory fakes, with an injected clock: days to instants, the save with dates in
one transaction, runs claimed once and told in the save's thread, a lease taken over, and cancel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from licensing.errors import Forbidden
from licensing.model import Change, ScheduledAction, ScheduledChange, ScheduledStatus
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult
from licensing.scheduled import schedule
from licensing.scheduled.runs import run_due
from licensing.scheduled.schedule import AlreadyDone, DateErrors, Dates, cancel, plan_dates
from licensing.service import make_change
from licensing.types import Desired
from tests.memory import FakeUnitOfWork
from tests.world import ADMIN, E3, E5, SALES, SCOPED, STRANGER, VISIO, uid, world

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)  # Wednesday 10 March, 11:00 in Paris
TOMORROW = date(2027, 3, 11)


def days(starts: date | None, ends: date | None, *, now: datetime = NOW, **kw: bool) -> Dates:
    return plan_dates(
        starts, ends, tz=PARIS, now=now, changes_now=kw.get("changes_now", True), assigning=kw.get("assigning", True)
    )


def test_a_start_is_midnight_where_the_operator_is_and_an_end_the_midnight_after_the_day() -> None:
    assert days(TOMORROW, date(2027, 3, 12)) == Dates(
        datetime(2027, 3, 10, 23, tzinfo=UTC), datetime(2027, 3, 12, 23, tzinfo=UTC)
    )
    assert days(date(2027, 3, 10), None) == Dates(None, None)  # today: now
    summer = days(date(2027, 7, 1), None, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert summer.starts_at == datetime(2027, 6, 30, 22, tzinfo=UTC)  # daylight saving time: UTC+2


@pytest.mark.parametrize(
    ("starts", "ends", "kw", "field", "words"),
    [
        (date(2027, 3, 9), None, {}, schedule.START, "has passed"),
        (None, date(2027, 3, 9), {}, schedule.END, "has passed"),
        (date(2028, 3, 12), None, {}, schedule.START, "within a year"),
        (None, date(2028, 3, 12), {}, schedule.END, "within a year"),
        (TOMORROW, date(2027, 3, 10), {}, schedule.END, "before the start"),
        (TOMORROW, None, {"changes_now": False}, schedule.START, "Nothing to start"),
        (None, TOMORROW, {"assigning": False}, schedule.END, "Nothing to end"),
    ],
)
def test_days_that_cannot_be_scheduled(
    starts: date | None, ends: date | None, kw: dict[str, bool], field: str, words: str
) -> None:
    with pytest.raises(DateErrors) as refused:
        days(starts, ends, **kw)
    assert words in refused.value.errors[field]


def test_today_late_in_the_evening_in_paris_is_already_tomorrow_in_utc_terms() -> None:
    late = datetime(2027, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Paris: the 10th has passed there
    with pytest.raises(DateErrors):
        days(date(2027, 3, 10), None, now=late, assigning=True)
    assert days(date(2027, 3, 11), None, now=late).starts_at is None  # today in Paris: now


def confirm(result: BatchResult | None) -> OutgoingThread:
    return OutgoingThread("C1", ADMIN, {"text": "now" if result else "scheduled"})


def render(change: ScheduledChange, result: BatchResult | None, error: str | None) -> dict[str, Any]:
    return {"text": f"{change.id} {error or [o.status.value for o in result.results] if result else error}"}


def assign_e5(user: str = "bob") -> Change:
    return make_change("contoso", [uid(user)], assign=[E5])


def test_a_future_start_schedules_the_whole_change_with_its_audit_and_confirmation_in_one_commit() -> None:
    uow = world()
    commits = uow.commits
    when = Dates(datetime(2027, 3, 10, 23, tzinfo=UTC), datetime(2027, 3, 12, 23, tzinfo=UTC))
    saved = schedule.save(
        "contoso",
        [uid("bob")],
        assign_e5(),
        when,
        ends=[E5],
        actor=ADMIN,
        uow=uow,
        key="k",
        notify=confirm,
        clock=lambda: NOW,
    )
    assert saved.result is None and [c.action for c in saved.scheduled] == [ScheduledAction.START, ScheduledAction.END]
    assert uow.commits == commits + 1
    assert [t.parent["text"] for t in uow.state.outbox] == ["scheduled"]
    assert {c.thread for c in uow.state.scheduled} == {1}
    assert [a.outcome for a in uow.state.audit if a.action == "scheduled"] == ["scheduled", "scheduled"]
    with uow:
        assert E5 not in uow.users.get_many("contoso", [uid("bob")])[uid("bob")].licenses
    again = schedule.save(
        "contoso",
        [uid("bob")],
        assign_e5(),
        when,
        ends=[E5],
        actor=ADMIN,
        uow=uow,
        key="k",
        notify=confirm,
        clock=lambda: NOW,
    )
    assert again.replayed and len(uow.state.scheduled) == 2 and len(uow.state.outbox) == 1


def test_a_save_now_with_an_end_records_the_end_with_its_result_for_the_users_it_did_not_fail_for() -> None:
    uow = world()
    change = make_change("contoso", [uid("bob"), uid("carol")], assign=[E3])  # E3 is unavailable in CN: Carol fails
    saved = schedule.save(
        "contoso",
        change.user_ids,
        change,
        Dates(None, NOW + timedelta(days=2)),
        ends=[E3],
        actor=ADMIN,
        uow=uow,
        key="k2",
        notify=confirm,
        clock=lambda: NOW,
    )
    assert saved.result is not None and [t.parent["text"] for t in uow.state.outbox] == ["now"]
    [end] = uow.state.scheduled
    assert end.user_ids == (uid("bob"),) and end.desired == {E3: Desired.REVOKE} and end.thread == 1


def test_the_save_is_refused_to_whom_may_not_make_it() -> None:
    uow = world()
    with pytest.raises(Forbidden):
        schedule.save(
            "contoso",
            [uid("bob")],
            assign_e5(),
            Dates(NOW + timedelta(days=1)),
            ends=[],
            actor=SCOPED,
            uow=uow,
            key=None,
            notify=confirm,
            clock=lambda: NOW,
        )
    assert uow.state.scheduled == [] and uow.state.outbox == []


def scheduled_start(uow: FakeUnitOfWork, change: Change | None = None, actor: str = ADMIN) -> int:
    saved = schedule.save(
        "contoso",
        [uid("bob")],
        change or assign_e5(),
        Dates(NOW + timedelta(hours=1)),
        ends=[],
        actor=actor,
        uow=uow,
        key=None,
        notify=confirm,
        clock=lambda: NOW,
    )
    return saved.scheduled[0].id


def test_a_due_change_runs_once_and_is_told_in_the_saves_thread() -> None:
    uow = world()
    change_id = scheduled_start(uow)
    assert run_due(uow=uow, render=render, clock=lambda: NOW + timedelta(minutes=59), holder="a") == []
    later = lambda: NOW + timedelta(hours=1)  # noqa: E731
    assert run_due(uow=uow, render=render, clock=later, holder="a") == [change_id]
    assert run_due(uow=uow, render=render, clock=later, holder="b") == []
    [thread] = uow.state.outbox
    assert thread.replies == ({"text": "1 ['updated']"},)
    assert uow.state.scheduled[0].status is ScheduledStatus.DONE and uow.state.scheduled[0].outcome == "1 updated"
    with uow:
        assert E5 in uow.users.get_many("contoso", [uid("bob")])[uid("bob")].licenses


def test_a_failed_run_is_recorded_as_failed_with_each_users_reason() -> None:
    uow = world()
    change_id = scheduled_start(uow, make_change("contoso", [uid("bob"), uid("dave")], assign=[VISIO]))
    run_due(uow=uow, render=render, clock=lambda: NOW + timedelta(hours=2), holder="a")
    stored = uow.state.scheduled[change_id - 1]
    assert stored.status is ScheduledStatus.FAILED and "insufficient_licenses" in (stored.outcome or "")


def test_a_lease_that_ran_out_is_taken_over_and_the_apply_is_replayed_not_repeated() -> None:
    uow = world()
    change_id = scheduled_start(uow)
    at = NOW + timedelta(hours=1)
    with uow:  # replica "a" claims it, applies it, and dies before recording the outcome
        [claimed] = uow.scheduled.claim_due(now=at, holder="a", until=at + timedelta(minutes=10), limit=5)
        uow.commit()
    from licensing import service

    service.apply(claimed.change, actor=ADMIN, uow=uow, idempotency_key=f"scheduled-{change_id}", clock=lambda: at)
    audit_lines = len(uow.state.audit)
    assert run_due(uow=uow, render=render, clock=lambda: at + timedelta(minutes=5), holder="b") == []  # still held
    assert run_due(uow=uow, render=render, clock=lambda: at + timedelta(minutes=11), holder="b") == [change_id]
    assert [a.action for a in uow.state.audit[audit_lines:]] == ["scheduled"]  # the outcome only: no second assign
    assert len(uow.state.outbox[0].replies) == 1


@pytest.mark.parametrize(("who", "allowed"), [(ADMIN, True), (SALES, True), (SCOPED, False), (STRANGER, False)])
def test_cancel_by_whom(who: str, allowed: bool) -> None:
    uow = world()
    change_id = scheduled_start(uow, actor=SALES)  # a sales agent scheduled it: they may cancel, an admin agent too
    if allowed:
        assert cancel(change_id, actor=who, uow=uow, clock=lambda: NOW).status is ScheduledStatus.CANCELLED
    else:
        with pytest.raises(Forbidden):
            cancel(change_id, actor=who, uow=uow, clock=lambda: NOW)
        assert uow.state.scheduled[0].status is ScheduledStatus.PENDING


def test_the_operator_who_scheduled_may_cancel_once_and_a_change_already_run_says_so() -> None:
    uow = world()
    first, second = scheduled_start(uow, actor=SALES), scheduled_start(uow, actor=SALES)
    cancel(first, actor=SALES, uow=uow, clock=lambda: NOW)
    with pytest.raises(AlreadyDone, match="already cancelled"):
        cancel(first, actor=SALES, uow=uow, clock=lambda: NOW)
    run_due(uow=uow, render=render, clock=lambda: NOW + timedelta(hours=2), holder="a")
    with pytest.raises(AlreadyDone, match="has already run"):
        cancel(second, actor=SALES, uow=uow, clock=lambda: NOW)
    assert [a.outcome for a in uow.state.audit if a.action == "scheduled"] == [
        "scheduled",
        "scheduled",
        "cancelled",
        "done",
    ]


def test_the_list_shows_only_the_customers_the_operator_manages() -> None:
    uow = world()
    scheduled_start(uow)
    assert schedule.pending(ADMIN, uow=uow).total == 1
    listing = schedule.pending(SCOPED, uow=uow)
    assert (listing.total, listing.changes) == (0, ())
    assert schedule.pending(ADMIN, uow=uow).customers == {"contoso": "Contoso Ltd"}
