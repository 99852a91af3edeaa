"""Saves that wait on Microsoft 365 run on the slow lane, not on Bolt's listener threads: while six operators' Saves
are stuck in the tenant, another operator's clicks are answered, every Save says "Saving…" in time (never Slack's
timeout), and each shows its result once the tenant answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from blocks import ids
from fakes.m365 import FakeM365
from fakes.m365.seed import E3
from fakes.slack import FakeSlack
from licensing.connected.sync import sync_tenant
from licensing.ports import TenantProvider
from licensing.types import Desired
from storage.migrate import upgrade
from tests.app.driver import Bot, SlackUser, manage, tick
from tests.tenants.helpers import running

SAVES = 6


class HeldTenant:
    """The Graph adapter, whose changes wait until the test lets them through (as a slow tenant would)."""

    def __init__(self, real: TenantProvider) -> None:
        self.real = real
        self.release = threading.Event()
        self.waiting = threading.Semaphore(0)  # one release per apply that reached the tenant

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        self.waiting.release()
        assert self.release.wait(30), "the test never let the tenant answer"
        return self.real.apply(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def held(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, tenant: str) -> Iterator[tuple[Bot, HeldTenant]]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    for i in range(SAVES):
        m365.add_user(tenant, f"user{i}@contoso.onmicrosoft.com")
    wrapped: list[HeldTenant] = []

    def hold(real: TenantProvider) -> TenantProvider:
        wrapped.append(HeldTenant(real))
        return wrapped[0]  # type: ignore[return-value]

    # Fewer threads on the lane than Saves: two wait their turn.
    settings = {"ack_budget_s": 0.5, "ack_settle_s": 0.1, "licensebot_slow_threads": 4}
    for bot in running(url, fake_slack, m365, hold, **settings):
        sync_tenant("contoso", provider=wrapped[0], uow=bot.deps.uow_factory())  # type: ignore[arg-type]
        yield bot, wrapped[0]
        wrapped[0].release.set()  # let what is still held end before the app goes away


def ready_to_save(bot: Bot, user_name: str) -> SlackUser:
    user = bot.user("UADMIN01")
    user.open("contoso")
    manage(user, user_name)
    user.choose("ENTERPRISEPACK", Desired.ASSIGN)
    return user


def test_clicks_are_answered_while_six_saves_wait_on_the_tenant_and_every_save_then_shows_its_result(
    held: tuple[Bot, HeldTenant], m365: FakeM365, tenant: str
) -> None:
    bot, provider = held
    savers = [ready_to_save(bot, f"user{i}@") for i in range(SAVES)]
    for user in savers:
        answer = user.submit()  # answered within Slack's 3 s, even by the two waiting for a thread of the lane
        assert answer is not None and answer["view"]["callback_id"] == ids.SAVING_VIEW
    for _ in range(4):  # four Saves are inside the tenant, stuck; two wait their turn
        assert provider.waiting.acquire(timeout=10)

    other = bot.user("UADMIN01")
    other.open("local")
    view = tick(other, "Lou Local")  # a click, answered by its views.update while every Save is stuck
    assert "1 selected" in "\n".join(str(b) for b in view["blocks"])
    assert not provider.release.is_set() and all(u.view["callback_id"] == ids.SAVING_VIEW for u in savers)

    provider.release.set()
    for user in savers:
        _wait_until(bot, lambda u=user: u.view["callback_id"] == ids.RESULT_VIEW)
        assert "assigned Office 365 E3" in user.text()
    assert all(m365.licenses(tenant, f"user{i}@contoso.onmicrosoft.com") == {E3} for i in range(SAVES))


def test_a_save_that_ends_within_the_budget_still_answers_with_its_result(
    held: tuple[Bot, HeldTenant], m365: FakeM365, tenant: str
) -> None:
    bot, provider = held
    provider.release.set()  # the tenant answers at once
    user = ready_to_save(bot, "user0@")
    answer = user.submit()
    assert answer is not None and answer["view"]["callback_id"] == ids.RESULT_VIEW
    assert m365.licenses(tenant, "user0@contoso.onmicrosoft.com") == {E3}


def _wait_until(bot: Bot, shown: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not shown():
        assert time.monotonic() < deadline, "not shown within 20 s"
        bot.fake.wait_for_change(bot.fake.version, 0.5)
