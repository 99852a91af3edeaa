from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trustme

from fakes.m365 import FakeM365
from providers.graph import AuthError, GraphClient
from tests.m365.helpers import TENANT, config_for


def test_one_token_request_per_tenant_however_many_calls(m365: FakeM365, client: GraphClient) -> None:
    m365.add_tenant(TENANT)
    m365.add_tenant("fabrikam.onmicrosoft.com")
    for _ in range(10):
        client.subscribed_skus(TENANT)
        client.subscribed_skus("fabrikam.onmicrosoft.com")
        list(client.users(TENANT))
    assert m365.token_requests(TENANT) == 1
    assert m365.token_requests("fabrikam.onmicrosoft.com") == 1


def test_signs_in_with_a_certificate(m365: FakeM365, tmp_path: Path) -> None:
    m365.add_tenant(TENANT)
    cert = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("licensebot", key_type=trustme.KeyType.RSA)
    m365.register_certificate(cert.cert_chain_pems[0].bytes())
    pem = tmp_path / "licensebot.pem"
    pem.write_bytes(cert.private_key_pem.bytes() + cert.cert_chain_pems[0].bytes())
    with GraphClient(config_for(m365, client_secret=None, certificate_path=str(pem))) as graph:
        assert {s.part_number for s in graph.subscribed_skus(TENANT)} >= {"ENTERPRISEPACK"}
        assert graph.tokens.thumbprint and graph.tokens.thumbprint in repr(graph.tokens)
    assert m365.token_requests(TENANT) == 1


def test_an_unregistered_certificate_is_refused(m365: FakeM365, tmp_path: Path) -> None:
    m365.add_tenant(TENANT)
    cert = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("licensebot", key_type=trustme.KeyType.RSA)
    pem = tmp_path / "licensebot.pem"
    pem.write_bytes(cert.private_key_pem.bytes() + cert.cert_chain_pems[0].bytes())
    with GraphClient(config_for(m365, client_secret=None, certificate_path=str(pem))) as graph:
        with pytest.raises(AuthError, match="AADSTS700027"):
            graph.subscribed_skus(TENANT)


def test_a_wrong_secret_says_why_without_the_secret(m365: FakeM365, caplog: pytest.LogCaptureFixture) -> None:
    m365.add_tenant(TENANT)
    secret = "s3cr3t-Wrong-Value~"
    caplog.set_level(logging.DEBUG)
    with GraphClient(config_for(m365, client_secret=secret)) as graph:
        with pytest.raises(AuthError) as raised:
            graph.subscribed_skus(TENANT)
        assert secret not in repr(graph) + repr(graph.config) + repr(graph.tokens)
    assert "AADSTS7000215: Invalid client secret provided" in str(raised.value)
    assert raised.value.error == "invalid_client"
    assert secret not in str(raised.value) + repr(raised.value)
    assert secret not in caplog.text


def test_an_unknown_tenant_is_an_auth_error(m365: FakeM365, client: GraphClient) -> None:
    with pytest.raises(AuthError, match="nowhere.example"):
        client.subscribed_skus("nowhere.example")


def test_the_secret_and_token_never_reach_the_logs(
    m365: FakeM365, tenant: str, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    m365.add_user(tenant, "ann@contoso.onmicrosoft.com")
    client.subscribed_skus(tenant)
    list(client.users(tenant))
    token = client.tokens.token(tenant)
    assert "graph:" in caplog.text  # our own logging ran at this level
    assert token not in caplog.text
    assert m365.client_secret not in caplog.text
