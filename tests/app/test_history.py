"""`/licenses history` end to end: a save then its lines in the modal, paging both ways, scope, and refusals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from blocks import ids
from licensing.results import AuditEntry
from tests.app.driver import ADMIN, E5, SCOPED, STRANGER, Bot, manage, open_contoso, save
from tests.text import shown

T0 = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)


def append(bot: Bot, count: int, customer: str = "contoso", user: str = "bob@contoso.com", start: int = 0) -> None:
    with bot.deps.uow_factory() as uow:
        uow.audit.append(
            [
                AuditEntry(
                    f"batch{start + i:03d}",
                    T0 + timedelta(minutes=start + i),
                    ADMIN,
                    customer,
                    user,
                    E5,
                    "assign",
                    "applied",
                )
                for i in range(count)
            ]
        )
        uow.commit()


def batches(view: dict) -> list[str]:  # type: ignore[type-arg]
    return re.findall(r"batch `([^`]+)`", shown(view["blocks"]))


def refusal(bot: Bot, who: str, text: str) -> str:
    response, _ = bot.user(who).slash(text)
    assert response.status_code == 200
    body = response.json()
    assert body.get("response_type") == "ephemeral"
    return str(body["text"])


def test_a_save_shows_in_history_under_the_batch_its_confirmation_names(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, "assign")
    parent = save(bot, user)
    batch = re.search(r"batch `([0-9a-f]+)`: `/licenses history` shows it", shown(parent["blocks"]))
    assert batch is not None
    view = bot.user().open("history contoso bob@contoso.com")
    assert view["callback_id"] == ids.HISTORY_VIEW
    text = shown(view["blocks"])
    assert "bob@contoso.com at Contoso Ltd" in text
    assert ":white_check_mark: *Assign Office 365 E5* · bob@contoso.com at Contoso Ltd — applied" in text
    assert f"by <@{ADMIN}> · batch `{batch.group(1)}`" in text
    assert "<!date^" in text


def test_older_and_newer_page_through_by_cursor(bot: Bot) -> None:
    append(bot, 45)
    user = bot.user()
    user.open("history contoso")
    newest = [f"batch{i:03d}" for i in range(44, -1, -1)]
    assert batches(user.view) == newest[:20]
    assert set(buttons(user.view)) == {ids.HISTORY_OLDER}
    assert batches(user.act_and_wait(ids.HISTORY_OLDER)) == newest[20:40]
    append(bot, 3, start=45)  # new lines meanwhile: the next older page is where it was
    assert batches(user.act_and_wait(ids.HISTORY_OLDER)) == newest[40:]
    assert set(buttons(user.view)) == {ids.HISTORY_NEWER}
    assert batches(user.act_and_wait(ids.HISTORY_NEWER)) == newest[20:40]
    assert batches(user.act_and_wait(ids.HISTORY_NEWER)) == newest[:20]  # the 20 just newer, not the newest
    assert set(buttons(user.view)) == {ids.HISTORY_NEWER, ids.HISTORY_OLDER}
    assert batches(user.act_and_wait(ids.HISTORY_NEWER)) == ["batch047", "batch046", "batch045", *newest[:17]]
    assert set(buttons(user.view)) == {ids.HISTORY_OLDER}


def buttons(view: dict) -> set[str]:  # type: ignore[type-arg]
    return {e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_an_operator_scoped_to_fabrikam_sees_only_fabrikam(bot: Bot) -> None:
    append(bot, 2)
    append(bot, 1, customer="fabrikam", user="fay@fabrikam.com", start=10)
    view = bot.user(SCOPED).open("history")
    assert batches(view) == ["batch010"] and "fay@fabrikam.com" in shown(view["blocks"])
    assert refusal(bot, SCOPED, "history contoso") == (
        "No customer you manage matches “contoso”. Try /licenses history with no customer."
    )


def test_unknown_customer_user_or_extra_words_get_a_specific_private_answer(bot: Bot) -> None:
    assert refusal(bot, ADMIN, "history initech").startswith("No customer you manage matches “initech”.")
    assert refusal(bot, ADMIN, "history contoso zed@contoso.com") == (
        "Customer 'contoso' has no user 'zed@contoso.com', and no change was ever recorded for one."
    )
    assert refusal(bot, ADMIN, "history contoso bob@contoso.com extra").startswith(
        "Usage: /licenses history [CUSTOMER] [USER]"
    )
    assert refusal(bot, STRANGER, "history") == (
        "You are not a licensebot operator; ask a partner admin to add you to the directory."
    )
    assert bot.fake.calls("views.open") == []


def test_a_customer_without_changes_says_so(bot: Bot) -> None:
    view = bot.user().open("history fabrikam")
    assert "No changes recorded here yet." in shown(view["blocks"])
    assert buttons(view) == set()


def test_times_read_in_the_readers_zone_and_lines_no_person_wrote_say_who_did(bot: Bot) -> None:
    bot.fake.set_timezone(ADMIN, "Asia/Tokyo", 32400)
    with bot.deps.uow_factory() as uow:
        uow.audit.append(
            [
                AuditEntry("import-1", T0, "directory import", "contoso", "", E5, "quantity", "applied", "4 → 2 owned"),
                AuditEntry("purchase-1", T0, "licensebot-sync", "contoso", "", E5, "buy_more", "fulfilled", "has 4"),
            ]
        )
        uow.commit()
    text = shown(bot.user().open("history contoso")["blocks"])
    assert "|2026-03-04 14:00 Asia/Tokyo> · by directory import · batch `import-1`" in text
    assert "*Set owned quantity of Office 365 E5* · Contoso Ltd — applied: 4 → 2 owned" in text
    assert "|2026-03-04 14:00 Asia/Tokyo> · by the Microsoft 365 sync · batch `purchase-1`" in text
    assert "<@directory import>" not in text and "<@licensebot-sync>" not in text
