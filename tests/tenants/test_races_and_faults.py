"""Two replicas racing for the last seats, throttling storms, and the secret kept out of the logs."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import E3
from licensing import queries
from licensing.connected.sync import sync_all, sync_tenant
from licensing.results import BatchResult, ErrorCode, Status
from licensing.service import apply, make_change
from licensing.types import utcnow
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from tests.m365.helpers import config_for
from tests.tenants.helpers import ADMIN, UowFactory


def test_two_replicas_racing_for_the_last_seats_the_tenant_decides_and_nothing_is_lost(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    made = generate_users(m365.tenant(tenant), 8)
    m365.tenant(tenant).skus[E3].enabled = 3
    sync_tenant("contoso", provider=graph, uow=uows())
    start = threading.Barrier(2)
    results: list[BatchResult] = []

    def replica(users: list[str]) -> None:
        with GraphClient(config_for(m365)) as client:  # each replica its own client and connections
            start.wait(timeout=10)
            change = make_change("contoso", users, assign=["ENTERPRISEPACK"])
            results.append(apply(change, actor=ADMIN, uow=uows(), provider=GraphTenants(client)))

    racers = [threading.Thread(target=replica, args=([u.upn for u in made[i::2]],)) for i in range(2)]
    for r in racers:
        r.start()
    for r in racers:
        r.join(timeout=60)
    outcomes = [o for result in results for o in result.results]
    assert len(results) == 2 and len(outcomes) == 8
    won = {o.user_id for o in outcomes if o.status is Status.UPDATED}
    assert won == {u.upn for u in made if E3 in m365.licenses(tenant, u.id)} and len(won) == 3
    lost = [e.code for o in outcomes if o.status is Status.FAILED for e in o.errors]
    assert lost == [ErrorCode.INSUFFICIENT_LICENSES] * 5
    with uows() as uow:  # both batches recorded, none left in flight
        assert uow.remote.expired(utcnow() + timedelta(days=1)) == []
        assert all(uow.audit.for_batch(r.batch_id or "") for r in results)
    s = queries.summary("contoso", [u.upn for u in made], actor=ADMIN, uow=uows())
    e3 = next(p for p in s.products if p.sku == "ENTERPRISEPACK")
    assert (e3.quantity, e3.assigned, set(e3.holders)) == (3, 3, won)  # the mirror agrees with the tenant


def test_a_storm_of_429s_is_waited_out_and_every_user_changed_once(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    made = generate_users(m365.tenant(tenant), 60)
    m365.tenant(tenant).skus[E3].enabled = 100
    sync_tenant("contoso", provider=graph, uow=uows())
    m365.fail_next(6, status=429, retry_after=0.1, method="POST", path=r"\$batch")  # whole batches
    m365.fail_next(25, status=429, retry_after=0.1, inner=True, path="assignLicense")  # parts of batches
    result = apply(
        make_change("contoso", [u.upn for u in made], assign=["ENTERPRISEPACK"]),
        actor=ADMIN,
        uow=uows(),
        provider=graph,
    )
    assert {o.status for o in result.results} == {Status.UPDATED}
    assert all(m365.licenses(tenant, u.id) == {E3} for u in made)
    assert m365.consumed(tenant, E3) == 60


def test_the_secret_never_reaches_the_logs(
    m365: FakeM365, tenant: str, uows: UowFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    m365.add_user(tenant, "ann@contoso.onmicrosoft.com")
    with GraphClient(config_for(m365)) as good:
        sync_tenant("contoso", provider=GraphTenants(good), uow=uows())
        apply(
            make_change("contoso", ["ann@contoso.onmicrosoft.com"], assign=["ENTERPRISEPACK"]),
            actor=ADMIN,
            uow=uows(),
            provider=GraphTenants(good),
        )
    with GraphClient(config_for(m365, client_secret="wrong-" + m365.client_secret)) as bad:
        [report] = sync_all(provider=GraphTenants(bad), uow=uows())
        logging.getLogger("test").warning("sync failed: %s (%r)", report.error, bad)
    assert report.error
    assert m365.client_secret not in caplog.text and m365.client_secret not in report.error
