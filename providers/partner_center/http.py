"""One call to Partner Center: signed in to the partner's tenant, with MS-RequestId and MS-CorrelationId, throttling
waited out exactly as Retry-After says (until the deadline), and its refusals turned into OrderRefused with Partner
Center's own description."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import requests

from licensing.partner import OrderRefused
from licensing.tenants import ProviderError
from providers.graph.auth import TokenSource
from providers.graph.config import GraphConfig
from providers.graph.errors import AuthError, UnavailableError
from providers.graph.retry import RETRY_STATUSES, Backoff, retry_after

log = logging.getLogger(__name__)
STALE_ETAG = 2055  # "the ETag is no longer valid": read again and retry


class StaleEtag(Exception):
    """412, or code 2055: someone changed the subscription since it was read."""


class Unanswered(Exception):
    """The request left and no answer came back: a change may or may not have been made."""


class PartnerHttp:
    def __init__(
        self, config: GraphConfig, session: requests.Session, tokens: TokenSource, *, url: str, partner_tenant: str
    ) -> None:
        self._config = config
        self._session = session
        self._tokens = tokens
        self._base = url.rstrip("/")
        self._partner = partner_tenant

    def call(self, method: str, path: str, *, json: Any = None, request_id: str | None = None) -> Any:
        """The answer's JSON. A GET is repeated after a lost answer; a PATCH is not (Unanswered: read it first)."""
        backoff = Backoff(time.monotonic() + self._config.retry_deadline)
        while True:
            try:
                response = self._send(method, path, json, request_id or str(uuid.uuid4()))
            except requests.RequestException as e:
                if method == "GET" and backoff.wait(None):
                    continue
                if method != "GET":
                    raise Unanswered(f"{method} {path}: {type(e).__name__}") from None
                raise ProviderError(f"Partner Center unreachable: {type(e).__name__}", unavailable=True) from None
            if response.status_code in (200, 201):
                return response.json()
            if response.status_code >= 500 and method != "GET":
                raise Unanswered(f"{method} {path}: {response.status_code}")  # a gateway's 504 may follow the change
            if response.status_code in RETRY_STATUSES:
                # Throttled (or a GET met a busy server): nothing was done, so the same request goes again.
                if backoff.wait(retry_after(response.headers.get("Retry-After"))):
                    continue
                raise ProviderError(f"Partner Center still busy ({response.status_code})", unavailable=True)
            raise _refusal(response)

    def _send(self, method: str, path: str, json: Any, request_id: str) -> requests.Response:
        try:
            token = self._tokens.token(self._partner)
        except AuthError as e:
            raise ProviderError(f"Partner Center sign-in refused: {e}", sent=False) from None
        except UnavailableError as e:
            raise ProviderError(str(e), unavailable=True, sent=False) from None
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "MS-RequestId": request_id,
            "MS-CorrelationId": str(uuid.uuid4()),
        }
        response = self._session.request(
            method, f"{self._base}{path}", json=json, headers=headers, timeout=self._config.timeout
        )
        log.debug("partner center: %s %s -> %d", method, path, response.status_code)
        return response


def _refusal(response: requests.Response) -> Exception:
    try:
        body = response.json()
        code, description = int(body.get("code") or 0), str(body.get("description") or "")
    except (ValueError, AttributeError, TypeError):
        code, description = 0, response.text[:200]
    if response.status_code == 412 or code == STALE_ETAG:
        return StaleEtag(description)
    if response.status_code == 401:
        return ProviderError(f"Partner Center refused the app's token: {description}", sent=False)
    return OrderRefused(code, description or f"HTTP {response.status_code}")
