"""Graph JSON batching (POST /v1.0/$batch): up to 20 inner requests, run like the direct endpoints.

Graph says the responses "might appear in a different order" than the requests and are matched by id
(https://learn.microsoft.com/graph/json-batching), so the fake always answers in another order: a client that
pairs them up by position fails here rather than in production. The requests still run one after the other in
the order sent, so a test can predict the directory afterwards.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakes.m365 import graph
from fakes.m365.directory import Directory
from fakes.m365.errors import GraphError, error_body
from fakes.m365.faults import Fault, Faults
from fakes.m365.model import Tenant

MAX_REQUESTS = 20
THROTTLE_CODES = {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


def throttled(fault: Fault) -> graph.Reply:
    headers = {"Content-Type": "application/json"}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    code = THROTTLE_CODES.get(fault.status, "ServiceUnavailable")
    return graph.Reply(fault.status, error_body(code, "Too many requests or the service is busy."), headers)


def run(
    directory: Directory, faults: Faults, tenant: Tenant, payload: Any, base: str
) -> tuple[list[dict[str, Any]], bool]:
    """Runs the batch; returns the inner responses and whether to drop the connection instead of answering."""
    requests = _validate(payload)
    crash_after = faults.take_crash()
    statuses: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    for executed, request in enumerate(requests):
        if crash_after is not None and executed >= crash_after:
            return responses, True
        reply = _run_one(directory, faults, tenant, request, statuses, base)
        statuses[request["id"]] = reply.status
        headers = dict(reply.headers)
        if reply.body is not None:
            headers.setdefault("Content-Type", "application/json")
        responses.append({"id": request["id"], "status": reply.status, "headers": headers, "body": reply.body})
    if crash_after is not None:
        return responses, True
    return out_of_order(responses), False


def out_of_order(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same responses in a different order, the same one each time for the same request ids."""
    ids = [str(r["id"]) for r in responses]
    shuffled = list(responses)
    random.Random("\n".join(ids)).shuffle(shuffled)
    if len(shuffled) > 1 and [r["id"] for r in shuffled] == [r["id"] for r in responses]:
        shuffled = shuffled[1:] + shuffled[:1]  # a shuffle may leave the order as it was: never answer in order
    return shuffled


def _run_one(
    directory: Directory,
    faults: Faults,
    tenant: Tenant,
    request: dict[str, Any],
    statuses: dict[str, int],
    base: str,
) -> graph.Reply:
    failed = [d for d in request.get("dependsOn") or [] if statuses[d] >= 400]
    if failed:
        return graph.Reply(424, error_body("FailedDependency", f"Dependent request {failed[0]} failed."))
    method = str(request["method"]).upper()
    url = urlsplit(str(request["url"]))
    faults.count(method, url.path, inner=True)
    fault = faults.take(method, url.path, inner=True)
    if fault is not None:
        return throttled(fault)
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    reply = graph.handle(directory, tenant, method, url.path, query, request.get("body"), base)
    lost = faults.take(method, url.path, inner=True, runs=True)
    return reply if lost is None else throttled(lost)


def _validate(payload: Any) -> list[dict[str, Any]]:
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list) or not requests:
        raise GraphError(400, "BadRequest", "Invalid batch payload format.")
    if len(requests) > MAX_REQUESTS:
        raise GraphError(400, "BadRequest", f"Too many requests in batch. Max allowed: {MAX_REQUESTS}.")
    seen: set[str] = set()
    for r in requests:
        if not isinstance(r, dict) or not all(k in r for k in ("id", "method", "url")):
            raise GraphError(400, "BadRequest", "Invalid batch payload format.")
        if r["id"] in seen:
            raise GraphError(400, "BadRequest", f"Batch request id '{r['id']}' is not unique.")
        for dep in r.get("dependsOn") or []:
            if dep not in seen:
                raise GraphError(400, "BadRequest", f"Request '{r['id']}' depends on unknown request '{dep}'.")
        if "body" in r and "content-type" not in {k.lower() for k in (r.get("headers") or {})}:
            raise GraphError(
                400, "BadRequest", f"Write request id : {r['id']} does not contain Content-Type header or body."
            )
        seen.add(r["id"])
    return requests
