"""Authenticated calls to Graph: GETs with retries, and $batch with per-request retries of throttled parts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from providers.graph.auth import TokenSource
from providers.graph.config import GraphConfig
from providers.graph.errors import RequestError, UnavailableError
from providers.graph.retry import RETRY_STATUSES, Backoff, retry_after

log = logging.getLogger(__name__)
BATCH_LIMIT = 20  # Graph's maximum number of requests in one $batch


@dataclass(frozen=True)
class Reply:
    """One inner request's final answer. status 0: no answer (connection lost), so it may or may not have run."""

    status: int
    body: Any = None
    unavailable: bool = False  # still throttled when the deadline came; it did not run


# Told the outcome of every HTTP call to Graph: its status code, or "unreachable" (the caller counts them).
Observe = Callable[[str], None]


class Transport:
    def __init__(
        self, config: GraphConfig, session: requests.Session, tokens: TokenSource, observe: Observe | None = None
    ) -> None:
        self._config = config
        self._session = session
        self._tokens = tokens
        self._observe = observe
        self.base = f"{config.graph_url.rstrip('/')}/v1.0"

    def get_json(self, tenant: str, url: str) -> Any:
        """GETs a Graph URL (relative to /v1.0, or a nextLink); waits out throttling until the deadline."""
        backoff = Backoff(time.monotonic() + self._config.retry_deadline)
        full = url if url.startswith("https://") else f"{self.base}{url}"
        while True:
            try:
                response = self._send(tenant, "GET", full)
            except requests.RequestException as e:  # a GET is safe to repeat
                if backoff.wait(None):
                    continue
                raise UnavailableError(f"Graph unreachable: {type(e).__name__}") from None
            if response.status_code == 200:
                return response.json()
            if response.status_code in RETRY_STATUSES and backoff.wait(
                retry_after(response.headers.get("Retry-After"))
            ):
                continue
            if response.status_code in RETRY_STATUSES:
                raise UnavailableError(f"Graph still busy ({response.status_code}) at the deadline")
            raise RequestError(response.status_code, _message(response))

    def batch(self, tenant: str, requests_: list[dict[str, Any]], backoff: Backoff) -> dict[str, Reply]:
        """Runs up to 20 inner requests, again and again for the throttled ones, never for one that got an answer.

        dependsOn may only point inside the list. A dependency that already succeeded is dropped on retry.
        """
        pending = {r["id"]: r for r in requests_}
        done: dict[str, Reply] = {}
        while pending:
            sent = [_without_done_dependencies(r, pending) for r in pending.values()]
            try:
                answers, wait = self._post_batch(tenant, sent)
            except requests.RequestException as e:
                # The batch may have run in part: report no answer instead of guessing or repeating it.
                log.warning("graph: $batch of %d for %s got no answer (%s)", len(sent), tenant, type(e).__name__)
                done.update({rid: Reply(0) for rid in pending})
                return done
            except RequestError as e:
                # 4xx: Graph refused the batch as a whole, so nothing ran; 5xx: it may have run in part.
                error = {"error": {"code": "BatchRefused", "message": e.message}}
                done.update({rid: Reply(e.status, error) if e.status < 500 else Reply(0) for rid in pending})
                return done
            if answers is not None:
                wait = self._settle(answers, pending, done)
            if not pending:
                break
            if not backoff.wait(wait):
                done.update({rid: Reply(503, unavailable=True) for rid in pending})
                break
        return done

    def _settle(
        self, answers: dict[str, dict[str, Any]], pending: dict[str, Any], done: dict[str, Reply]
    ) -> float | None:
        throttled: list[float | None] = []
        for rid, answer in answers.items():
            status = int(answer.get("status", 0))
            if status in RETRY_STATUSES:
                headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
                throttled.append(retry_after(headers.get("retry-after")))
            elif status == 424 and any(
                d in pending and answers.get(d, {}).get("status") in RETRY_STATUSES
                for d in pending[rid].get("dependsOn", [])
            ):
                continue  # its dependency was throttled: both go again
            else:
                done[rid] = Reply(status, answer.get("body"))
                del pending[rid]
        for rid in [r for r in pending if r not in answers]:  # Graph left one out: do not guess
            done[rid] = Reply(0)
            del pending[rid]
        known = [s for s in throttled if s is not None]
        return max(known) if known else None

    def _post_batch(
        self, tenant: str, sent: list[dict[str, Any]]
    ) -> tuple[dict[str, dict[str, Any]] | None, float | None]:
        response = self._send(tenant, "POST", f"{self.base}/$batch", json={"requests": sent})
        if response.status_code in RETRY_STATUSES:  # the whole batch was refused: nothing in it ran
            return None, retry_after(response.headers.get("Retry-After"))
        if response.status_code != 200:
            raise RequestError(response.status_code, _message(response))
        return {str(a["id"]): a for a in response.json().get("responses", [])}, None

    def _send(self, tenant: str, method: str, url: str, json: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._tokens.token(tenant)}"}
        try:
            response = self._session.request(method, url, json=json, headers=headers, timeout=self._config.timeout)
        except requests.RequestException:
            if self._observe:
                self._observe("unreachable")
            raise
        if self._observe:
            self._observe(str(response.status_code))
        log.debug("graph: %s %s for %s -> %d", method, url.split("?")[0], tenant, response.status_code)
        return response


def _without_done_dependencies(request: dict[str, Any], pending: dict[str, Any]) -> dict[str, Any]:
    deps = [d for d in request.get("dependsOn", []) if d in pending]
    trimmed = {k: v for k, v in request.items() if k != "dependsOn"}
    return {**trimmed, "dependsOn": deps} if deps else trimmed


def _message(response: requests.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
