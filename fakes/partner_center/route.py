"""The HTTP side of the fake Partner Center: one Starlette endpoint for every /v1 route, with the token checked the
way Partner Center checks it. The server that mounts it (fakes/m365) hands it its fault gate and its login's
tokens, so Partner Center shares that server's CA, login, faults and counters."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.partner_center import api
from fakes.partner_center.model import PartnerCenter


class _Tenant(Protocol):
    id: str


Gate = Callable[[Request], Awaitable[Response | None]]  # a fault's answer instead of the request's, or None
Lost = Callable[[Request], Response | None]  # the answer that replaces one the request earned (lost after running)
TokenTenant = Callable[[str, str], _Tenant | None]  # (token, audience) -> the tenant it was issued in


def route(pc: PartnerCenter, token_tenant: TokenTenant, gate: Gate, lost: Lost) -> Route:
    """Partner Center's /v1 paths (Graph's are /v1.0): every route of the API, answered by `api.handle`."""
    return Route("/v1/{rest:path}", _endpoint(pc, token_tenant, gate, lost), methods=["GET", "PATCH"])


def _endpoint(pc: PartnerCenter, token_tenant: TokenTenant, gate: Gate, lost: Lost) -> Callable[..., Any]:
    async def partner_request(request: Request) -> Response:
        # The whole request is received before it is slow: a client that dies meanwhile still has it applied.
        payload = _json(await request.body())
        if (refused := await gate(request)) is not None:
            return refused
        header = request.headers.get("authorization", "")
        tenant = token_tenant(header.removeprefix("Bearer "), "partner_center")
        if not header.startswith("Bearer ") or tenant is None:
            return _error(401, "The access token is missing, expired or not for this API.")
        if tenant.id != pc.partner_tenant_id:
            return _error(403, "The tenant is not a partner in Partner Center.")
        request_id = request.headers.get("ms-requestid", "")
        if request.method == "PATCH" and not request_id:
            return _error(400, "The MS-RequestId header is required.")
        status, body = api.handle(pc, request.method, request.url.path, payload, request_id)
        return lost(request) or JSONResponse(body, status_code=status)

    return partner_request


def _error(status: int, description: str) -> Response:
    return JSONResponse(api.error(status, 0, description)[1], status_code=status)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
