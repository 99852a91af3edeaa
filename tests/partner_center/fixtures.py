"""The fake Partner Center's standard shop, and a client for it: a pytest plugin (tests/conftest.py loads it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.m365 import FakeM365
from providers.partner_center import PartnerCenterClient
from tests.m365.helpers import config_for
from tests.partner_center.helpers import PARTNER, Shop, open_shop


@pytest.fixture
def shop(m365: FakeM365, tenant: str) -> Shop:
    """Contoso's tenant, and the partner selling it Visio (monthly) and E3 (annual) in Partner Center."""
    return open_shop(m365)


@pytest.fixture
def partner(m365: FakeM365, shop: Shop) -> Iterator[PartnerCenterClient]:
    client = PartnerCenterClient(config_for(m365), PARTNER, url=m365.partner_center_url)
    yield client
    client.close()
