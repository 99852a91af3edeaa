"""Services for a connected customer, against the fake Microsoft 365: each user's new list of disabled plans is
computed from the tenant's fresh read, sent as a re-add of the product (Graph replaces the list), and mirrored."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import ARCHIVING, E3, EXCHANGE_S_ENTERPRISE, OFFICESUBSCRIPTION, SHAREPOINTENTERPRISE, TEAMS1
from licensing import queries
from licensing.connected.remote import reconcile
from licensing.connected.sync import sync_tenant
from licensing.results import ErrorCode, ServiceChange, Status
from licensing.types import Switch, utcnow
from providers.graph.tenant import GraphTenants
from tests.tenants.helpers import (
    ADMIN,
    ASSIGNED,
    LICENSEBOT,
    UowFactory,
    assert_mirror_matches,
    graph_env,
    kill_mid_batch,
)
from tests.tenants.test_save import ANN, BOB, E3_, save

CY, DEE = "cy@contoso.onmicrosoft.com", "dee@contoso.onmicrosoft.com"
TEAMS_ON = {E3_: {"TEAMS1": Switch.ON}}
SHAREPOINT_OFF = {E3_: {"SHAREPOINTENTERPRISE": Switch.OFF}}


def test_one_service_off_and_one_on_for_three_users_in_mixed_states(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(E3,), disabled_plans={E3: (TEAMS1.id, OFFICESUBSCRIPTION.id)})
    bob = m365.add_user(tenant, BOB, licenses=(E3,))
    m365.add_user(tenant, CY)  # holds no E3: unchanged, and told so
    sync_tenant("contoso", provider=graph, uow=uows())
    before = m365.requests[ASSIGNED]
    result = save(
        uows, graph, [ANN, BOB, CY], services={E3_: {"TEAMS1": Switch.ON, "SHAREPOINTENTERPRISE": Switch.OFF}}
    )
    by_user = {o.user_id: o for o in result.results}
    sharepoint_off = ServiceChange(E3_, "SHAREPOINTENTERPRISE", "SharePoint (Plan 2)", on=False)
    assert by_user[ANN].services == (ServiceChange(E3_, "TEAMS1", "Microsoft Teams", on=True), sharepoint_off)
    assert by_user[BOB].services == (sharepoint_off,)
    assert (by_user[CY].status, by_user[CY].not_held) == (Status.UNCHANGED, (E3_,))
    # Apps stays off for Ann: her list is her own plus SharePoint, minus Teams; nothing else of hers changed.
    assert m365.disabled_plans(tenant, ann.id, E3) == {OFFICESUBSCRIPTION.id, SHAREPOINTENTERPRISE.id}
    assert m365.disabled_plans(tenant, bob.id, E3) == {SHAREPOINTENTERPRISE.id}
    assert m365.requests[ASSIGNED] == before + 2  # one assignLicense per user who holds E3
    assert_mirror_matches(m365, tenant, uows)
    e3 = next(p for p in queries.summary("contoso", [ANN, BOB, CY], actor=ADMIN, uow=uows()).products if p.sku == E3_)
    # The tenant's E3 (subscribedSkus) has four services, not the 37 of Microsoft's table: those are what it offers.
    assert [s.title for s in e3.services] == [
        "Exchange Online (Plan 2)",
        "Microsoft 365 Apps for Enterprise",
        "Microsoft Teams",
        "SharePoint (Plan 2)",
    ]
    states = {s.plan: (s.state.value, s.on, s.holders) for s in e3.services}
    assert states["TEAMS1"] == ("all", 2, 2) and states["OFFICESUBSCRIPTION"] == ("some", 1, 2)
    assert states["SHAREPOINTENTERPRISE"] == ("none", 0, 2)


def test_the_new_list_comes_from_the_tenant_read_now_not_from_the_mirror(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(E3,))
    sync_tenant("contoso", provider=graph, uow=uows())
    # Since the sync, the customer's admin turned Apps off for Ann; the mirror does not know.
    m365.set_licenses(tenant, ann.id, licenses=(E3,), disabled_plans={E3: (OFFICESUBSCRIPTION.id,)})
    [o] = save(uows, graph, [ANN], services=SHAREPOINT_OFF).results
    assert o.status is Status.UPDATED
    assert m365.disabled_plans(tenant, ann.id, E3) == {OFFICESUBSCRIPTION.id, SHAREPOINTENTERPRISE.id}
    assert_mirror_matches(m365, tenant, uows)


def test_a_service_already_as_chosen_sends_nothing(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    m365.add_user(tenant, ANN, licenses=(E3,))
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], services=TEAMS_ON).results
    assert (o.status, o.services) == (Status.UNCHANGED, ())
    assert m365.requests[ASSIGNED] == 0


def test_a_product_given_in_the_same_save_comes_with_the_chosen_services(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN)
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], assign=[E3_], services={E3_: {"TEAMS1": Switch.OFF}}).results
    assert (o.status, o.assigned, [c.text for c in o.services]) == (Status.UPDATED, (E3_,), ["Microsoft Teams off"])
    assert m365.disabled_plans(tenant, ann.id, E3) == {TEAMS1.id}
    assert m365.requests[ASSIGNED] == 1  # the product and its services in one call
    assert_mirror_matches(m365, tenant, uows)


def test_a_service_another_one_depends_on_is_refused_for_that_user_only(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(E3, ARCHIVING))  # her archive needs E3's Exchange
    bob = m365.add_user(tenant, BOB, licenses=(E3,))
    sync_tenant("contoso", provider=graph, uow=uows())
    result = save(uows, graph, [ANN, BOB], services={E3_: {"EXCHANGE_S_ENTERPRISE": Switch.OFF}})
    by_user = {o.user_id: o for o in result.results}
    [problem] = by_user[ANN].errors
    assert (by_user[ANN].status, by_user[ANN].services, problem.code) == (
        Status.FAILED,
        (),
        ErrorCode.SERVICE_DEPENDENCY,
    )
    assert "Exchange Online Archiving" in problem.message and "Exchange Online (Plan 2)" in problem.message
    assert m365.disabled_plans(tenant, ann.id, E3) == set()
    assert by_user[BOB].status is Status.UPDATED
    assert m365.disabled_plans(tenant, bob.id, E3) == {EXCHANGE_S_ENTERPRISE.id}
    assert_mirror_matches(m365, tenant, uows)


def test_a_service_the_tenants_product_does_not_have_is_refused_before_anything_is_sent(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    # Microsoft's table lists Sway in E3; this tenant's E3 (subscribedSkus) has no such plan.
    m365.add_user(tenant, ANN, licenses=(E3,))
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], services={E3_: {"SWAY": Switch.OFF}}).results
    assert (o.status, [e.code for e in o.errors]) == (Status.FAILED, [ErrorCode.UNKNOWN_SERVICE])
    assert "SWAY" in o.errors[0].message
    assert m365.requests[ASSIGNED] == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.slow  # starts a licensebot process and kills it
def test_a_services_save_killed_mid_batch_is_reconciled_from_the_tenant_and_never_sent_twice(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory, migrated_url: str, tmp_path: Path
) -> None:
    made = generate_users(m365.tenant(tenant), 45, licenses=(E3,))
    for u in made[::2]:  # half have Apps off already: their list must keep it
        m365.set_licenses(tenant, u.id, licenses=(E3,), disabled_plans={E3: (OFFICESUBSCRIPTION.id,)})
    sync_tenant("contoso", provider=graph, uow=uows())
    env = {**os.environ, **graph_env(m365, migrated_url), "LICENSEBOT_GRAPH_BATCHES_IN_FLIGHT": "1"}
    args = ["licenses", "apply", "contoso", "--users", ",".join(u.upn for u in made)]
    args += ["--disable", "ENTERPRISEPACK:TEAMS1", "--as", ADMIN, "--key", "k-teams"]
    kill_mid_batch(m365, args, env, tmp_path)
    later = lambda: utcnow() + timedelta(minutes=11)  # noqa: E731
    [batch_id] = reconcile(provider=graph, uow=uows(), render=None, clock=later)
    with uows() as uow:
        _, result = uow.batches.get_by_key("k-teams") or ("", None)
    assert result is not None and result.batch_id == batch_id
    truth = {u.upn: TEAMS1.id in m365.disabled_plans(tenant, u.id, E3) for u in made}
    assert {o.user_id: o.status for o in result.results} == {
        upn: Status.UPDATED if off else Status.FAILED for upn, off in truth.items()
    }
    assert 20 <= sum(truth.values()) < 45  # the kill really came mid-batch
    assert all(OFFICESUBSCRIPTION.id in m365.disabled_plans(tenant, u.id, E3) for u in made[::2])
    assert_mirror_matches(m365, tenant, uows)
    calls = m365.graph_requests()
    replay = subprocess.run([LICENSEBOT, *args, "--json"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert m365.graph_requests() == calls and json.loads(replay.stdout)["batch_id"] == batch_id
