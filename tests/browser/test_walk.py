"""The seed's flow, clicked through in a browser: the page drives the real bot through the playground.

The README's screenshots are taken on the demo directory by tests/browser/test_screenshots.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from playground.people import VISITOR_ID
from tests.playground.live import Live

pytestmark = pytest.mark.slow  # starts a browser

MODAL = ".pg-modal .sk-modal"


def modal(page: Any, callback_id: str) -> Any:
    return page.locator(f'{MODAL}[data-callback-id="{callback_id}"]')


def wait_text(page: Any, text: str, where: str = MODAL) -> None:
    page.locator(where, has_text=text).first.wait_for()


def click(page: Any, action_id: str) -> None:
    page.locator(f'{MODAL} [data-action-id="{action_id}"]').click()


def command(page: Any, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def tick(page: Any, name: str, selected_after: int) -> None:
    page.locator(f"{MODAL} .sk-choice", has_text=name).locator("input").check()
    wait_text(page, f"{selected_after} selected ·")


def open_contoso(page: Any) -> None:
    command(page, "/licenses")
    modal(page, "licenses_pick").wait_for()
    page.fill(".pg-select-search", "cont")  # the type-ahead asks the bot (block_suggestion)
    page.locator('select[data-type="external_select"] option[value="contoso"]').wait_for(state="attached")
    page.select_option('select[data-type="external_select"]', "contoso")
    modal(page, "licenses_users").wait_for()
    wait_text(page, "page 1 of 3 · 25 users")


def test_pick_page_select_manage_buy_and_save(page: Any, live: Live) -> None:
    page.select_option("#who", "UADMIN01")
    assert page.locator("#who option:checked").inner_text() == "Ada Admin"  # the whole name, the role beside it
    assert page.locator("#who-role").inner_text() == "Admin agent"
    open_contoso(page)

    for action, where in (
        ("page_next", "page 2 of 3"),
        ("page_last", "page 3 of 3"),
        ("page_prev", "page 2 of 3"),
        ("page_first", "page 1 of 3"),
    ):
        click(page, action)
        wait_text(page, where)
    tick(page, "Alice Adams", 1)
    tick(page, "Erin Evans", 2)

    page.locator(f"{MODAL} [data-view-action=submit]").click()  # Manage licenses: pushed over the users page
    manage = modal(page, "licenses_manage")
    manage.wait_for()
    text = manage.inner_text()
    assert "Office 365 E3 — 3 available of 5" in text and "Now: all 2 have it" in text  # all
    assert "Now: 1 of 2 have it" in text and "Assigned 1 of 2 selected: Erin Evans" in text  # some, and who
    assert "Now: none has it" in text  # none
    assert "No licenses left: Visio Plan 2" in text and "Buy more" in text

    page.locator(f"{MODAL} [data-view-action=close]", has_text="Back").click()  # back to the users page
    modal(page, "licenses_users").wait_for()
    click(page, "page_last")
    wait_text(page, "page 3 of 3")
    click(page, "select_page")  # Select all on this page: 5 more
    wait_text(page, "7 selected ·")
    click(page, "show_selected")
    wait_text(page, "Showing the 7 selected users")
    for name in ("Alice Adams", "Erin Evans", "Zoe Zhou"):
        assert name in modal(page, "licenses_users").inner_text()
    page.locator(f"{MODAL} [data-view-action=submit]").click()
    modal(page, "licenses_manage").wait_for()

    click(page, "buy_more")  # a third view on the stack
    buy = modal(page, "licenses_buy")
    buy.wait_for()
    page.fill(f'{MODAL} [data-block-id="buy_quantity"] input', "0")
    page.locator(f"{MODAL} [data-view-action=submit]").click()
    page.locator(f'{MODAL} [data-block-id="buy_quantity"] .sk-error').wait_for()  # the bot's error, under its block
    page.fill(f'{MODAL} [data-block-id="buy_quantity"] input', "5")
    page.locator(f"{MODAL} [data-view-action=submit]").click()
    modal(page, "licenses_buy_done").wait_for()
    page.locator(f"{MODAL} .sk-modal-footer [data-view-action=close]").click()
    modal(page, "licenses_manage").wait_for()

    page.locator(f'{MODAL} [data-block-id="product:ENTERPRISEPREMIUM"] input[value="assign"]').check()
    wait_text(page, "will not get Office 365 E5")  # the bot's preview, after a views.update
    page.fill(f'{MODAL} [data-block-id="location"] input', "DE")
    page.locator(f"{MODAL} [data-view-action=submit]").click()  # Save
    result = modal(page, "licenses_result")
    result.wait_for()
    assert "2 of 7" in result.inner_text()
    page.locator(f"{MODAL} .sk-modal-x").click()  # the x closes the whole stack (Done would go back a view)
    page.wait_for_selector("#overlay", state="hidden")

    thread = page.locator("#channel .sk-thread-group", has_text="Contoso Ltd: licenses updated for 2 of 7 users")
    thread.wait_for()  # the outbox worker posted the confirmation and its thread
    replies = "\n".join(thread.locator(".sk-reply").all_inner_texts())
    emoji = thread.locator('.sk-emoji[data-emoji="white_check_mark"]').first
    assert "/static/emoji/white_check_mark.svg" in emoji.evaluate("e => getComputedStyle(e).backgroundImage")
    assert page.evaluate("async () => (await fetch('/static/emoji/white_check_mark.svg')).ok")  # drawn, no font
    assert "Alice Adams — assigned Office 365 E5; usage location set to DE" in replies  # the location change
    assert "Zoe Zhou — No Office 365 E5 license left: all 2 are assigned." in replies  # the partial failure

    # The Buy more request was posted in the channel for approval; an admin agent approves it there, after the
    # confirmation Slack asks for first: Back sends nothing, Approve in the dialog sends the click.
    request = page.locator("#channel .sk-message", has_text="5 more Visio Plan 2 for Contoso Ltd").first
    approve = request.locator('[data-action-id="purchase_approve"]')
    approve.click()
    dialog = request.locator("dialog.sk-confirm[open]")
    assert "Approve this purchase?" in dialog.inner_text()
    dialog.locator('[data-confirm-choice="deny"]').click()
    assert request.locator("dialog.sk-confirm[open]").count() == 0 and approve.count() == 1
    assert live.pg.fake.calls("chat.update") == []  # nothing was sent to the bot
    approve.click()
    dialog.locator('[data-confirm-choice="confirm"]').click()
    decided = page.locator("#channel .sk-thread-group", has_text="Approved by")
    decided.wait_for()  # the request message updated in place, the requester told in its thread
    assert decided.locator('[data-action-id="purchase_approve"]').count() == 0
    wait_text(page, "your Buy more request 1", "#channel .sk-reply")


def test_a_reload_shows_no_modal_left_open(page: Any) -> None:
    page.select_option("#who", "UADMIN01")
    command(page, "/licenses")
    modal(page, "licenses_pick").wait_for()
    page.reload()
    page.wait_for_selector("#who option", state="attached")
    wait_text(page, "No messages yet.", "#channel")  # the page shows what there is (not "Loading…")
    assert page.locator("#overlay").is_hidden() and page.locator(MODAL).count() == 0


def test_a_non_operator_is_refused_and_sees_the_home_tab_say_so(page: Any) -> None:
    page.select_option("#who", VISITOR_ID)
    command(page, "/licenses")
    wait_text(page, "You are not a licensebot operator", "#channel .sk-ephemeral")
    assert page.locator("#overlay").is_hidden()
    page.locator('[data-pane="app"]').click()
    wait_text(page, "You are not an operator yet", "#home")
