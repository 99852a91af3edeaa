"""The Microsoft identity platform endpoints MSAL uses for the client-credentials flow.

Errors have Entra ID's JSON shape ({error, error_description "AADSTS…", error_codes, …}) so the client's error
handling is exercised with realistic text. Only the pieces a daemon app needs are implemented.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding

from fakes.m365.directory import Directory

# Partner Center's resource: its tokens are asked for by this name wherever the API is reached.
PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def openid_configuration(login_url: str, tenant_id: str) -> dict[str, Any]:
    base = f"{login_url}/{tenant_id}"
    return {
        "issuer": f"{login_url}/{tenant_id}/v2.0",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "jwks_uri": f"{login_url}/{tenant_id}/discovery/v2.0/keys",
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "tenant_region_scope": "NA",
    }


def aad_error(error: str, code: int, text: str, login_url: str) -> dict[str, Any]:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"{login_url}/error?code={code}",
    }


def issue_token(
    directory: Directory, *, tenant_name: str, form: dict[str, str], login_url: str, graph_url: str
) -> tuple[int, dict[str, Any]]:
    """Handles POST /{tenant}/oauth2/v2.0/token for grant_type=client_credentials."""
    tenant = directory.find_tenant(tenant_name)
    if tenant is None:
        text = f"Tenant '{tenant_name}' not found. Check to make sure you have the correct tenant ID."
        return 400, aad_error("invalid_request", 90002, text, login_url)
    if form.get("grant_type") != "client_credentials":
        return 400, aad_error(
            "unsupported_grant_type", 70003, "The app requested an unsupported grant type.", login_url
        )
    client_id = form.get("client_id", "")
    app = directory.apps.get(client_id)
    if app is None:
        text = (
            f"Application with identifier '{client_id}' was not found in the directory '{tenant.domains[0]}'. "
            "This can happen if the application has not been installed by the administrator of the tenant."
        )
        return 400, aad_error("unauthorized_client", 700016, text, login_url)
    scopes = set(form.get("scope", "").split()) - {"offline_access", "openid", "profile"}
    audiences = {f"{graph_url}/.default": "graph", PARTNER_CENTER_SCOPE: "partner_center"}
    if len(scopes) != 1 or next(iter(scopes)) not in audiences:
        text = (
            f"The provided value for scope {' '.join(sorted(scopes))} is not valid. Client credential flows "
            "must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
        )
        return 400, aad_error("invalid_scope", 1002012, text, login_url)
    token_endpoint = f"{login_url}/{tenant_name}/oauth2/v2.0/token"
    refusal = _check_credential(app.secrets, app.certificates, form, client_id, token_endpoint)
    if refusal is not None:
        code, text = refusal
        return 401, aad_error("invalid_client", code, text, login_url)
    token = directory.issue_token(tenant.id, audiences[next(iter(scopes))])
    lifetime = directory.token_lifetime
    return 200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}


def _check_credential(
    secrets: set[str], certificates: list[bytes], form: dict[str, str], client_id: str, audience: str
) -> tuple[int, str] | None:
    if "client_secret" in form:
        if form["client_secret"] in secrets:
            return None
        return 7000215, (
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
            f"value, not the client secret ID, for a secret added to app '{client_id}'."
        )
    if form.get("client_assertion_type") == ASSERTION_TYPE and form.get("client_assertion"):
        return _check_assertion(certificates, form["client_assertion"], client_id, audience)
    return 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."


def _check_assertion(
    certificates: list[bytes], assertion: str, client_id: str, audience: str
) -> tuple[int, str] | None:
    """Verifies a private_key_jwt: known certificate (by x5t#S256 or x5t), signature, audience, issuer."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return 700025, "Client assertion is not a valid JWT."
    for pem in certificates:
        cert = x509.load_pem_x509_certificate(pem)
        der = cert.public_bytes(Encoding.DER)
        # base64url with or without padding: MSAL keeps the "=", RFC 7515 drops it.
        sha256, sha1 = str(header.get("x5t#S256", "")).rstrip("="), str(header.get("x5t", "")).rstrip("=")
        if sha256 == _b64(hashlib.sha256(der).digest()) or sha1 == _b64(hashlib.sha1(der).digest()):
            key = cert.public_key()
            if not isinstance(key, RSAPublicKey):  # Entra ID takes RSA certificates only
                return 700027, "Client assertion contains an invalid signature."
            try:
                claims = jwt.decode(assertion, key, algorithms=["PS256", "RS256"], audience=audience)
            except jwt.PyJWTError:
                return 700027, "Client assertion contains an invalid signature."
            if claims.get("iss") != client_id or claims.get("sub") != client_id:
                return 700021, "Client assertion application identifier doesn't match 'client_id' parameter."
            return None
    return 700027, (
        "The certificate with identifier used to sign the client assertion is not registered on application."
    )


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
