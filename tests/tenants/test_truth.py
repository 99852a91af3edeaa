"""The tenant's truth: a connected save changes exactly what was chosen, and the mirror matches Microsoft 365 after it,
whatever happened on the way. Against the fake Microsoft 365, which answers as Graph documents (tests/README.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest

from fakes.m365 import FakeM365, Sku, generate_users
from fakes.m365.seed import E3, SHAREPOINTENTERPRISE, TEAMS1, VISIO
from licensing import queries
from licensing.connected import remote
from licensing.connected.sync import refresh_seats, sync_tenant
from licensing.results import ErrorCode, Status
from licensing.service import apply, make_change
from licensing.tenants import Operation, OperationResult, RemoteSku, TenantSnapshot
from licensing.types import utcnow
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from tests.m365.helpers import config_for
from tests.outbox.helpers import Clock
from tests.tenants.helpers import ADMIN, ASSIGNED, Racing, UowFactory, assert_mirror_matches
from tests.tenants.test_save import ANN, BOB, E3_, VISIO_, holds, save

POWER_BI = "f8a1db68-be16-40ed-86d5-cb42ce701560"  # POWER_BI_PRO


def test_a_save_keeps_what_the_user_already_had(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    m365.add_user(tenant, ANN, usage_location="DE", licenses=(E3,), disabled_plans={E3: (TEAMS1.id,)})
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], assign=[VISIO_]).results
    assert (o.status, o.assigned) == (Status.UPDATED, (VISIO_,))
    # assignLicense answered with the default property set: nothing in it may empty the mirror.
    [ann] = queries.summary("contoso", [ANN], actor=ADMIN, uow=uows()).selected
    assert (set(ann.licenses), ann.location) == ({E3_, VISIO_}, "DE")
    with uows() as uow:
        [user] = uow.users.get_many("contoso", [ANN]).values()
    assert user.disabled_plans == {E3_: frozenset({"TEAMS1"})}
    assert_mirror_matches(m365, tenant, uows)


def test_a_stale_mirror_never_re_adds_a_license_and_so_never_turns_services_back_on(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN)
    sync_tenant("contoso", provider=graph, uow=uows())
    # Since the sync, the customer's admin gave Ann E3 with SharePoint turned off.
    m365.set_licenses(tenant, ann.id, licenses=(E3,), disabled_plans={E3: (SHAREPOINTENTERPRISE.id,)})
    [o] = save(uows, graph, [ANN], assign=[E3_, VISIO_]).results
    assert (o.status, o.assigned) == (Status.UPDATED, (VISIO_,))  # E3 she has: only Visio is sent
    assert m365.disabled_plans(tenant, ann.id, E3) == {SHAREPOINTENTERPRISE.id}
    [again] = save(uows, graph, [ANN], assign=[E3_]).results
    assert again.status is Status.UNCHANGED and m365.requests[ASSIGNED] == 1
    assert m365.disabled_plans(tenant, ann.id, E3) == {SHAREPOINTENTERPRISE.id}
    assert_mirror_matches(m365, tenant, uows)


@pytest.mark.parametrize("refusal", ["seats", "country"])
def test_a_location_set_before_a_refused_license_is_told_and_mirrored(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory, refusal: str
) -> None:
    ann = m365.add_user(tenant, ANN, usage_location=None)
    m365.add_user(tenant, BOB, usage_location="US")
    sync_tenant("contoso", provider=graph, uow=uows())

    def meanwhile() -> None:  # after licensebot read the seats: the last ones go outside licensebot
        if refusal == "seats":
            m365.set_owned(tenant, E3, 0)

    if refusal == "country":  # Microsoft 365 does not sell it there; the directory file does not say so
        m365.tenant(tenant).skus[E3].blocked_countries = frozenset({"FR"})
    result = save(uows, Racing(graph.client, meanwhile), [ANN], assign=[E3_], location="FR")
    [o] = result.results
    code = ErrorCode.INSUFFICIENT_LICENSES if refusal == "seats" else ErrorCode.LOCATION_NOT_ALLOWED
    assert (o.status, o.location, o.assigned, [e.code for e in o.errors]) == (Status.FAILED, "FR", (), [code])
    assert m365.user(tenant, ann.id).usage_location == "FR" and m365.licenses(tenant, ann.id) == set()
    assert queries.summary("contoso", [ANN], actor=ADMIN, uow=uows()).selected[0].location == "FR"
    with uows() as uow:
        said = {(e.action, e.outcome) for e in uow.audit.for_batch(result.batch_id or "")}
    assert said == {("set_location:FR", "applied"), ("assign", "failed")}
    assert_mirror_matches(m365, tenant, uows)


def test_the_result_line_says_what_did_change() -> None:
    from blocks.outcomes import outcome_line
    from blocks.viewmodels import OutcomeVM, ProblemVM

    problem = ProblemVM("insufficient_licenses", "No Project Plan 5 license left in Microsoft 365.")
    line = outcome_line(OutcomeVM("Ann", "ann@x", "failed", location="FR", errors=(problem,)))
    assert line == ":x: *Ann* — usage location set to FR; No Project Plan 5 license left in Microsoft 365."


def test_a_revoke_retried_after_its_answer_was_lost_is_no_failure(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(E3, VISIO))
    sync_tenant("contoso", provider=graph, uow=uows())
    # The revoke runs, its answer is lost (504); the client's retry is refused: she no longer holds it.
    m365.fail_after_running(1, status=504, retry_after=0.05)
    [o] = save(uows, graph, [ANN], revoke=[VISIO_]).results
    assert (o.status, o.revoked, o.errors) == (Status.UPDATED, (VISIO_,), ())
    assert m365.requests[ASSIGNED] == 2 and m365.licenses(tenant, ann.id) == {E3}
    assert holds(uows, ANN) == {E3_}
    assert_mirror_matches(m365, tenant, uows)


def test_a_revoke_of_a_license_a_group_also_gives_is_refused_not_reported_revoked(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(VISIO,), group_licenses={VISIO: "g-visio"})
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], revoke=[VISIO_]).results
    # Graph would answer 200 and she would keep Visio (and its seat) through the group.
    assert o.status is Status.FAILED and [e.code for e in o.errors] == [ErrorCode.GROUP_ASSIGNED]
    assert "through a group" in o.errors[0].message and m365.requests[ASSIGNED] == 0
    assert m365.licenses(tenant, ann.id) == {VISIO}
    assert_mirror_matches(m365, tenant, uows)


@pytest.mark.parametrize("fault", ["dropped", "throttled", "server_error"])
def test_the_mirror_matches_the_tenant_after_faults_mid_save(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory, fault: str
) -> None:
    made = generate_users(m365.tenant(tenant), 30)
    m365.set_owned(tenant, E3, 100)
    sync_tenant("contoso", provider=graph, uow=uows())

    def meanwhile() -> None:  # armed after the reads, so the fault hits the changes
        if fault == "dropped":
            m365.crash_next_batch(7)  # seven users changed, then the connection drops: no answer at all
        elif fault == "throttled":
            m365.fail_next(12, status=429, retry_after=0.05, inner=True, path="assignLicense")
        else:
            m365.fail_after_running(5, status=503, retry_after=0.05)

    result = save(uows, Racing(graph.client, meanwhile), [u.upn for u in made], assign=[E3_], location="GB")
    changed = {u.upn for u in made if E3 in m365.licenses(tenant, u.id)}
    assert {o.user_id for o in result.results if o.status is Status.UPDATED} == changed
    assert len(changed) == 30  # each user's change went through once, read back where the answer was lost
    assert_mirror_matches(m365, tenant, uows)


class SaveDuringSnapshot(GraphTenants):
    """The real provider: a sync's snapshot is read, then a save commits, then the sync writes what it read."""

    def __init__(self, client: GraphClient, uows: UowFactory, users: list[str], meanwhile: Callable[[], None]) -> None:
        super().__init__(client)
        self.uows, self.users, self.meanwhile = uows, users, meanwhile

    def snapshot(self, tenant: str) -> TenantSnapshot:
        taken = super().snapshot(tenant)
        self.meanwhile()
        change = make_change("contoso", self.users, assign=[VISIO_])
        apply(change, actor=ADMIN, uow=self.uows(), provider=GraphTenants(self.client))
        return taken


def test_a_sync_never_writes_its_older_snapshot_over_a_save_committed_meanwhile(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    m365.add_user(tenant, ANN, licenses=(E3,))
    bob = m365.add_user(tenant, BOB, licenses=(E3,))
    sync_tenant("contoso", provider=graph, uow=uows())
    # A product Bob holds in the snapshot, gone from the tenant before the save reads the seats: the fenced sync
    # takes the products from the mirror, which no longer has it, not from its older snapshot.
    m365.add_sku(tenant, Sku(POWER_BI, "POWER_BI_PRO", (), enabled=5))
    m365.set_licenses(tenant, bob.id, licenses=(E3, POWER_BI))

    def cancelled() -> None:
        m365.set_licenses(tenant, bob.id, licenses=(E3,))
        m365.remove_sku(tenant, POWER_BI)

    report = sync_tenant("contoso", provider=SaveDuringSnapshot(graph.client, uows, [ANN], cancelled), uow=uows())
    assert report.error is None
    assert holds(uows, ANN) == {E3_, VISIO_} and holds(uows, BOB) == {E3_}
    assert_mirror_matches(m365, tenant, uows)
    sync_tenant("contoso", provider=graph, uow=uows())  # the next sync has nothing newer to fence off
    assert_mirror_matches(m365, tenant, uows)


class SaveDuringSeatsRead(GraphTenants):
    """The real provider: opening Manage licenses reads the seats, then a save commits, then the read is written."""

    def __init__(self, client: GraphClient, uows: UowFactory) -> None:
        super().__init__(client)
        self.uows, self.saved = uows, False

    def skus(self, tenant: str) -> tuple[RemoteSku, ...]:
        taken = super().skus(tenant)
        if not self.saved:
            self.saved = True
            apply(
                make_change("contoso", [ANN], assign=[VISIO_]),
                actor=ADMIN,
                uow=self.uows(),
                provider=GraphTenants(self.client),
            )
        return taken


def test_seats_read_on_opening_never_overwrite_a_save_committed_meanwhile(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    m365.add_user(tenant, ANN)
    sync_tenant("contoso", provider=graph, uow=uows())
    refresh_seats("contoso", provider=SaveDuringSeatsRead(graph.client, uows), uow=uows())
    assert holds(uows, ANN) == {VISIO_} and m365.consumed(tenant, VISIO) == 1
    assert_mirror_matches(m365, tenant, uows)  # Visio 1 assigned, not the 0 read before the save
    refresh_seats("contoso", provider=graph, uow=uows())
    assert_mirror_matches(m365, tenant, uows)


class ReplicaBetweenBatches(GraphTenants):
    """The real provider, on a clock the test drives: each $batch of changes takes `took`, and just as it completes,
    before the saving process renews its lease, another replica looks for saves whose lease ran out."""

    def __init__(self, client: GraphClient, uows: UowFactory, clock: Clock, took: timedelta) -> None:
        super().__init__(client)
        self.uows, self.clock, self.took = uows, clock, took
        self.reconciled: list[str] = []

    def apply(
        self, tenant: str, operations: Sequence[Operation], progress: Callable[[], bool] | None = None
    ) -> list[OperationResult]:
        def batch_completed() -> bool:
            self.clock.advance(self.took.total_seconds())
            replica = GraphTenants(self.client)
            self.reconciled += remote.reconcile(
                provider=replica, uow=self.uows(), render=None, clock=self.clock, me="replica-2"
            )
            return progress() if progress is not None else True

        return super().apply(tenant, operations, batch_completed)


def test_a_long_save_keeps_its_lease_and_is_never_reconciled_while_it_runs(
    m365: FakeM365, tenant: str, uows: UowFactory
) -> None:
    made = generate_users(m365.tenant(tenant), 100)
    m365.set_owned(tenant, E3, 200)
    clock = Clock(start := utcnow())
    with GraphClient(config_for(m365, batches_in_flight=1)) as client:
        sync_tenant("contoso", provider=GraphTenants(client), uow=uows())
        # Five batches of changes, each taking 0.6 of the lease: the save takes three leases, renewed as it goes.
        graph = ReplicaBetweenBatches(client, uows, clock, remote.LEASE * 0.6)
        result = save(uows, graph, [u.upn for u in made], assign=[E3_], clock=clock)
    assert graph.reconciled == [] and result.note is None
    assert m365.requests[ASSIGNED] == 100 and clock.at - start > remote.LEASE * 2
    assert len(result.updated) == 100 and m365.consumed(tenant, E3) == 100
    with uows() as uow:
        assert uow.remote.expired(clock() + timedelta(days=1)) == []
    assert_mirror_matches(m365, tenant, uows)


def test_a_save_whose_lease_another_replica_took_sends_nothing_more(
    m365: FakeM365, tenant: str, uows: UowFactory
) -> None:
    made = generate_users(m365.tenant(tenant), 30)
    m365.set_owned(tenant, E3, 100)
    with GraphClient(config_for(m365, batches_in_flight=1)) as client:
        sync_tenant("contoso", provider=GraphTenants(client), uow=uows())
        # The first $batch of changes takes longer than the lease: another replica takes the save over meanwhile.
        graph = ReplicaBetweenBatches(client, uows, Clock(utcnow()), remote.LEASE * 1.5)
        with pytest.raises(remote.OutcomeUnknown):
            save(uows, graph, [u.upn for u in made], assign=[E3_], clock=graph.clock)
    # The first $batch (20 users) ran; the owner lost its lease before the second and sent it no more.
    assert m365.requests[ASSIGNED] == 20 and m365.consumed(tenant, E3) == 20
    assert len(graph.reconciled) == 1
