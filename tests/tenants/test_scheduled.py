"""Scheduled changes for a customer connected to Microsoft 365: run through the same connected save as Save, and a
replica SIGKILLed in the middle of one, after which another finishes it exactly once."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fakes.m365 import FakeM365, User, generate_users
from fakes.m365.seed import E3
from licensing.connected.remote import reconcile
from licensing.connected.sync import sync_tenant
from licensing.model import ScheduledAction, ScheduledChange, ScheduledStatus
from licensing.results import BatchResult
from licensing.scheduled.runs import run_due
from licensing.types import Desired, utcnow
from providers.graph.tenant import GraphTenants
from tests.tenants.helpers import ADMIN, UowFactory, graph_env, kill_mid_batch


def due_now(uows: UowFactory, users: tuple[str, ...]) -> int:
    now = utcnow()
    with uows() as uow:
        wanted = {"ENTERPRISEPACK": Desired.ASSIGN}
        due = ScheduledChange(
            0, "contoso", users, wanted, ScheduledAction.START, now - timedelta(seconds=1), ADMIN, now
        )
        change_id = uow.scheduled.add(due)
        uow.commit()
    return change_id


def ann_due_now(m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory) -> tuple[User, int]:
    """Ann in the tenant and in the mirror, and a change assigning her E3 due now; returns her and its id."""
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com")
    sync_tenant("contoso", provider=graph, uow=uows())
    return ann, due_now(uows, (ann.upn,))


def stored(uows: UowFactory, change_id: int) -> ScheduledChange | None:
    with uows() as uow:
        return uow.scheduled.get(change_id)


def told(change: ScheduledChange, result: BatchResult | None, error: str | None) -> dict[str, Any]:
    outcomes = sorted((o.user_id, o.status.value) for o in result.results) if result else []
    return {"text": f"{change.id}: {error or outcomes}"}


def test_a_connected_customers_scheduled_assignment_runs_against_the_tenant(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann, change_id = ann_due_now(m365, tenant, graph, uows)
    assert run_due(uow=uows(), render=told, provider=graph) == [change_id]
    assert m365.licenses(tenant, ann.id) == {E3}
    change = stored(uows, change_id)
    assert change is not None and change.status is ScheduledStatus.DONE


def test_without_graph_credentials_the_run_fails_and_says_why(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann, change_id = ann_due_now(m365, tenant, graph, uows)
    assert run_due(uow=uows(), render=told, provider=None) == [change_id]
    change = stored(uows, change_id)
    assert (
        change is not None and change.status is ScheduledStatus.FAILED and "LICENSEBOT_GRAPH" in (change.outcome or "")
    )
    assert m365.licenses(tenant, ann.id) == set()


def test_a_user_gone_from_the_tenant_by_then_fails_with_the_reason(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann, change_id = ann_due_now(m365, tenant, graph, uows)
    m365.remove_user(tenant, ann.id)
    sync_tenant("contoso", provider=graph, uow=uows())  # the mirror loses her too
    assert run_due(uow=uows(), render=told, provider=graph) == [change_id]
    change = stored(uows, change_id)
    assert change is not None and change.status is ScheduledStatus.FAILED and "unknown_user" in (change.outcome or "")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.slow  # starts a licensebot process and kills it
def test_a_replica_killed_mid_run_leaves_the_change_to_another_which_applies_it_once(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory, migrated_url: str, tmp_path: Path
) -> None:
    made = generate_users(m365.tenant(tenant), 45)
    m365.tenant(tenant).skus[E3].enabled = 100
    sync_tenant("contoso", provider=graph, uow=uows())
    change_id = due_now(uows, tuple(u.upn for u in made))
    env = {**os.environ, **graph_env(m365, migrated_url), "LICENSEBOT_GRAPH_BATCHES_IN_FLIGHT": "1"}
    kill_mid_batch(m365, ["scheduled", "run"], env, tmp_path)
    running = stored(uows, change_id)
    assert running is not None and running.status is ScheduledStatus.RUNNING  # claimed, never finished
    assert run_due(uow=uows(), render=told, provider=graph) == []  # still held by the dead replica's lease
    later = lambda: utcnow() + timedelta(minutes=11)  # noqa: E731
    reconcile(provider=graph, uow=uows(), render=None, clock=later)  # the sync first records what the tenant did
    calls = m365.graph_requests()
    assert run_due(uow=uows(), render=told, provider=graph, clock=later) == [change_id]
    assert m365.graph_requests() == calls  # the save is replayed from its key, not sent again
    with uows() as uow:
        done = uow.scheduled.get(change_id)
        _, result = uow.batches.get_by_key(f"scheduled-{change_id}") or ("", None)
    assert done is not None and done.status in (ScheduledStatus.DONE, ScheduledStatus.FAILED)
    assert result is not None
    truth = {u.upn: E3 in m365.licenses(tenant, u.id) for u in made}
    assert 20 <= sum(truth.values()) < 45  # the kill really came mid-batch
    assert {o.user_id: o.status.value == "updated" for o in result.results} == truth
    assert run_due(uow=uows(), render=told, provider=graph, clock=lambda: utcnow() + timedelta(hours=1)) == []
    assert json.dumps(done.outcome)
