"""Sync: the tenant's seats and users, mirrored; what disappeared leaves; drift is picked up."""

from __future__ import annotations

from fakes.m365 import FakeM365, Sku, generate_users
from fakes.m365.seed import E1, E3, VISIO
from licensing import queries
from licensing.connected.sync import refresh_seats, sync_all, sync_tenant
from providers.graph.tenant import GraphTenants
from tests.tenants.helpers import ADMIN, UowFactory


def test_a_sync_mirrors_2500_users_over_pages_with_their_seats(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    generate_users(m365.tenant(tenant), 2500, licenses=(E1,))
    grace = m365.add_user(tenant, "grace@contoso.onmicrosoft.com", licenses=(E3,), group_licenses={VISIO: "g-1"})
    m365.tenant(tenant).skus[E1].enabled = 3000
    report = sync_tenant("contoso", provider=graph, uow=uows())
    assert (report.products, report.users) == (5, 2501)  # tenant-wide storage is no user product
    assert m365.requests["GET /v1.0/users"] == 3
    s = queries.summary("contoso", [grace.upn], actor=ADMIN, uow=uows())
    seats = {p.sku: (p.quantity, p.assigned, p.available) for p in s.products}
    assert seats["STANDARDPACK"] == (3000, 2500, 500) and seats["ENTERPRISEPACK"] == (25, 1, 24)
    names = {p.sku: p.name for p in s.products}
    assert names["STANDARDPACK"] == "Office 365 E1"  # the file's product, rules and all
    assert names["EXCHANGESTANDARD"] == "Exchange Online (Plan 1)"  # created from Microsoft's table
    [user] = s.selected
    assert user.licenses == {"ENTERPRISEPACK", "VISIOCLIENT"} and user.group_licenses == {"VISIOCLIENT"}
    again = sync_tenant("contoso", provider=graph, uow=uows())
    assert again.changes == 0


def test_drift_is_picked_up_and_what_disappeared_leaves_the_mirror(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    ann = m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    m365.add_user(tenant, "bob@contoso.onmicrosoft.com")
    m365.add_sku(tenant, Sku("0f0e0d0c-0000-4000-8000-000000000001", "CONTOSO_SPECIAL", enabled=5))
    sync_tenant("contoso", provider=graph, uow=uows())
    m365.set_licenses(tenant, ann.id, licenses=(E3,))  # an admin outside licensebot
    m365.remove_user(tenant, "bob@contoso.onmicrosoft.com")
    m365.remove_sku(tenant, "0f0e0d0c-0000-4000-8000-000000000001")
    report = sync_tenant("contoso", provider=graph, uow=uows())
    assert report.changes == 5  # Ann's licenses, Bob gone, the special product gone, E1 and E3 counts
    page = queries.page_users("contoso", actor=ADMIN, uow=uows())
    assert [(u.id, set(u.licenses)) for u in page.users] == [("ann@contoso.onmicrosoft.com", {"ENTERPRISEPACK"})]
    s = queries.summary("contoso", [], actor=ADMIN, uow=uows())
    assert "CONTOSO_SPECIAL" not in {p.sku for p in s.products}


def test_opening_manage_licenses_reads_the_seats_in_one_call(
    m365: FakeM365, tenant: str, graph: GraphTenants, uows: UowFactory
) -> None:
    sync_tenant("contoso", provider=graph, uow=uows())
    m365.tenant(tenant).skus[E3].enabled = 40
    before = m365.graph_requests()
    assert refresh_seats("contoso", provider=graph, uow=uows()) == 1
    assert m365.graph_requests() - before == 1
    s = queries.summary("contoso", [], actor=ADMIN, uow=uows())
    assert {p.sku: p.quantity for p in s.products}["ENTERPRISEPACK"] == 40


def test_a_tenant_that_fails_is_reported_and_the_others_still_sync(
    m365: FakeM365, graph: GraphTenants, uows: UowFactory
) -> None:
    # No such tenant in the fake: sign-in fails, with the reason, and no secret in it.
    [report] = sync_all(provider=graph, uow=uows())
    assert report.customer_id == "contoso" and report.error and "sign-in" in report.error
    assert m365.client_secret not in report.error
