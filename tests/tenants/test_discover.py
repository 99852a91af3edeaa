"""`licensebot customers discover [--json] [--add]`: the partner's customers from the fake Partner Center, those
the directory knows marked, the new ones added as connected customers without touching what exists."""

from __future__ import annotations

import json

import pytest

from fakes.m365 import FakeM365
from tests.partner_center.helpers import Shop
from tests.tenants.helpers import UowFactory

FABRIKAM = "6a3c0b9e-0000-4000-8000-00000000fab1"


@pytest.fixture
def fabrikam(m365: FakeM365, shop: Shop) -> None:
    m365.partner.add_customer(FABRIKAM, "Fabrikam <Inc>", "fabrikam.onmicrosoft.com")
    m365.partner.add_customer("6a3c0b9e-0000-4000-8000-0000000000a1", "Another Local", "local.onmicrosoft.com")


def test_discover_lists_partner_center_customers_marking_the_known_ones(
    partner_cli, shop: Shop, fabrikam: None
) -> None:  # type: ignore[no-untyped-def]
    listed = partner_cli("customers", "discover", "--json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == {
        "customers": [
            {
                "name": "Another Local",
                "domain": "local.onmicrosoft.com",
                "tenant_id": "6a3c0b9e-0000-4000-8000-0000000000a1",
                "known": False,
            },
            {"name": "Contoso Ltd", "domain": "contoso.onmicrosoft.com", "tenant_id": shop.tenant_id, "known": True},
            {"name": "Fabrikam <Inc>", "domain": "fabrikam.onmicrosoft.com", "tenant_id": FABRIKAM, "known": False},
        ]
    }
    table = partner_cli("customers", "discover")
    assert "Contoso Ltd" in table.output and "known" in table.output and "new" in table.output
    assert partner_cli("customers", "--json").exit_code == 0  # the directory's own list is still there


def test_add_connects_the_new_ones_and_touches_nothing_that_exists(
    partner_cli, uows: UowFactory, fabrikam: None
) -> None:  # type: ignore[no-untyped-def]
    with uows() as uow:
        before = uow.customers.get("local")
    added = partner_cli("customers", "discover", "--add")
    assert added.exit_code == 0, added.output
    assert "added as fabrikam" in added.output and "not added: id local is taken" in added.output
    with uows() as uow:
        fab = uow.mirror.get("fabrikam")
        assert fab is not None and fab.tenant_id == FABRIKAM
        assert uow.customers.get("fabrikam").name == "Fabrikam <Inc>"  # type: ignore[union-attr]
        assert uow.customers.get("local") == before and uow.mirror.get("local") is None  # the local one is untouched
    again = partner_cli("customers", "discover", "--json", "--add")
    assert [c["known"] for c in json.loads(again.output)["customers"]] == [False, True, True]


def test_without_partner_center_settings_discover_says_what_to_set(
    partner_cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LICENSEBOT_PARTNER_TENANT_ID")
    done = partner_cli("customers", "discover")
    assert (
        done.exit_code == 2
        and done.output.strip()
        == "error: set LICENSEBOT_PARTNER_TENANT_ID (and the Graph app: LICENSEBOT_GRAPH_CLIENT_ID and its secret)"
    )
