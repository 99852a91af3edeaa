"""One requests.Session for Graph and login, trusting LICENSEBOT_CA_BUNDLE on top of the system's CAs.

requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace `session.verify` on every request, and OpenSSL reads
SSL_CERT_FILE, so neither knob alone makes our extra CA stick. The adapter below verifies every HTTPS connection
with its own SSLContext (defaults + certifi + the extra PEM), whatever `verify` requests derived from the
environment.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

import certifi
import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:  # the stubs name these private TypedDicts; requests itself returns plain dicts
    from requests.adapters import _HostParams, _PoolKwargs


class _TrustAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[_HostParams, _PoolKwargs]:
        host, pool = super().build_connection_pool_key_attributes(request, True, cert)
        pool["ssl_context"] = self._context
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # Always verify, and only with our context: no per-connection CA file from the environment.
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


def trust_context(ca_bundle: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    context.load_verify_locations(cafile=ca_bundle)
    return context


def make_session(ca_bundle: str | None, *, pool_size: int = 10) -> requests.Session:
    """With no ca_bundle this is a plain session (the environment's CA settings apply as usual)."""
    session = requests.Session()
    if ca_bundle:
        session.mount("https://", _TrustAdapter(trust_context(ca_bundle), pool_maxsize=pool_size))
    else:
        session.mount("https://", HTTPAdapter(pool_maxsize=pool_size))
    return session
