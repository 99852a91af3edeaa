from __future__ import annotations

import time

import jwt
import pytest
import requests
import trustme

from fakes.m365 import FakeM365
from tests.m365.helpers import Graph


def test_discovery_points_back_at_the_fake(graph: Graph) -> None:
    m365 = graph.m365
    url = f"{m365.login_url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
    config = graph.http.get(url, verify=m365.ca_pem_path).json()
    tenant_id = m365.tenant("contoso.onmicrosoft.com").id
    assert config["token_endpoint"] == f"{m365.login_url}/{tenant_id}/oauth2/v2.0/token"
    assert config["issuer"].startswith(m365.login_url)
    assert config["jwks_uri"].startswith(m365.login_url)


def test_a_wrong_secret_gets_entra_ids_error(graph: Graph) -> None:
    reply = graph.login("contoso.onmicrosoft.com", client_secret="not-it")
    assert reply.status_code == 401
    body = reply.json()
    assert body["error"] == "invalid_client"
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert body["error_codes"] == [7000215]
    assert "not-it" not in reply.text


def test_an_unknown_tenant_and_a_wrong_scope_are_refused(graph: Graph) -> None:
    assert graph.login("nowhere.example").json()["error_codes"] == [90002]
    wrong = graph.login("contoso.onmicrosoft.com", scope="https://graph.microsoft.com/User.Read")
    assert wrong.json()["error"] == "invalid_scope"


def test_tokens_are_counted_per_tenant_and_expire(m365: FakeM365) -> None:
    m365.directory.token_lifetime = 1
    now = [0.0]
    m365.directory.clock = lambda: now[0]
    m365.add_tenant("a.example")
    graph = Graph(m365, "a.example")
    graph.http.close()  # a fresh connection each time: the token is what is tested here
    graph.login("a.example")
    assert m365.token_requests("a.example") == 2
    assert graph.call("GET", "/subscribedSkus").status_code == 200
    now[0] += 1.1
    expired = graph.call("GET", "/subscribedSkus")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "InvalidAuthenticationToken"
    graph.http.close()


def _assertion(key_pem: bytes, cert: trustme.LeafCert, m365: FakeM365, audience: str) -> str:
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).public_bytes(Encoding.DER)
    x5t = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    now = int(time.time())
    claims = {"aud": audience, "iss": m365.client_id, "sub": m365.client_id, "iat": now, "exp": now + 600}
    return jwt.encode(claims, key_pem, algorithm="PS256", headers={"x5t#S256": x5t})


@pytest.mark.parametrize("registered", [True, False])
def test_a_certificate_assertion_is_checked_against_the_registered_certificate(graph: Graph, registered: bool) -> None:
    m365 = graph.m365
    cert = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert("licensebot", key_type=trustme.KeyType.RSA)
    if registered:
        m365.register_certificate(cert.cert_chain_pems[0].bytes())
    audience = f"{m365.login_url}/contoso.onmicrosoft.com/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": m365.client_id,
        "scope": f"{m365.graph_url}/.default",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion(cert.private_key_pem.bytes(), cert, m365, audience),
    }
    reply = requests.post(audience, data=form, verify=m365.ca_pem_path)
    if registered:
        assert reply.status_code == 200 and reply.json()["access_token"]
    else:
        assert reply.status_code == 401
        assert reply.json()["error_codes"] == [700027]
