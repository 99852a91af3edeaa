"""What the tenant tests share (imported by test modules; fixtures stay in conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from bot.runtime.bootstrap import bootstrap, delivery_worker, slack_app
from bot.runtime.serve import http_app
from bot.settings import Settings
from fakes.m365 import FakeM365
from fakes.slack import FakeSlack
from licensing.directory import import_directory
from licensing.directory.file import parse_directory
from licensing.ports import TenantProvider, UnitOfWork
from licensing.tenants import Operation, OperationResult
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from tests.app.driver import SECRET, Bot
from tests.m365.helpers import TENANT

ADMIN = "UADMIN01"
LICENSEBOT = str(Path(sys.executable).with_name("licensebot"))
UowFactory = Callable[[], UnitOfWork]
Wrap = Callable[[TenantProvider], TenantProvider]

# One local customer and one connected to the fake tenant.
DIRECTORY = f"""
products:
  - {{sku: STANDARDPACK, name: Office 365 E1, excludes: [ENTERPRISEPACK]}}
  - {{sku: ENTERPRISEPACK, name: Office 365 E3}}
  - {{sku: VISIOCLIENT, name: Visio Plan 2, unavailable_in: [CU]}}
customers:
  - id: local
    name: Local Ltd
    subscriptions: [{{sku: STANDARDPACK, quantity: 2}}]
    users: [{{id: lou@local.example, name: Lou Local, location: US, licenses: [STANDARDPACK]}}]
  - {{id: contoso, name: Contoso, tenant_id: {TENANT}}}
operators:
  - {{slack_user_id: {ADMIN}, role: admin_agent}}
"""


def graph_env(m365: FakeM365, url: str) -> dict[str, str]:
    """The environment a `licensebot` child process needs to reach the fake tenant and the database."""
    return {
        "DATABASE_URL": url,
        "LICENSEBOT_GRAPH_CLIENT_ID": m365.client_id,
        "LICENSEBOT_GRAPH_CLIENT_SECRET": m365.client_secret,
        "LICENSEBOT_GRAPH_URL": m365.graph_url,
        "LICENSEBOT_LOGIN_URL": m365.login_url,
        "LICENSEBOT_CA_BUNDLE": m365.ca_pem_path,
    }


ASSIGNED = "$batch POST /v1.0/users/{id}/assignLicense"


def kill_mid_batch(m365: FakeM365, args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run `licensebot ARGS` and SIGKILL it once the tenant applied its first $batch of changes and holds the next
    (the fake answers slowly meanwhile); then let the fake finish what it held, as Graph would."""
    m365.set_latency(0.5)
    applied = m365.requests[ASSIGNED]
    child = subprocess.Popen(
        [LICENSEBOT, *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while m365.requests[ASSIGNED] == applied:  # the reads before the changes are batches too
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.02)
    batches = m365.requests["POST /v1.0/$batch"]
    while m365.requests["POST /v1.0/$batch"] < batches + 1:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    m365.set_latency(0)
    m365.wait_idle()


class Racing(GraphTenants):
    """The real provider, with `meanwhile` run between licensebot's read of the users and its change: what an admin
    does in the Microsoft 365 admin center at that moment (Graph has no conditional write to stop it)."""

    def __init__(self, client: GraphClient, meanwhile: Callable[[], None]) -> None:
        super().__init__(client)
        self.meanwhile = meanwhile

    def apply(
        self, tenant: str, operations: Sequence[Operation], progress: Callable[[], bool] | None = None
    ) -> list[OperationResult]:
        meanwhile, self.meanwhile = self.meanwhile, lambda: None  # once: a retry of the same save does not race
        meanwhile()
        return super().apply(tenant, operations, progress)


def assert_mirror_matches(m365: FakeM365, tenant: str, uows: UowFactory, customer: str = "contoso") -> None:
    """Every user and every seat count of the mirror is what the tenant holds: licenses, usage location, disabled
    service plans (by name), assigned as consumed."""
    t = m365.tenant(tenant)
    with m365.directory.lock:
        names = {p.id: p.name for sku in t.skus.values() for p in sku.plans}
        parts = {sku.sku_id: sku.part_number for sku in t.skus.values() if sku.applies_to == "User"}
        want_users = {
            u.upn: (
                u.usage_location,
                {parts[s] for s in u.licenses if s in parts},
                {
                    parts[s]: frozenset(names[p] for p in a.disabled_plans)
                    for s, a in u.licenses.items()
                    if s in parts and a.disabled_plans
                },
            )
            for u in t.users.values()
        }
        want_seats = {parts[s]: (sku.owned, t.consumed(s)) for s, sku in t.skus.items() if s in parts}
    with uows() as uow:
        users = list(uow.users.all_for_customer(customer))
        subs = uow.subscriptions.for_customer(customer)
    got_users = {u.id: (u.location, set(u.licenses), dict(u.disabled_plans)) for u in users}
    assert got_users == want_users
    assert {sku: (s.quantity, s.assigned) for sku, s in subs.items()} == want_seats


def running(
    url: str, fake_slack: FakeSlack, m365: FakeM365, wrap: Wrap = lambda provider: provider, **more: Any
) -> Iterator[Bot]:
    """The real app on `url`, connected to the fake tenant through `wrap(the Graph adapter)`, with the connected
    directory imported."""
    settings = Settings(
        database_url=url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.url,
        outbox_channel_interval_s=0,
        licensebot_graph_client_id=m365.client_id,
        licensebot_graph_client_secret=m365.client_secret,
        licensebot_graph_url=m365.graph_url,
        licensebot_login_url=m365.login_url,
        licensebot_ca_bundle=m365.ca_pem_path,
        **more,
    )  # type: ignore[call-arg]
    deps = bootstrap(settings)
    assert deps.m365 is not None
    deps = replace(deps, m365=wrap(deps.m365))
    import_directory(parse_directory(DIRECTORY), uow=deps.uow_factory())
    app = slack_app(deps)
    worker = delivery_worker(deps)
    with TestClient(http_app(app, deps)) as http:
        yield Bot(deps, fake_slack, http, worker)
    app.listener_runner.listener_executor.shutdown(wait=True)
    worker.close()
    deps.close()
