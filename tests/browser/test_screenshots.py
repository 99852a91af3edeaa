"""The README's walk on the demo directory, as a new user meets it after `./scripts/run`: Pat Partner (the demo's
admin agent) ticks two Contoso users, opens Manage licenses, swaps their Office 365 E3 for E5 and reads the thread.

Set LICENSEBOT_SCREENSHOTS=1 to (re)write the README's screenshots in docs/ from it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_walk import MODAL, command, modal, wait_text
from tests.playground.live import Live, running

pytestmark = pytest.mark.slow  # starts a browser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """The playground over examples/demo.yaml, as `./scripts/run` serves it."""
    with running(tmp_path, ROOT / "examples" / "demo.yaml") as playground:
        yield playground


def shot(page: Any, name: str, height: int) -> None:
    """A README screenshot, in a window tall enough for the whole modal (it grows to 90% of the height)."""
    if os.environ.get("LICENSEBOT_SCREENSHOTS") != "1":
        return
    page.set_viewport_size({"width": 1280, "height": height})
    page.screenshot(path=str(DOCS / name))
    page.set_viewport_size({"width": 1280, "height": 860})


def tick(page: Any, name: str, selected_after: int) -> None:
    page.locator(f"{MODAL} .sk-choice", has_text=name).locator("input").check()
    wait_text(page, f"{selected_after} selected ·")


def test_the_readme_walk_on_the_demo_directory(page: Any) -> None:
    page.select_option("#who", "U0ADMIN01")
    assert page.locator("#who option:checked").inner_text() == "Pat Partner"
    command(page, "/licenses contoso")
    modal(page, "licenses_users").wait_for()
    tick(page, "Alice Adams", 1)
    tick(page, "Ama Rodriguez", 2)
    shot(page, "playground-users.png", 1320)

    page.locator(f"{MODAL} [data-view-action=submit]").click()
    manage = modal(page, "licenses_manage")
    manage.wait_for()
    text = manage.inner_text()
    assert "Office 365 E3 — none available of 51" in text and "Now: all 2 have it · no change" in text
    assert "Buy more" in text and "Microsoft Teams Phone Standard" in text
    page.locator(f'{MODAL} [data-block-id="product:ENTERPRISEPREMIUM"] input[value="assign"]').check()
    wait_text(page, "E5 and Office 365 E3 cannot be held together")  # the preview, after the bot's views.update
    page.locator(f'{MODAL} [data-block-id="product:ENTERPRISEPACK"] input[value="revoke"]').check()
    wait_text(page, "Save will assign 1 product and revoke 1 product.")  # the summary next to Save
    assert "cannot be held together" not in modal(page, "licenses_manage").inner_text()  # a swap: nothing fails
    page.locator(f"{MODAL} .sk-view-body").evaluate("e => e.scrollTop = e.scrollHeight")  # Buy more and Save
    shot(page, "playground-manage.png", 1900)

    page.locator(f"{MODAL} [data-view-action=submit]").click()  # Save
    modal(page, "licenses_result").wait_for()
    page.locator(f"{MODAL} .sk-modal-x").click()
    page.wait_for_selector("#overlay", state="hidden")
    thread = page.locator("#channel .sk-thread-group", has_text="Contoso Ltd: licenses updated for 2 of 2 users")
    thread.wait_for()
    replies = "\n".join(thread.locator(".sk-reply").all_inner_texts())
    assert "Alice Adams — assigned Office 365 E5; revoked Office 365 E3" in replies
    assert "Ama Rodriguez — assigned Office 365 E5; revoked Office 365 E3" in replies
    shot(page, "playground-thread.png", 600)
