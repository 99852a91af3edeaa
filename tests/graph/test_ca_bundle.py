from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from fakes.m365 import FakeM365
from providers.graph import GraphClient, GraphConfig, UnavailableError
from tests.m365.helpers import config_for


@pytest.fixture
def other_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment points every CA knob at some other CA, as this machine's (and many hosts') does."""
    pem = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(pem))
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(pem))
    return str(pem)


def test_the_extra_ca_is_trusted_despite_requests_ca_bundle(m365: FakeM365, tenant: str, other_ca: str) -> None:
    with GraphClient(config_for(m365)) as graph:
        assert graph.subscribed_skus(tenant)


def test_licensebot_ca_bundle_comes_from_the_environment(
    m365: FakeM365, tenant: str, other_ca: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICENSEBOT_CA_BUNDLE", m365.ca_pem_path)
    config = GraphConfig(
        client_id=m365.client_id, client_secret=m365.client_secret, graph_url=m365.graph_url, login_url=m365.login_url
    )
    assert config.ca_bundle == m365.ca_pem_path
    with GraphClient(config) as graph:
        assert graph.subscribed_skus(tenant)


def test_without_the_extra_ca_the_fake_is_not_trusted(m365: FakeM365, tenant: str, other_ca: str) -> None:
    with GraphClient(config_for(m365, ca_bundle=None)) as graph:
        with pytest.raises(UnavailableError, match="SSLError"):
            graph.subscribed_skus(tenant)
