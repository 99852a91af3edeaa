"""What the tenant tests share (imported by test modules; fixtures stay in conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from fakes.m365 import FakeM365
from licensing.ports import UnitOfWork
from tests.m365.helpers import TENANT

ADMIN = "UADMIN01"
LICENSEBOT = str(Path(sys.executable).with_name("licensebot"))
UowFactory = Callable[[], UnitOfWork]

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
        "DATABASE_URL": url, "LICENSEBOT_GRAPH_CLIENT_ID": m365.client_id,
        "LICENSEBOT_GRAPH_CLIENT_SECRET": m365.client_secret, "LICENSEBOT_GRAPH_URL": m365.graph_url,
        "LICENSEBOT_LOGIN_URL": m365.login_url, "LICENSEBOT_CA_BUNDLE": m365.ca_pem_path,
    }  # fmt: skip


def kill_mid_batch(m365: FakeM365, args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run `licensebot ARGS` and SIGKILL it once the tenant answered its first $batch and holds the second (the fake
    answers slowly meanwhile); then let the fake finish what it held, as Graph would."""
    m365.set_latency(0.5)
    batches = m365.requests["POST /v1.0/$batch"]
    child = subprocess.Popen([LICENSEBOT, *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while m365.requests["POST /v1.0/$batch"] < batches + 2:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    m365.set_latency(0)
    time.sleep(1.0)
