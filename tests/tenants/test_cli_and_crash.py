"""The CLI with one local and one connected customer; a save killed with SIGKILL mid-batch, then reconciled."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import E1, E3, SHAREPOINTENTERPRISE, VISIO
from licensing.connected.remote import INTERRUPTED, reconcile
from licensing.connected.sync import sync_tenant
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult, Status
from licensing.types import utcnow
from providers.graph.tenant import GraphTenants
from tests.tenants.helpers import ADMIN, DIRECTORY, LICENSEBOT, UowFactory, graph_env, kill_mid_batch


@pytest.fixture
def cli(m365: FakeM365, migrated_url: str, uows: UowFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name, value in graph_env(m365, migrated_url).items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_sync_and_apply_from_the_cli_for_a_local_and_a_connected_customer(cli, m365: FakeM365, tenant: str) -> None:  # type: ignore[no-untyped-def]
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    synced = cli("sync", "--json")
    assert synced.exit_code == 0, synced.output
    [report] = json.loads(synced.output)["tenants"]
    assert (report["customer"], report["users"], report["error"]) == ("contoso", 1, None)
    shown = cli("licenses", "show", "contoso", "--users", ann.upn, "--json")
    assert {p["sku"]: p["state"] for p in json.loads(shown.output)["products"]}["STANDARDPACK"] == "all"
    done = cli(
        "licenses",
        "apply",
        "contoso",
        "--users",
        ann.upn,
        "--assign",
        "ENTERPRISEPACK",
        "--revoke",
        "STANDARDPACK",
        "--as",
        ADMIN,
        "--json",
    )
    assert done.exit_code == 0, done.output
    assert m365.licenses(tenant, ann.id) == {E3}
    local = cli("licenses", "apply", "local", "--users", "lou@local.example", "--revoke", "STANDARDPACK", "--as", ADMIN)
    assert local.exit_code == 0 and "1 updated" in local.output
    table = cli("sync")
    assert table.exit_code == 0 and "contoso" in table.output and "ok" in table.output


def test_users_after_a_save_show_what_the_tenant_holds(cli, m365: FakeM365, tenant: str) -> None:  # type: ignore[no-untyped-def]
    m365.add_user(
        tenant,
        "ann@contoso.onmicrosoft.com",
        usage_location="DE",
        licenses=(E3,),
        disabled_plans={E3: (SHAREPOINTENTERPRISE.id,)},
    )
    assert cli("sync").exit_code == 0
    done = cli(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "ann@contoso.onmicrosoft.com",
        "--assign",
        "VISIOCLIENT",
        "--as",
        ADMIN,
    )
    assert done.exit_code == 0, done.output
    shown = cli("users", "contoso", "--search", "ann", "--json")
    [ann] = json.loads(shown.output)["users"]
    assert (ann["location"], ann["licenses"]) == ("DE", ["ENTERPRISEPACK", "VISIOCLIENT"])
    assert ann["disabled_plans"] == {"ENTERPRISEPACK": ["SHAREPOINTENTERPRISE"]}
    table = cli("users", "contoso", "--search", "ann").output
    assert "DE" in table and "ENTERPRISEPACK(off:SHAREPOINTENTERPRISE) VISIOCLIENT" in table


def test_an_overused_tenant_is_shown_as_it_is_checked_clean_and_kept_by_a_reimport(  # type: ignore[no-untyped-def]
    cli, m365: FakeM365, tenant: str, tmp_path: Path
) -> None:
    m365.tenant(tenant).skus[VISIO].enabled = 5
    for i in range(6):  # an admin outside licensebot: 6 assigned of 5 owned
        m365.add_user(tenant, f"user{i}@contoso.onmicrosoft.com", licenses=(VISIO,))
    assert cli("sync").exit_code == 0
    shown = cli("licenses", "show", "contoso", "--json")
    [visio] = [p for p in json.loads(shown.output)["products"] if p["sku"] == "VISIOCLIENT"]
    assert {k: visio[k] for k in ("quantity", "assigned", "available", "overused")} == {
        "quantity": 5,
        "assigned": 6,
        "available": -1,
        "overused": 1,
    }
    table = cli("licenses", "show", "contoso").output.splitlines()
    [row] = [line for line in table if line.startswith("VISIOCLIENT")]
    assert row.split()[-6:] == ["5", "6", "overused", "by", "1", "none"]
    checked = cli("check")  # the tenant's overuse is its state, not a broken rule of licensebot's
    assert checked.exit_code == 0, checked.output
    (tmp_path / "directory.yaml").write_text(DIRECTORY)
    assert cli("import", str(tmp_path / "directory.yaml")).exit_code == 0  # the same file again
    again = json.loads(cli("licenses", "show", "contoso", "--json").output)["products"]
    assert [(p["assigned"], p["overused"]) for p in again if p["sku"] == "VISIOCLIENT"] == [(6, 1)]


def test_sync_names_the_tenant_that_failed_and_exits_1(cli) -> None:  # type: ignore[no-untyped-def]
    failed = cli("sync")  # no such tenant in the fake
    assert failed.exit_code == 1 and "contoso" in failed.output and "failed: " in failed.output


def test_sync_refuses_bad_input_and_missing_settings_with_one_line(cli, tenant: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("sync", "nobody")
    assert unknown.exit_code == 2 and unknown.output.strip() == "error: No customer with id 'nobody'."
    local = cli("sync", "local")
    assert local.exit_code == 2 and "not connected" in local.output
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_SECRET")
    half = cli("sync")
    assert half.exit_code == 2 and len(half.output.strip().splitlines()) == 1 and "LICENSEBOT_GRAPH" in half.output
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_ID")
    missing = cli("sync")
    assert missing.exit_code == 2 and "no Microsoft 365 app is configured" in missing.output
    assert len(missing.output.strip().splitlines()) == 1  # a connected customer needs the app, even on a first run


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.slow  # starts a licensebot process and kills it
def test_a_save_killed_mid_batch_is_reconciled_from_the_tenant(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory, migrated_url: str, tmp_path: Path
) -> None:
    made = generate_users(m365.tenant(tenant), 45)
    m365.tenant(tenant).skus[E3].enabled = 100
    sync_tenant("contoso", provider=graph, uow=uows())
    env = {**os.environ, **graph_env(m365, migrated_url), "LICENSEBOT_GRAPH_BATCHES_IN_FLIGHT": "1"}
    users = ",".join(u.upn for u in made)
    kill_mid_batch(
        m365,
        [
            "licenses",
            "apply",
            "contoso",
            "--users",
            users,
            "--assign",
            "ENTERPRISEPACK",
            "--as",
            ADMIN,
            "--key",
            "k-crash",
        ],
        env,
        tmp_path,
    )
    with uows() as uow:
        assert uow.remote.get_by_key("k-crash") is not None  # recorded before the first call, never finished
    threads: list[OutgoingThread] = []

    def render(result: BatchResult, *, reply_to: object) -> OutgoingThread:
        threads.append(OutgoingThread(None, result.operator, {"text": result.note}, (), result.batch_id))
        return threads[-1]

    assert reconcile(provider=graph, uow=uows(), render=render) == []  # the lease has not run out yet
    later = lambda: utcnow() + timedelta(minutes=11)  # noqa: E731
    [batch_id] = reconcile(provider=graph, uow=uows(), render=render, clock=later)
    with uows() as uow:
        _, result = uow.batches.get_by_key("k-crash") or ("", None)
    assert result is not None and result.batch_id == batch_id and result.note == INTERRUPTED
    by_user = {o.user_id: o.status for o in result.results}
    truth = {u.upn: E3 in m365.licenses(tenant, u.id) for u in made}
    assert by_user == {upn: Status.UPDATED if held else Status.FAILED for upn, held in truth.items()}
    assert 20 <= sum(truth.values()) < 45  # the kill really came mid-batch
    assert [t.parent["text"] for t in threads] == [INTERRUPTED]
    calls = m365.graph_requests()
    replay = subprocess.run(
        [
            LICENSEBOT,
            "licenses",
            "apply",
            "contoso",
            "--users",
            users,
            "--assign",
            "ENTERPRISEPACK",
            "--as",
            ADMIN,
            "--key",
            "k-crash",
            "--json",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert m365.graph_requests() == calls  # a replayed key never calls Graph again
    assert json.loads(replay.stdout)["batch_id"] == batch_id
