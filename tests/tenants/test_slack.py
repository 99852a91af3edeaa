"""From Slack: a directory with one local and one connected customer, through the real HTTP app and fake Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from blocks import ids
from bot.bootstrap import bootstrap, delivery_worker, slack_app
from bot.serve import http_app
from bot.settings import Settings
from fakes.m365 import FakeM365
from fakes.m365.seed import E1, E3
from fakes.slack import FakeSlack
from licensing.directory import import_directory
from licensing.directory_file import parse_directory
from licensing.sync import sync_tenant
from licensing.types import Desired
from storage.migrate import upgrade
from tests.app.driver import SECRET, Bot, manage, save
from tests.tenants.helpers import DIRECTORY
from tests.text import shown


@pytest.fixture
def bot(tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365) -> Iterator[Bot]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    settings = Settings(
        database_url=url, slack_bot_token="xoxb-test", slack_signing_secret=SECRET, slack_api_url=fake_slack.url,
        outbox_channel_interval_s=0, licensebot_graph_client_id=m365.client_id,
        licensebot_graph_client_secret=m365.client_secret, licensebot_graph_url=m365.graph_url,
        licensebot_login_url=m365.login_url, licensebot_ca_bundle=m365.ca_pem_path,
    )  # type: ignore[call-arg]  # fmt: skip
    deps = bootstrap(settings)
    import_directory(parse_directory(DIRECTORY), uow=deps.uow_factory())
    app = slack_app(deps)
    worker = delivery_worker(deps)
    with TestClient(http_app(app, deps)) as http:
        yield Bot(deps, fake_slack, http, worker)
    app.listener_runner.listener_executor.shutdown(wait=True)
    worker.close()
    deps.close()


def test_a_connected_customer_is_managed_from_slack_and_a_save_changes_the_tenant(
    bot: Bot, m365: FakeM365, tenant: str
) -> None:
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    assert bot.deps.tenants is not None
    sync_tenant("contoso", provider=bot.deps.tenants, uow=bot.deps.uow_factory())
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
    assert bot.deps.tenants is not None
    sync_tenant("contoso", provider=bot.deps.tenants, uow=bot.deps.uow_factory())
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


def test_a_local_customer_next_to_it_is_unchanged(bot: Bot, tenant: str) -> None:
    user = bot.user("UADMIN01")
    user.open("local")
    assert "Microsoft 365" not in user.text() and "Lou Local" in user.text()
