"""Time-bound assignments end to end: Manage licenses with Starts on / Ends on, the confirmation saying when, the
job run after midnight in the operator's timezone (time-machine), its reply in the save's thread, and
`/licenses scheduled` with Cancel and every role's refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import text

from blocks import ids
from bot.runtime.jobs import run_scheduled
from licensing.model import Operator, Role
from tests.app.driver import (
    ADMIN,
    E5,
    SALES,
    SCOPED,
    STRANGER,
    Bot,
    SlackUser,
    click_home,
    manage,
    open_contoso,
    open_home,
)
from tests.text import shown

CHANNEL = "C0LICENSE"
START = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Paris on Wednesday 10 March
PARIS_MIDNIGHT = datetime(2027, 3, 10, 23, 0, tzinfo=UTC)  # 00:00 on Thursday 11 March in Paris
GLOBAL, HELPDESK, USERS_ADMIN, OTHER_ADMIN = "UGLOBAL01", "UHELP01", "UUSERS01", "UADMIN02"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def pick_day(user: SlackUser, block: str, action: str, day: str) -> None:
    user.type(block, action, {"type": "datepicker", "selected_date": day})


def held(bot: Bot, user_id: str, sku: str) -> bool:
    with bot.deps.uow_factory() as uow:
        return sku in uow.users.get_many("contoso", [user_id])[user_id].licenses


def schedule_e5_for_bob(
    bot: Bot, *, starts: str | None = "2027-03-11", ends: str | None = None
) -> tuple[dict, SlackUser]:  # type: ignore[type-arg]
    bot.fake.set_timezone(ADMIN, "Europe/Paris", 3600)
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, "assign")
    if starts:
        pick_day(user, ids.STARTS_BLOCK, ids.STARTS_INPUT, starts)
    if ends:
        pick_day(user, ids.ENDS_BLOCK, ids.ENDS_INPUT, ends)
    updates = len(bot.fake.calls("views.update"))
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "update", answer
    bot.fake.wait_for("views.update", updates + 1)  # the users page underneath redrawn: the listener is done
    assert bot.deliver() >= 1
    return next(m for m in bot.fake.messages(CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]), user


def test_starts_tomorrow_assigns_nothing_now_then_after_midnight_in_paris_and_says_so_in_the_thread(
    bot: Bot, clock: time_machine.Traveller
) -> None:
    parent, user = schedule_e5_for_bob(bot)
    assert user.view["callback_id"] == ids.RESULT_VIEW and "Nothing changed now." in user.text()
    assert "Scheduled: Assign Office 365 E5 on Thu 11 Mar 2027, 00:00 (Europe/Paris)" in user.text()
    said = shown(parent["blocks"])
    assert "license changes scheduled" in parent["text"]
    assert "Assign Office 365 E5" in said and "Thu 11 Mar 2027, 00:00 (Europe/Paris)" in said
    assert not held(bot, "bob@contoso.com", E5)
    clock.move_to(datetime(2027, 3, 10, 22, 59, tzinfo=UTC))
    assert run_scheduled(bot.deps) == []  # 23:59 in Paris: not yet
    clock.move_to(PARIS_MIDNIGHT.replace(second=30))
    assert run_scheduled(bot.deps) == [1]
    assert held(bot, "bob@contoso.com", E5)
    assert bot.deliver() == 1
    [_, reply] = bot.fake.thread(CHANNEL, parent["ts"])
    assert "Scheduled change done" in reply["text"] and "Bob Brown* — assigned Office 365 E5" in shown(reply["blocks"])
    assert run_scheduled(bot.deps) == []  # once


def test_ends_on_revokes_after_the_day_and_tells_the_thread(bot: Bot, clock: time_machine.Traveller) -> None:
    parent, user = schedule_e5_for_bob(bot, starts=None, ends="2027-03-12")
    assert held(bot, "bob@contoso.com", E5)  # assigned now
    assert "Revoke Office 365 E5" in shown(parent["blocks"]) and "Sat 13 Mar 2027, 00:00 (Europe/Paris)" in shown(
        parent["blocks"]
    )
    clock.move_to(datetime(2027, 3, 12, 22, 59, 50, tzinfo=UTC))
    assert run_scheduled(bot.deps) == []  # still the 12th in Paris: held through the day
    clock.move_to(datetime(2027, 3, 12, 23, 0, 10, tzinfo=UTC))
    assert run_scheduled(bot.deps) == [1] and not held(bot, "bob@contoso.com", E5)
    bot.deliver()
    replies = bot.fake.thread(CHANNEL, parent["ts"])[1:]
    assert "Scheduled change done: Revoke Office 365 E5" in replies[-1]["text"]


def test_a_run_with_no_seats_left_fails_and_says_why_in_the_thread(bot: Bot, clock: time_machine.Traveller) -> None:
    parent, user = schedule_e5_for_bob(bot)
    with bot.deps.engine.begin() as conn:  # meanwhile both E5 seats went to others
        conn.execute(
            text("UPDATE subscriptions SET quantity = 0 WHERE customer_id = 'contoso' AND sku = :s"), {"s": E5}
        )
    clock.move_to(PARIS_MIDNIGHT.replace(second=30))
    assert run_scheduled(bot.deps) == [1] and not held(bot, "bob@contoso.com", E5)
    bot.deliver()
    reply = bot.fake.thread(CHANNEL, parent["ts"])[-1]
    assert "Scheduled change failed" in reply["text"] and "No Office 365 E5 license left" in shown(reply["blocks"])


@pytest.mark.parametrize(
    ("starts", "ends", "where", "words"),
    [
        ("2027-03-09", None, ids.STARTS_BLOCK, "has passed"),
        (None, "2027-03-09", ids.ENDS_BLOCK, "has passed"),
        ("2027-03-12", "2027-03-11", ids.ENDS_BLOCK, "before the start"),
        ("2028-06-01", None, ids.STARTS_BLOCK, "within a year"),
    ],
)
def test_days_that_cannot_be_scheduled_are_refused_under_their_field(
    bot: Bot, clock: time_machine.Traveller, starts: str | None, ends: str | None, where: str, words: str
) -> None:
    bot.fake.set_timezone(ADMIN, "Europe/Paris", 3600)
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, "assign")
    for block, action, day in ((ids.STARTS_BLOCK, ids.STARTS_INPUT, starts), (ids.ENDS_BLOCK, ids.ENDS_INPUT, ends)):
        if day:
            pick_day(user, block, action, day)
    answer = user.submit()
    assert answer is not None and answer["response_action"] == "errors" and words in answer["errors"][where]
    assert bot.deliver() == 0


def test_an_end_with_nothing_set_to_assign_is_refused(bot: Bot, clock: time_machine.Traveller) -> None:
    user = manage(open_contoso(bot), "Bob Brown")
    pick_day(user, ids.ENDS_BLOCK, ids.ENDS_INPUT, "2027-03-20")
    answer = user.submit()
    assert answer is not None and "Nothing to end" in answer["errors"][ids.ENDS_BLOCK]


def add_operators(bot: Bot) -> None:
    with bot.deps.uow_factory() as uow:
        uow.operators.upsert(
            [
                Operator(GLOBAL, Role.GLOBAL_ADMIN, "Gil Global"),
                Operator(HELPDESK, Role.HELPDESK_AGENT, "Hel Desk"),
                Operator(USERS_ADMIN, Role.USER_MANAGEMENT_ADMIN, "Uma Users"),
                Operator(OTHER_ADMIN, Role.ADMIN_AGENT, "Ann Admin"),
            ]
        )
        uow.commit()


def open_list(bot: Bot, who: str) -> SlackUser:
    user = bot.user(who)
    view = user.open("scheduled")
    assert view["callback_id"] == ids.SCHEDULED_VIEW
    return user


def test_the_list_shows_pending_changes_and_cancel_stops_one(bot: Bot, clock: time_machine.Traveller) -> None:
    parent, _ = schedule_e5_for_bob(bot)
    user = open_list(bot, ADMIN)
    said = user.text()
    assert "1 pending change" in said and "Assign Office 365 E5" in said and "bob@contoso.com" in said
    assert "Thu 11 Mar 2027, 00:00 (Europe/Paris)" in said and f"<@{ADMIN}>" in said
    user.act_and_wait(ids.SCHEDULED_CANCEL, value="1")
    assert "Cancelled change 1" in user.text() and "0 pending changes" in user.text()
    assert bot.deliver() == 1  # the save's thread no longer promises it
    [_, told] = bot.fake.thread(CHANNEL, parent["ts"])
    assert told["text"] == "Scheduled change cancelled: Assign Office 365 E5"
    assert shown(told["blocks"]).startswith(f":no_entry_sign: Cancelled by <@{ADMIN}>: *Assign Office 365 E5* will")
    clock.move_to(PARIS_MIDNIGHT.replace(second=30))
    assert run_scheduled(bot.deps) == [] and not held(bot, "bob@contoso.com", E5)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (OTHER_ADMIN, True),
        (GLOBAL, True),
        (HELPDESK, False),
        (USERS_ADMIN, False),
        (SALES, False),
        (SCOPED, False),
        (STRANGER, False),
    ],
)
def test_cancel_by_each_role(bot: Bot, clock: time_machine.Traveller, who: str, allowed: bool) -> None:
    add_operators(bot)
    schedule_e5_for_bob(bot)
    user = open_list(bot, ADMIN if who in (STRANGER, SCOPED) else who)  # they click a list they could not open
    user.user_id = who
    user.act_and_wait(ids.SCHEDULED_CANCEL, value="1")
    with bot.deps.engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM scheduled_changes WHERE id = 1")).scalar_one()
    if allowed:
        assert status == "cancelled" and "Cancelled change 1" in user.text()
    else:
        assert status == "pending"
        refusal = "not a licensebot operator" if who == STRANGER else "cannot" if who != SCOPED else "contoso"
        assert refusal in user.text()


def test_a_change_already_cancelled_says_so(bot: Bot, clock: time_machine.Traveller) -> None:
    add_operators(bot)
    schedule_e5_for_bob(bot)
    first, second = open_list(bot, ADMIN), open_list(bot, OTHER_ADMIN)
    first.act_and_wait(ids.SCHEDULED_CANCEL, value="1")
    second.act_and_wait(ids.SCHEDULED_CANCEL, value="1")  # on the list as it was when opened
    assert "Scheduled change 1 was already cancelled" in second.text()


def test_home_shows_pending_changes_and_opens_the_list(bot: Bot, clock: time_machine.Traveller) -> None:
    schedule_e5_for_bob(bot)
    home = shown(open_home(bot)["blocks"])
    assert "*Scheduled changes* · 1 pending" in home and "Assign Office 365 E5 · 1 user at Contoso Ltd" in home
    assert "<!date^1804719600^" in home  # 00:00 on the 11th in Paris, shown in the reader's own timezone
    call = click_home(bot, bot.user(ADMIN), ids.HOME_SCHEDULED, "views.open")
    assert call.args["view"]["callback_id"] == ids.SCHEDULED_VIEW
    assert "Nothing scheduled." in shown(open_home(bot, SCOPED)["blocks"])  # not their customer


def test_history_shows_when_a_change_was_scheduled_and_cancelled(bot: Bot, clock: time_machine.Traveller) -> None:
    schedule_e5_for_bob(bot)
    open_list(bot, ADMIN).act_and_wait(ids.SCHEDULED_CANCEL, value="1")
    said = shown(bot.user(ADMIN).open("history")["blocks"])
    assert ":no_entry_sign: *Scheduled change* · Contoso Ltd — cancelled: assign ENTERPRISEPREMIUM for 1 user" in said
    assert ":calendar: *Scheduled change* · Contoso Ltd — scheduled" in said and "batch `scheduled-1`" in said
