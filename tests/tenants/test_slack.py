"""From Slack: a directory with one local and one connected customer, through the real HTTP app and fake Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blocks import ids
from fakes.m365 import FakeM365
from fakes.m365.seed import ARCHIVING, E1, E3, EXCHANGE_S_ENTERPRISE, TEAMS1, VISIO
from fakes.slack import FakeSlack
from licensing.connected.sync import sync_tenant
from licensing.types import Desired
from storage.migrate import upgrade
from tests.app.driver import Bot, manage, open_home, save
from tests.tenants.helpers import ASSIGNED, running
from tests.text import shown

ALERTS = "C0ALERTS"


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365) -> Iterator[Bot]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    yield from running(url, fake_slack, m365)


@pytest.fixture
def alerting_bot(migrated_url: str, fake_slack: FakeSlack, m365: FakeM365) -> Iterator[Bot]:
    """The same app on SQLite and on PostgreSQL, with low-license alerts going to ALERTS."""
    yield from running(migrated_url, fake_slack, m365, licensebot_alerts_channel=ALERTS)


def test_a_connected_customer_is_managed_from_slack_and_a_save_changes_the_tenant(
    bot: Bot, m365: FakeM365, tenant: str
) -> None:
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    user = bot.user("UADMIN01")
    view = user.open("contoso")
    assert view["callback_id"] == ids.USERS_VIEW
    assert "Microsoft 365 · synced" in user.text() and "UTC" in user.text()
    m365.tenant(tenant).skus[E3].enabled = 7  # bought in the tenant since the sync
    manage(user, "ann")
    page = user.text()
    assert "seats live" in page and "7" in page  # opening Manage licenses read the seats
    user.choose("ENTERPRISEPACK", Desired.ASSIGN)
    user.choose("STANDARDPACK", Desired.REVOKE)
    parent = save(bot, user)
    assert m365.licenses(tenant, ann.id) == {E3}
    assert parent["text"] == "Contoso: licenses updated for 1 of 1 user"
    calls = bot.deps.metrics.registry.get_sample_value(
        "licensebot_provider_calls_total", {"provider": "graph", "status": "200"}
    )
    assert calls is not None and calls >= 3  # the sync, the seats read, the save: every Graph call is counted


def test_a_graph_refusal_reads_plainly_in_the_modal_and_the_thread(bot: Bot, m365: FakeM365, tenant: str) -> None:
    m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E3,))
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    m365.set_licenses(tenant, "ann@contoso.onmicrosoft.com", licenses=(), group_licenses={E3: "g-1"})  # drift
    user = bot.user("UADMIN01")
    user.open("contoso")
    manage(user, "ann")
    user.choose("ENTERPRISEPACK", Desired.REVOKE)
    parent = save(bot, user)
    expected = "ann gets Office 365 E3 through a group in Microsoft 365; remove them from the group instead."
    assert expected in user.text()
    thread = bot.fake.thread(parent["channel"], parent["ts"])
    assert expected in "\n".join(shown(m["blocks"]) for m in thread[1:])


def test_a_location_set_before_the_tenant_refused_the_license_is_told_in_slack(
    bot: Bot, m365: FakeM365, tenant: str
) -> None:
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    m365.tenant(tenant).skus[E3].blocked_countries = frozenset({"FR"})  # not sold there; the directory does not say
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    user = bot.user("UADMIN01")
    user.open("contoso")
    manage(user, "ann")
    user.choose("ENTERPRISEPACK", Desired.ASSIGN)
    user.type(ids.LOCATION_BLOCK, ids.LOCATION_INPUT, {"type": "plain_text_input", "value": "fr"})
    parent = save(bot, user)
    said = "usage location set to FR; Office 365 E3 is not available in ann's usage location."
    thread = "\n".join(shown(m["blocks"]) for m in bot.fake.thread(parent["channel"], parent["ts"])[1:])
    assert said in thread and said in user.text()  # the thread and the result modal
    assert m365.user(tenant, ann.id).usage_location == "FR" and m365.licenses(tenant, ann.id) == set()
    user.open("contoso")
    assert "FR" in user.text()  # the users page shows the location the tenant now has


def test_a_local_customer_next_to_it_is_unchanged(bot: Bot, tenant: str) -> None:
    user = bot.user("UADMIN01")
    user.open("local")
    assert "Microsoft 365" not in user.text() and "Lou Local" in user.text()


def test_an_overused_tenant_reads_overused_everywhere_in_slack_and_nothing_more_is_assigned(
    alerting_bot: Bot, m365: FakeM365, tenant: str
) -> None:
    bot = alerting_bot
    m365.tenant(tenant).skus[VISIO].enabled = 5  # 5 owned; an admin gave 6 users Visio outside licensebot
    for i in range(6):
        m365.add_user(tenant, f"user{i}@contoso.onmicrosoft.com", licenses=(VISIO,))
    bea = m365.add_user(tenant, "bea@contoso.onmicrosoft.com", licenses=(E1,))
    assert m365.consumed(tenant, VISIO) == 6
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    with bot.deps.uow_factory() as uow:  # the mirror keeps the tenant's count, not 5 of 5
        visio = uow.subscriptions.for_customer("contoso")["VISIOCLIENT"]
    assert (visio.quantity, visio.assigned, visio.mirrored) == (5, 6, True)

    assert bot.deliver() == 1  # the sync's overuse alert, at once (no threshold is set)
    [alert] = bot.fake.messages(ALERTS)
    assert alert["text"] == "Contoso: Visio Plan 2 is overused (6 assigned, 5 owned)"
    said = shown(alert["blocks"])
    assert "more *Visio Plan 2* licenses assigned than it owns: overused by 1" in said
    assert "overused by 1 · 6/5 assigned" in said

    user = bot.user("UADMIN01")
    user.open("contoso")
    manage(user, "bea")
    visio_label = "Visio Plan 2 — overused by 1: 6 assigned of 5"
    assert visio_label in user.text() and "none available of 5" not in user.text()
    buy = user.block_with(ids.BUY_MORE)
    assert buy["text"]["text"] == "No licenses left: *Visio Plan 2* (overused by 1)"
    user.choose("VISIOCLIENT", Desired.ASSIGN)  # the preview refuses it before anything is sent
    user.act_and_wait(
        ids.PRODUCT_CHOICE, block_id=f"{ids.PRODUCT_BLOCK_PREFIX}VISIOCLIENT", selected_option={"value": Desired.ASSIGN}
    )
    assert "The user will not get Visio Plan 2: none available, it is overused by 1 (6 assigned of 5)." in user.text()
    changes = m365.requests[ASSIGNED]
    parent = save(bot, user)
    assert parent["text"] == "Contoso: licenses updated for 0 of 1 user, 1 error"
    refusal = "No Visio Plan 2 license left: 6 are assigned but only 5 owned (overused by 1)."
    assert refusal in "\n".join(shown(m["blocks"]) for m in bot.fake.thread(parent["channel"], parent["ts"])[1:])
    assert m365.requests[ASSIGNED] == changes and m365.licenses(tenant, bea.id) == {E1}  # the read, no change
    assert m365.consumed(tenant, VISIO) == 6

    user.open("contoso")  # Buy more from Manage licenses says how far over it is
    manage(user, "bea")
    element = user.block_with(ids.BUY_MORE)["accessory"]
    assert element["type"] == "button" and element["value"] == "VISIOCLIENT"
    user.act_and_wait(ids.BUY_MORE, method="views.push", value="VISIOCLIENT")
    assert "Owned: 5 licenses · assigned: 6 · *overused by 1*" in user.text()

    home = shown(open_home(bot))
    assert ":warning: `▰▰▰▰▰▰▰▰▰▰ 6/5` Visio Plan 2 — overused by 1" in home


def test_services_from_slack_change_the_tenant_and_a_refused_dependency_is_that_users_only(
    alerting_bot: Bot, m365: FakeM365, tenant: str
) -> None:
    """On SQLite and PostgreSQL: Exchange off in E3 for Ann and Bob; Ann's archive needs it, so the tenant refuses
    her alone, naming both services; Bob's E3 is re-sent with Exchange off."""
    bot = alerting_bot
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E3, ARCHIVING))
    bob = m365.add_user(tenant, "bob@contoso.onmicrosoft.com", licenses=(E3,), disabled_plans={E3: (TEAMS1.id,)})
    assert bot.deps.m365 is not None
    sync_tenant("contoso", provider=bot.deps.m365, uow=bot.deps.uow_factory())
    user = bot.user("UADMIN01")
    user.open("contoso")
    manage(user, "ann", "bob")
    view = user.act_and_wait(ids.SERVICES_OPEN, method="views.push", selected_option={"value": "ENTERPRISEPACK"})
    assert view["callback_id"] == ids.SERVICES_VIEW and "Microsoft Teams" in user.text()
    block = f"{ids.SERVICE_BLOCK_PREFIX}EXCHANGE_S_ENTERPRISE"
    user.type(block, ids.SERVICE_CHOICE, {"type": "radio_buttons", "selected_option": {"value": "off"}})
    user.act_and_wait(ids.SERVICE_CHOICE, block_id=block, selected_option={"value": "off"})
    user.close()
    assert "Exchange Online (Plan 2) off for 2 users (Office 365 E3)" in user.text()
    parent = save(bot, user)
    thread = "\n".join(shown(m["blocks"]) for m in bot.fake.thread(parent["channel"], parent["ts"])[1:])
    assert "Exchange Online Archiving depends on Exchange Online (Plan 1) or Exchange Online (Plan 2)" in thread
    assert "Exchange Online (Plan 2) off in Office 365 E3" in thread
    assert m365.disabled_plans(tenant, ann.id, E3) == set()
    assert m365.disabled_plans(tenant, bob.id, E3) == {TEAMS1.id, EXCHANGE_S_ENTERPRISE.id}  # Teams stays off
