from __future__ import annotations

from fakes.m365 import FakeM365, generate_users
from fakes.m365.seed import E1, E3, EXTRA_STORAGE, VISIO
from providers.graph import GraphClient


def test_subscribed_skus_are_the_user_products_with_seats(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    e3 = m365.tenant(tenant).skus[E3]
    e3.enabled, e3.warning, e3.suspended = 10, 3, 7
    m365.add_user(tenant, "ann@contoso.onmicrosoft.com", licenses=(E3,))
    skus = {s.sku_id: s for s in client.subscribed_skus(tenant)}
    assert EXTRA_STORAGE not in skus  # tenant-wide storage cannot go to a user
    assert (skus[E3].owned, skus[E3].assigned, skus[E3].available) == (13, 1, 12)
    assert skus[E3].name == "Office 365 E3"  # from Microsoft's table shipped in the package
    assert skus[E3].part_number == "ENTERPRISEPACK"


def test_an_unknown_product_is_named_by_its_part_number(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    from fakes.m365 import Sku

    m365.add_sku(tenant, Sku("0f0e0d0c-0000-4000-8000-000000000001", "CONTOSO_SPECIAL", enabled=5))
    names = {s.part_number: s.name for s in client.subscribed_skus(tenant)}
    assert names["CONTOSO_SPECIAL"] == "CONTOSO_SPECIAL"


def test_users_are_read_over_every_page(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    generate_users(m365.tenant(tenant), 2500, licenses=(E1,))
    grouped = m365.add_user(tenant, "grace@contoso.onmicrosoft.com", licenses=(E3,), group_licenses={VISIO: "g-1"})
    users = {u.id: u for u in client.users(tenant)}
    assert len(users) == 2501
    assert m365.requests["GET /v1.0/users"] == 3  # 999 a page
    licenses = {lic.sku_id: lic for lic in users[grouped.id].licenses}
    assert licenses[E3].direct and not licenses[E3].group_assigned
    assert licenses[VISIO].groups == ("g-1",) and not licenses[VISIO].direct
    assert users[grouped.id].usage_location == "US"


def test_users_are_read_back_by_id(m365: FakeM365, tenant: str, client: GraphClient) -> None:
    made = generate_users(m365.tenant(tenant), 30, licenses=(E1,))
    ids = [u.id for u in made] + ["3f2504e0-4f89-41d3-9a0c-0305e82c3301"]
    found = client.get_users(tenant, ids)
    assert found["3f2504e0-4f89-41d3-9a0c-0305e82c3301"] is None
    assert all(found[u.id] is not None and found[u.id].sku_ids == {E1} for u in made)  # type: ignore[union-attr]
    assert m365.requests["POST /v1.0/$batch"] == 2
