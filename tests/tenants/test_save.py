"""Saving for a connected customer against the fake Microsoft 365 over HTTPS: the tenant decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fakes.m365 import FakeM365
from fakes.m365.seed import ARCHIVING, E1, E3, EXCHANGE_P1
from licensing import queries
from licensing.connected.sync import sync_tenant
from licensing.errors import IdempotencyKeyReused
from licensing.notifications import OutgoingThread
from licensing.results import BatchResult, ErrorCode, Status
from licensing.service import apply, make_change
from licensing.types import utcnow
from providers.graph.tenant import GraphTenants
from tests.tenants.helpers import ADMIN, ASSIGNED, Racing, UowFactory, assert_mirror_matches

ANN, BOB = "ann@contoso.onmicrosoft.com", "bob@contoso.onmicrosoft.com"
E1_, E3_, EXO, ARCHIVE, VISIO_ = (
    "STANDARDPACK",
    "ENTERPRISEPACK",
    "EXCHANGESTANDARD",
    "EXCHANGEARCHIVE_ADDON",
    "VISIOCLIENT",
)


def save(uows: UowFactory, graph: GraphTenants, users: list[str], **kw: Any) -> BatchResult:
    key, clock = kw.pop("key", None), kw.pop("clock", utcnow)
    threads: list[OutgoingThread] = []

    def notify(result: BatchResult) -> OutgoingThread:
        threads.append(OutgoingThread("C1", ADMIN, {"text": "done"}, (), result.batch_id))
        return threads[-1]

    result = apply(
        make_change("contoso", users, **kw),
        actor=ADMIN,
        uow=uows(),
        provider=graph,
        notify=notify,
        idempotency_key=key,
        clock=clock,
    )
    assert len(threads) == (0 if result.replayed else 1)  # the confirmation is queued with the outcome
    return result


def holds(uows: UowFactory, user: str) -> set[str]:
    return set(queries.summary("contoso", [user], actor=ADMIN, uow=uows()).selected[0].licenses)


def seats(uows: UowFactory) -> dict[str, tuple[int, int]]:
    return {p.sku: (p.quantity, p.assigned) for p in queries.summary("contoso", [], actor=ADMIN, uow=uows()).products}


def test_a_swap_is_one_call_and_the_mirror_follows_the_tenant(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, licenses=(E1,))
    sync_tenant("contoso", provider=graph, uow=uows())
    result = save(uows, graph, [ANN], assign=[E3_], revoke=[E1_])
    assert [(o.status, o.assigned, o.revoked) for o in result.results] == [(Status.UPDATED, (E3_,), (E1_,))]
    assert m365.licenses(tenant, ann.id) == {E3}
    assert m365.requests["$batch POST /v1.0/users/{id}/assignLicense"] == 1
    assert holds(uows, ANN) == {E3_}
    assert seats(uows)[E3_] == (25, 1) and seats(uows)[E1_] == (25, 0)  # counts from one more subscribedSkus read
    with uows() as uow:
        assert {(e.action, e.outcome) for e in uow.audit.for_batch(result.batch_id or "")} == {
            ("assign", "applied"),
            ("revoke", "applied"),
        }


def test_the_location_goes_first_then_the_license(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, ANN, usage_location=None)
    sync_tenant("contoso", provider=graph, uow=uows())
    [o] = save(uows, graph, [ANN], assign=[E3_], location="NL").results
    assert (o.status, o.location) == (Status.UPDATED, "NL")
    assert m365.user(tenant, ann.id).usage_location == "NL" and m365.licenses(tenant, ann.id) == {E3}
    assert queries.summary("contoso", [ANN], actor=ADMIN, uow=uows()).selected[0].location == "NL"


def test_a_replayed_key_never_calls_graph_again(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    m365.add_user(tenant, ANN)
    sync_tenant("contoso", provider=graph, uow=uows())
    first = save(uows, graph, [ANN], assign=[E3_], key="k1")
    calls = m365.graph_requests()
    again = save(uows, graph, [ANN], assign=[E3_], key="k1")
    assert again.replayed and again.batch_id == first.batch_id and m365.graph_requests() == calls
    with pytest.raises(IdempotencyKeyReused):
        save(uows, graph, [ANN], assign=[VISIO_], key="k1")


def drift(kind: str) -> Callable[[FakeM365, str, str], None]:
    """What changes in the tenant after licensebot read the user, so that only the tenant can refuse."""

    def run(m365: FakeM365, tenant: str, user: str) -> None:
        if kind == "seats":
            m365.tenant(tenant).skus[E3].enabled = 0
        elif kind == "location":
            m365.user(tenant, user).usage_location = None
        elif kind == "group":
            m365.set_licenses(tenant, user, licenses=(), group_licenses={EXCHANGE_P1: "g-1"})
        elif kind == "gone":
            m365.remove_user(tenant, user)
        elif kind == "revoked":
            m365.set_licenses(tenant, user, licenses=())
        elif kind == "throttled":
            m365.fail_next(1000, status=429, retry_after=0.2, inner=True, path="assignLicense")

    return run


@pytest.mark.parametrize(
    ("held", "change", "kind", "code"),
    [
        ((), {"assign": [E3_]}, "seats", ErrorCode.INSUFFICIENT_LICENSES),
        ((), {"assign": [E3_]}, "location", ErrorCode.USAGE_LOCATION_MISSING),
        ((E3,), {"assign": [EXO]}, "", ErrorCode.MUTUALLY_EXCLUSIVE),
        ((), {"assign": [ARCHIVE]}, "", ErrorCode.DEPENDENCY_MISSING),
        ((EXCHANGE_P1, ARCHIVING), {"revoke": [EXO]}, "", ErrorCode.DEPENDENCY_IN_USE),
        ((EXCHANGE_P1,), {"revoke": [EXO]}, "group", ErrorCode.GROUP_ASSIGNED),
        ((), {"assign": [E3_]}, "gone", ErrorCode.UNKNOWN_USER),
        ((), {"assign": [E3_]}, "throttled", ErrorCode.PROVIDER_UNAVAILABLE),
    ],
)
def test_each_refusal_of_the_tenant_reads_plainly_with_its_code(
    m365: FakeM365,
    tenant: str,
    graph: GraphTenants,
    uows: UowFactory,
    held: tuple[str, ...],
    change: dict[str, list[str]],
    kind: str,
    code: ErrorCode,
) -> None:
    user = m365.add_user(tenant, ANN, licenses=held)
    sync_tenant("contoso", provider=graph, uow=uows())
    racing = Racing(graph.client, lambda: drift(kind)(m365, tenant, user.id))
    [o] = save(uows, racing, [ANN], **change).results
    assert o.status is Status.FAILED and [e.code for e in o.errors] == [code]
    assert "Microsoft 365" in o.errors[0].message and "-" * 4 not in o.errors[0].message  # no GUIDs
    if kind != "gone":
        assert m365.licenses(tenant, user.id) == set(held) | ({EXCHANGE_P1} if kind == "group" else set())
    assert_mirror_matches(m365, tenant, uows)


@pytest.mark.parametrize(
    ("kind", "held", "change", "code", "says"),
    [
        ("seats", (), {"assign": [E3_]}, ErrorCode.INSUFFICIENT_LICENSES, "No Office 365 E3 license left"),
        ("location", (), {"assign": [E3_]}, ErrorCode.USAGE_LOCATION_MISSING, "has no usage location"),
        ("group", (EXCHANGE_P1,), {"revoke": [EXO]}, ErrorCode.GROUP_ASSIGNED, "through a group"),
        ("gone", (), {"assign": [E3_]}, ErrorCode.UNKNOWN_USER, "No user"),
    ],
)
def test_a_change_the_tenant_shows_before_the_save_is_planned_against_and_nothing_is_sent(
    m365: FakeM365,
    tenant: str,
    graph: GraphTenants,
    uows: UowFactory,
    kind: str,
    held: tuple[str, ...],
    change: dict[str, list[str]],
    code: ErrorCode,
    says: str,
) -> None:
    user = m365.add_user(tenant, ANN, licenses=held)
    sync_tenant("contoso", provider=graph, uow=uows())
    drift(kind)(m365, tenant, user.id)  # since the sync: the mirror is stale, the tenant is not
    [o] = save(uows, graph, [ANN], **change).results
    assert o.status is Status.FAILED and [e.code for e in o.errors] == [code] and says in o.errors[0].message
    assert m365.requests[ASSIGNED] == 0
    assert_mirror_matches(m365, tenant, uows)


def test_a_revoke_the_tenant_already_shows_done_is_no_failure(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    user = m365.add_user(tenant, ANN, licenses=(EXCHANGE_P1, E1))
    sync_tenant("contoso", provider=graph, uow=uows())
    # Between licensebot's read and its write an admin takes Exchange away: Graph refuses the revoke ("does not
    # have a corresponding license"), and the read back shows the user as the operator wanted.
    racing = Racing(graph.client, lambda: m365.set_licenses(tenant, user.id, licenses=(E1,)))
    [o] = save(uows, racing, [ANN], revoke=[EXO]).results
    assert (o.status, o.revoked, o.errors) == (Status.UPDATED, (EXO,), ())
    assert m365.requests[ASSIGNED] == 1
    assert holds(uows, ANN) == {E1_}
    assert_mirror_matches(m365, tenant, uows)
