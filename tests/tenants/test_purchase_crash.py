"""A bot SIGKILLed between an order's intent and Partner Center's answer, then a restarted process: one purchase.

`licensebot serve` runs as a real process; a signed Approve click reaches it; the fake Partner Center answers
slowly, so the process is killed at a chosen moment: once its PATCH has reached Partner Center (which applies it,
its answer lost with the process), or once the intent is committed and nothing has been sent. `licensebot worker`
then resumes the order, reading the subscription before sending anything."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from blocks import ids
from fakes.m365 import FakeM365
from fakes.m365.seed import E1, VISIO
from fakes.slack import FakeSlack
from fakes.slack.client import SlackUser
from licensing import purchases
from licensing.connected.sync import sync_tenant
from licensing.model import PurchaseStatus
from providers.graph.tenant import GraphTenants
from tests.net import free_port
from tests.partner_center.helpers import PARTNER, Shop
from tests.tenants.helpers import ADMIN, LICENSEBOT, UowFactory, graph_env

pytestmark = pytest.mark.slow  # starts processes

SECRET = "crash-test-secret"
LEASE_S = 3.0


def environment(m365: FakeM365, fake_slack: FakeSlack, url: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "LICENSEBOT_"))}
    return {
        **kept,
        **graph_env(m365, url),
        "SLACK_BOT_TOKEN": "xoxb-crash",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.url,
        "LICENSEBOT_PARTNER_TENANT_ID": PARTNER,
        "LICENSEBOT_PARTNER_CENTER_URL": m365.partner_center_url,
        "LICENSEBOT_PARTNER_ORDER_LEASE_S": str(LEASE_S),
    }


@pytest.fixture
def asked(m365: FakeM365, uows: UowFactory, graph: GraphTenants, shop: Shop) -> int:
    """Contoso owns 1 Visio (Ann holds it), bought in Partner Center; a request for 3 more."""
    tenant = m365.tenant(shop.tenant_id)
    m365.add_user(tenant.id, "ann@contoso.onmicrosoft.com", licenses=(E1, VISIO))
    tenant.skus[VISIO].enabled = 1
    m365.partner.touch(tenant.id, shop.visio.id, quantity=1)
    sync_tenant("contoso", provider=graph, uow=uows())
    return purchases.request_more("contoso", "VISIOCLIENT", 3, actor=ADMIN, uow=uows()).id


def approve_then_kill(
    m365: FakeM365, fake_slack: FakeSlack, env: dict[str, str], tmp_path: Path, request_id: int, until: str, count: int
) -> None:
    """Serve, click Approve, and SIGKILL the process once Partner Center has received `count` requests `until`
    (`METHOD PATH`), which it holds for 5 s before answering: the kill lands while the process waits for it."""
    port = free_port()
    child = subprocess.Popen(
        [LICENSEBOT, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/healthz").json() == {"ok": True}:
                        break
                except httpx.TransportError:
                    pass
                assert child.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.1)
            method, path = until.split(" ", 1)
            m365.set_latency(5, method=method, path=f"^{path}$")
            click = {
                "type": "block_actions",
                "trigger_id": fake_slack.new_trigger(user=ADMIN),
                "container": {"type": "message", "message_ts": "1.000100", "channel_id": "C0SALES"},
                "channel": {"id": "C0SALES"},
                "actions": [
                    {
                        "action_id": ids.PURCHASE_APPROVE,
                        "block_id": ids.PURCHASE_ACTIONS_BLOCK,
                        "type": "button",
                        "value": str(request_id),
                        "action_ts": "1.0",
                    }
                ],
            }
            assert SlackUser(http, fake_slack, SECRET, ADMIN).interact(click).status_code == 200  # type: ignore[arg-type]
            while m365.requests[until] < count:
                assert child.poll() is None and time.monotonic() < deadline, "the approval did not get there"
                time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    m365.wait_idle()  # what Partner Center received, it finishes (and applies), as the real one would
    m365.set_latency(0)


def resume_in_a_new_process(env: dict[str, str], tmp_path: Path, uows: UowFactory, request_id: int) -> None:
    time.sleep(LEASE_S)  # the dead process's lease ends: only then may another take its order over
    worker = subprocess.Popen(
        [LICENSEBOT, "worker"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not placed(uows, request_id):
            assert worker.poll() is None and time.monotonic() < deadline, "the order was not resumed"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def placed(uows: UowFactory, request_id: int) -> bool:
    with uows() as uow:
        order = uow.orders.get(request_id)
        return order is not None and order.placed


def status(uows: UowFactory, request_id: int) -> PurchaseStatus:
    with uows() as uow:
        found = uow.purchases.get(request_id)
        assert found is not None
        return found.status


def test_killed_after_its_patch_reached_partner_center_a_restart_buys_nothing_more(
    m365: FakeM365, fake_slack: FakeSlack, migrated_url: str, uows: UowFactory, shop: Shop, asked: int, tmp_path: Path
) -> None:
    env = environment(m365, fake_slack, migrated_url)
    patch = f"PATCH /v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"
    approve_then_kill(m365, fake_slack, env, tmp_path, asked, patch, 1)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]  # applied; its answer died with serve
    assert not placed(uows, asked) and status(uows, asked) is PurchaseStatus.APPROVED
    resume_in_a_new_process(env, tmp_path, uows, asked)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]  # read, found bought, not sent again
    assert m365.requests[patch] == 1


def test_killed_after_the_intent_before_sending_a_restart_buys_once(
    m365: FakeM365, fake_slack: FakeSlack, migrated_url: str, uows: UowFactory, shop: Shop, asked: int, tmp_path: Path
) -> None:
    env = environment(m365, fake_slack, migrated_url)
    read = f"GET /v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"
    before = m365.requests[read]
    approve_then_kill(m365, fake_slack, env, tmp_path, asked, read, before + 2)  # the read after the intent
    patch = f"PATCH /v1/customers/{shop.tenant_id}/subscriptions/{shop.visio.id}"
    assert m365.partner.patches == [] and m365.requests[patch] == 0
    assert status(uows, asked) is PurchaseStatus.APPROVED  # the intent was committed
    resume_in_a_new_process(env, tmp_path, uows, asked)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(1, 4)]
    assert m365.requests[patch] == 1
