"""Services in the playground's browser page: pushed over Manage licenses, a service turned off, Back, the preview,
Save and the thread. LICENSEBOT_SCREENSHOTS=1 (re)writes docs/playground-services.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_screenshots import shot
from tests.browser.test_walk import MODAL, modal, open_contoso, tick, wait_text
from tests.playground.live import Live

pytestmark = pytest.mark.slow  # starts a browser


def test_teams_off_for_two_users_from_the_services_view(page: Any, live: Live) -> None:
    page.select_option("#who", "UADMIN01")
    open_contoso(page)
    tick(page, "Alice Adams", 1)
    tick(page, "Erin Evans", 2)
    page.locator(f"{MODAL} [data-view-action=submit]").click()
    modal(page, "licenses_manage").wait_for()
    page.select_option(f'{MODAL} select[data-action-id="services_open"]', "ENTERPRISEPACK")
    services = modal(page, "licenses_services")
    services.wait_for()  # pushed over Manage licenses
    text = services.inner_text()
    assert "Office 365 E3" in text and "2 selected users hold it" in text and "Now: on for all" in text
    page.locator(f'{MODAL} [data-block-id="service:TEAMS1"] input[value="off"]').check()
    page.locator(f'{MODAL} [data-block-id="service:SWAY"] input[value="off"]').check()
    teams = page.locator(f'{MODAL} div.sk-block[data-block-id="service:TEAMS1"]')
    teams.evaluate("block => block.scrollIntoView({block: 'center'})")  # the screenshot shows the choice made
    shot(page, "playground-services.png", 1000)
    page.locator(f"{MODAL} [data-view-action=close]", has_text="Back").click()
    modal(page, "licenses_manage").wait_for()
    wait_text(page, "Microsoft Teams off for 2 users (Office 365 E3)")  # the preview, redrawn from the server
    page.locator(f"{MODAL} [data-view-action=submit]").click()  # Save
    modal(page, "licenses_result").wait_for()
    page.locator(f"{MODAL} .sk-modal-x").click()
    thread = page.locator("#channel .sk-thread-group", has_text="Contoso Ltd: licenses updated for 2 of 2 users")
    thread.wait_for()
    replies = "\n".join(thread.locator(".sk-reply").all_inner_texts())
    assert "Alice Adams — Microsoft Teams off in Office 365 E3; Sway off in Office 365 E3" in replies
