"""SIGTERM while a connected Save waits on Microsoft 365: `licensebot serve` lets the Save finish (the tenant
changed, the result shown in the modal, nothing left for the reconciliation), then exits 0."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest

from blocks import ids
from fakes.m365 import FakeM365
from fakes.m365.seed import E3
from fakes.slack import FakeSlack
from licensing.types import Desired
from storage.db import make_engine
from tests.app.driver import SlackUser, manage
from tests.net import serving
from tests.tenants.helpers import ADMIN, ASSIGNED, DIRECTORY, LICENSEBOT, graph_env

pytestmark = pytest.mark.slow  # starts processes

SECRET = "shutdown-secret"


def test_sigterm_lets_a_save_waiting_on_the_tenant_finish_and_show_its_result(
    tmp_path: Path, fake_slack: FakeSlack, m365: FakeM365, tenant: str
) -> None:
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com")
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {
        **graph_env(m365, url),
        "SLACK_BOT_TOKEN": "xoxb-shutdown",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.url,
        "LICENSEBOT_SLOW_THREADS": "1",
    }
    (tmp_path / "directory.yaml").write_text(DIRECTORY)
    for step in (["db", "upgrade"], ["import", "directory.yaml"], ["sync"]):
        subprocess.run([LICENSEBOT, *step], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    proc, base = serving([LICENSEBOT, "serve"], env, tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            user = SlackUser(http, fake_slack, SECRET, ADMIN)
            user.open("contoso")
            manage(user, "ann")
            user.choose("ENTERPRISEPACK", Desired.ASSIGN)
            m365.set_latency(2.5, path=r"/\$batch$")  # the reads and the change each wait in the tenant
            answer = user.submit()
            assert answer is not None and answer["view"]["callback_id"] == ids.SAVING_VIEW
            assert m365.requests[ASSIGNED] == 0  # the change is not made yet when the process is told to stop
            proc.send_signal(signal.SIGTERM)
            output = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        m365.set_latency(0)
    assert proc.returncode == 0, output
    assert m365.licenses(tenant, ann.id) == {E3}
    assert user.view["callback_id"] == ids.RESULT_VIEW and "assigned Office 365 E3" in user.text()
    engine = make_engine(url)
    with engine.connect() as db:
        assert db.exec_driver_sql("SELECT count(*) FROM remote_batches").scalar() == 0  # nothing left to reconcile
    engine.dispose()
