from __future__ import annotations

import pytest

from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import ARCHIVING, E1, E3, EXCHANGE_P1, VISIO, standard_skus
from licensing.results import ErrorCode
from licensing.tenants import OperationStatus
from providers.graph import Change, GraphClient

UNKNOWN_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def one(client: GraphClient, tenant: str, change: Change) -> tuple[OperationStatus, ErrorCode | None, str | None]:
    [outcome] = client.apply(tenant, [change])
    return outcome.status, outcome.code, outcome.message


def test_an_assignment_is_read_back_with_its_groups_and_disabled_plans(
    m365: FakeM365, tenant: str, client: GraphClient
) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", group_licenses={VISIO: "g-visio"})
    [outcome] = client.apply(tenant, [Change(user.id, add=(E3,))])
    assert outcome.status == OperationStatus.APPLIED and outcome.code is None
    assert m365.licenses(tenant, user.id) == {E3, VISIO}
    # The answer to assignLicense carries no licenses: the user's state is what a read says.
    [read] = client.get_users(tenant, ["ann@contoso.onmicrosoft.com"]).values()
    assert read is not None and read.sku_ids == {E3, VISIO} and read.usage_location == "US"
    held = {lic.sku_id: lic for lic in read.licenses}
    assert held[VISIO].groups == ("g-visio",) and not held[VISIO].direct and held[E3].direct


def test_a_read_without_the_licenses_selected_is_refused_not_taken_for_none() -> None:
    from providers.graph.errors import GraphError
    from providers.graph.models import parse_user

    with pytest.raises(GraphError, match="carries no assignedLicenses, usageLocation"):
        parse_user({"id": "u1", "displayName": "Ann", "userPrincipalName": "ann@contoso.onmicrosoft.com"})


def test_a_swap_is_one_step(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    assert one(client, tenant, Change(user.id, add=(E3,), remove=(E1,)))[0] == OperationStatus.APPLIED
    assert m365.licenses(tenant, user.id) == {E3}
    assert m365.requests["$batch POST /v1.0/users/{id}/assignLicense"] == 1


def test_the_usage_location_is_set_before_the_licenses(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    [outcome] = client.apply(tenant, [Change(user.id, add=(E3,), usage_location="NL")])
    assert outcome.status == OperationStatus.APPLIED and outcome.location_set
    assert m365.user(tenant, user.id).usage_location == "NL"
    assert m365.licenses(tenant, user.id) == {E3}


def test_a_refused_location_stops_the_license_change(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    status, code, message = one(client, tenant, Change(user.id, add=(E3,), usage_location="Netherlands"))
    assert (status, code) == (OperationStatus.FAILED, ErrorCode.PROVIDER_ERROR)
    assert message == "Invalid value specified for property 'usageLocation' of resource 'User'."
    assert m365.licenses(tenant, user.id) == set()


@pytest.mark.parametrize(
    ("setup", "change", "code"),
    [
        ({"usage_location": None}, {"add": (E3,)}, ErrorCode.USAGE_LOCATION_MISSING),
        ({"licenses": (E1,)}, {"add": (E3,)}, ErrorCode.MUTUALLY_EXCLUSIVE),
        ({}, {"add": (ARCHIVING,)}, ErrorCode.DEPENDENCY_MISSING),
        ({"licenses": (EXCHANGE_P1, ARCHIVING)}, {"remove": (EXCHANGE_P1,)}, ErrorCode.DEPENDENCY_IN_USE),
        (
            {"licenses": (EXCHANGE_P1, ARCHIVING)},
            {"add": (VISIO,), "remove": (EXCHANGE_P1,)},
            ErrorCode.DEPENDENCY_IN_USE,
        ),
        ({"group_licenses": {E3: "g-e3"}}, {"remove": (E3,)}, ErrorCode.GROUP_ASSIGNED),
        ({"usage_location": "CU"}, {"add": (VISIO,)}, ErrorCode.USAGE_LOCATION_MISSING),
        ({}, {"remove": (E3,)}, ErrorCode.PROVIDER_ERROR),
    ],
)
def test_each_graph_refusal_has_its_code(
    m365: FakeM365,
    tenant: str,
    client: GraphClient,
    setup: dict[str, object],
    change: dict[str, tuple[str, ...]],
    code: ErrorCode,
) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", **setup)  # type: ignore[arg-type]
    before = m365.licenses(tenant, user.id)
    status, got, message = one(client, tenant, Change(user.id, **change))
    assert (status, got) == (OperationStatus.FAILED, code)
    assert message  # Graph's own words, for the operator
    assert m365.licenses(tenant, user.id) == before


def test_no_seats_left_names_the_product(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    m365.tenant(tenant).skus[E3].enabled = 1
    users = [m365.add_user(tenant, f"u{n}@contoso.onmicrosoft.com") for n in range(3)]
    outcomes = client.apply(tenant, [Change(u.id, add=(E3,)) for u in users])
    assert [o.status for o in outcomes] == [OperationStatus.APPLIED, OperationStatus.FAILED, OperationStatus.FAILED]
    assert {(o.code, o.sku) for o in outcomes[1:]} == {(ErrorCode.INSUFFICIENT_LICENSES, E3)}
    assert m365.consumed(tenant, E3) == 1


def test_a_location_set_that_is_still_refused_means_not_sold_there(
    m365: FakeM365, tenant: str, client: GraphClient
) -> None:
    user = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", usage_location=None)
    [outcome] = client.apply(tenant, [Change(user.id, add=(VISIO,), usage_location="CU")])
    assert (outcome.status, outcome.code, outcome.location_set) == (
        OperationStatus.FAILED,
        ErrorCode.LOCATION_NOT_ALLOWED,
        True,
    )


def test_an_unknown_user(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    assert one(client, tenant, Change(UNKNOWN_ID, add=(E3,)))[:2] == (OperationStatus.FAILED, ErrorCode.UNKNOWN_USER)


def test_a_thousand_users_two_products_in_few_requests(m365: FakeM365, client: GraphClient) -> None:
    m365.add_tenant("big.example", skus=standard_skus(seats=2000))
    users = generate_users(m365.tenant("big.example"), 1000)
    before = m365.graph_requests()
    outcomes = client.apply("big.example", [Change(u.id, add=(E3, VISIO)) for u in users])
    assert all(o.status == OperationStatus.APPLIED for o in outcomes)
    assert [o.user_id for o in outcomes] == [u.id for u in users]
    assert m365.graph_requests() - before <= 1000 / 20 + 5
    assert m365.consumed("big.example", E3) == m365.consumed("big.example", VISIO) == 1000
