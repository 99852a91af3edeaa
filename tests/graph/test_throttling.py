from __future__ import annotations

import time

import pytest

from fakes.m365 import FakeM365
from fakes.m365.seed import E3
from licensing.results import ErrorCode
from licensing.tenants import OperationStatus
from providers.graph import Change, GraphClient, UnavailableError
from tests.m365.helpers import config_for

ASSIGN = "$batch POST /v1.0/users/{id}/assignLicense"


def users(m365: FakeM365, tenant: str, n: int) -> list[str]:
    return [m365.add_user(tenant, f"u{i}@contoso.onmicrosoft.com").id for i in range(n)]


@pytest.mark.parametrize("status", [429, 503, 504])
def test_a_refused_batch_is_sent_again_after_retry_after(
    m365: FakeM365, tenant: str, client: GraphClient, status: int
) -> None:
    ids = users(m365, tenant, 3)
    client.subscribed_skus(tenant)  # sign in first, so only the batch is timed
    m365.fail_next(2, status=status, retry_after=0.3, method="POST", path=r"\$batch")
    started = time.monotonic()
    outcomes = client.apply(tenant, [Change(i, add=(E3,)) for i in ids])
    assert time.monotonic() - started >= 0.6
    assert [o.status for o in outcomes] == [OperationStatus.APPLIED] * 3
    assert m365.requests["POST /v1.0/$batch"] == 3
    assert m365.requests[ASSIGN] == 3  # the refused batches ran nothing


def test_throttled_requests_inside_a_batch_go_again_alone(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    ids = users(m365, tenant, 5)
    client.subscribed_skus(tenant)
    m365.fail_next(4, inner=True, retry_after=0.2, path="assignLicense")
    started = time.monotonic()
    outcomes = client.apply(tenant, [Change(i, add=(E3,)) for i in ids])
    assert time.monotonic() - started >= 0.2
    assert [o.status for o in outcomes] == [OperationStatus.APPLIED] * 5
    assert m365.requests[ASSIGN] == 5 + 4  # each succeeded request sent once, only the throttled ones again
    assert all(m365.licenses(tenant, i) == {E3} for i in ids)


def test_a_throttled_location_change_takes_its_license_change_with_it(
    m365: FakeM365, tenant: str, client: GraphClient
) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    m365.fail_next(1, inner=True, retry_after=0, method="PATCH")
    [outcome] = client.apply(tenant, [Change(user.id, add=(E3,), usage_location="DE")])
    assert outcome.status == OperationStatus.APPLIED and outcome.location_set
    assert m365.requests["$batch PATCH /v1.0/users/{id}"] == 2
    assert m365.requests[ASSIGN] == 1  # failed once as a dependant (424, not run), then run once


def test_a_succeeded_location_change_is_not_sent_again(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    m365.fail_next(2, inner=True, retry_after=0, path="assignLicense")
    [outcome] = client.apply(tenant, [Change(user.id, add=(E3,), usage_location="DE")])
    assert outcome.status == OperationStatus.APPLIED
    assert m365.requests["$batch PATCH /v1.0/users/{id}"] == 1
    assert m365.requests[ASSIGN] == 3


def test_past_the_deadline_the_user_fails_as_unavailable(m365: FakeM365, tenant: str) -> None:
    ids = users(m365, tenant, 2)
    m365.fail_next(1000, inner=True, retry_after=0.3, path="assignLicense")
    with GraphClient(config_for(m365, retry_deadline=1.0)) as graph:
        outcomes = graph.apply(tenant, [Change(i, add=(E3,)) for i in ids])
    assert {(o.status, o.code) for o in outcomes} == {(OperationStatus.FAILED, ErrorCode.PROVIDER_UNAVAILABLE)}
    assert all(m365.licenses(tenant, i) == set() for i in ids)


def test_reads_give_up_at_the_deadline(m365: FakeM365, tenant: str) -> None:
    m365.fail_next(1000, status=503, retry_after=0.3, method="GET", path="subscribedSkus")
    with GraphClient(config_for(m365, retry_deadline=1.0)) as graph:
        with pytest.raises(UnavailableError):
            graph.subscribed_skus(tenant)


def test_a_dropped_connection_leaves_the_batch_unknown_and_unrepeated(
    m365: FakeM365, tenant: str, client: GraphClient
) -> None:
    ids = users(m365, tenant, 4)
    m365.crash_next_batch(after=2)
    outcomes = client.apply(tenant, [Change(i, add=(E3,)) for i in ids])
    assert [o.status for o in outcomes] == [OperationStatus.UNKNOWN] * 4
    assert m365.requests["POST /v1.0/$batch"] == 1  # not sent again: two of them did run
    read_back = client.get_users(tenant, ids)
    assert [read_back[i].sku_ids for i in ids] == [{E3}, {E3}, set(), set()]  # type: ignore[union-attr]
