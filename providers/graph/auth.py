"""App-only tokens per customer tenant through MSAL, cached in memory until they near expiry.

One ConfidentialClientApplication per tenant (its authority is the tenant), each with MSAL's in-memory token
cache: acquire_token_for_client answers from the cache and asks Entra ID again only about 5 minutes before
expiry, so a process makes one token request per tenant per token lifetime (about an hour).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Any

import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from providers.graph.config import DEFAULT_LOGIN_URL, GraphConfig
from providers.graph.errors import AuthError, UnavailableError

log = logging.getLogger(__name__)
_PEM = re.compile(r"-----BEGIN (?P<kind>[A-Z ]+)-----.+?-----END (?P=kind)-----", re.DOTALL)


class _MsalHttp:
    """MSAL's http_client: our shared session (and its CA setting), with our timeouts."""

    def __init__(self, session: requests.Session, timeout: tuple[float, float]) -> None:
        self._session = session
        self._timeout = timeout

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.post(url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.get(url, **kwargs)

    def close(self) -> None:  # the session outlives MSAL's apps
        pass


def certificate_credential(path: str) -> tuple[dict[str, str], str]:
    """MSAL's credential from one PEM file (private key + certificate), and the SHA-1 thumbprint admins see."""
    text = Path(path).read_text(encoding="ascii")
    blocks = {m["kind"]: m[0] for m in _PEM.finditer(text)}
    key = next((pem for kind, pem in blocks.items() if kind.endswith("PRIVATE KEY")), None)
    cert = blocks.get("CERTIFICATE")
    if key is None or cert is None:
        raise ValueError(f"{path} must hold a private key and a certificate (PEM)")
    der = x509.load_pem_x509_certificate(cert.encode()).public_bytes(Encoding.DER)
    # public_certificate lets MSAL compute the SHA-256 thumbprint (x5t#S256) and send x5c itself.
    return {"private_key": key, "public_certificate": cert}, hashlib.sha1(der).hexdigest().upper()


class TokenSource:
    def __init__(self, config: GraphConfig, session: requests.Session, *, scope: str | None = None) -> None:
        self._config = config
        self._scope = scope or config.scope  # the same app signs in to Partner Center too, with that API's scope
        self._http = _MsalHttp(session, config.timeout)
        self._credential: str | dict[str, str]
        self.thumbprint: str | None
        if config.certificate_path:
            self._credential, self.thumbprint = certificate_credential(config.certificate_path)
        else:
            self._credential, self.thumbprint = str(config.client_secret), None
        self._apps: dict[str, msal.ConfidentialClientApplication] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        kind = f"certificate {self.thumbprint}" if self.thumbprint else "client secret"
        return f"TokenSource(client_id={self._config.client_id!r}, {kind}, tenants={len(self._apps)})"

    def token(self, tenant: str) -> str:
        """A valid access token for the scope's API in `tenant` (a GUID or verified domain)."""
        with self._lock_for(tenant):  # threads asking for the same tenant wait for one request, not N
            try:
                app = self._apps.get(tenant) or self._new_app(tenant)
                result = app.acquire_token_for_client(scopes=[self._scope])
            except requests.RequestException as e:
                raise UnavailableError(f"cannot reach {self._config.login_url}: {type(e).__name__}") from None
        if "access_token" in result:
            return str(result["access_token"])
        raise AuthError(tenant, str(result.get("error")), self._scrub(str(result.get("error_description"))))

    def _new_app(self, tenant: str) -> msal.ConfidentialClientApplication:
        custom = self._config.login_url.rstrip("/") != DEFAULT_LOGIN_URL
        try:
            app = msal.ConfidentialClientApplication(
                self._config.client_id,
                client_credential=self._credential,
                authority=f"{self._config.login_url.rstrip('/')}/{tenant}",
                http_client=self._http,
                # A non-default login host (sovereign cloud, test fake) is not known to Microsoft's instance
                # discovery; skipping it also keeps MSAL from calling login.microsoftonline.com at all.
                instance_discovery=False if custom else None,
            )
        except ValueError as e:  # OIDC discovery refused: usually an unknown tenant
            raise AuthError(tenant, "invalid_tenant", self._scrub(str(e))) from None
        self._apps[tenant] = app
        log.info("graph: signed-in app ready for tenant %s (%r)", tenant, self)
        return app

    def _lock_for(self, tenant: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(tenant, threading.Lock())

    def _scrub(self, text: str) -> str:
        secret = self._config.client_secret
        return text.replace(secret, "***") if secret else text
