"""What the Partner Center tests share: the partner's own tenant, and Contoso as its customer with Visio bought
monthly (as many as the tenant's 25 seats) and E3 bought annually."""

from __future__ import annotations

from dataclasses import dataclass

from fakes.m365 import FakeM365
from fakes.m365.seed import E3, VISIO
from fakes.partner_center import Subscription
from tests.m365.helpers import TENANT

PARTNER = "partner.onmicrosoft.com"


@dataclass(frozen=True)
class Shop:
    tenant_id: str  # Contoso's tenant GUID, as Partner Center addresses it
    visio: Subscription
    e3: Subscription


def open_shop(m365: FakeM365) -> Shop:
    """The partner who sells Contoso (its tenant added first, with the standard SKUs, 25 seats each) its licenses."""
    partner = m365.add_tenant(PARTNER, skus=[])
    contoso = m365.tenant(TENANT)
    m365.partner.partner_tenant_id = partner.id
    m365.partner.add_customer(contoso.id, "Contoso Ltd", TENANT)
    visio = m365.partner.add_subscription(contoso.id, VISIO, "Visio Plan 2", 25)
    e3 = m365.partner.add_subscription(contoso.id, E3, "Office 365 E3", 25, billing_cycle="annual", term="P1Y")
    return Shop(contoso.id, visio, e3)
