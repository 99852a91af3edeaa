"""The Starlette app: login endpoints, Graph v1.0 and $batch, each request counted and open to fault injection."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from fakes.m365 import batch, graph, login
from fakes.m365.directory import Directory
from fakes.m365.errors import GraphError, error_body
from fakes.m365.faults import Fault, Faults
from fakes.m365.model import Tenant


@dataclass
class State:
    directory: Directory
    faults: Faults = field(default_factory=Faults)
    base_url: str = ""  # https://127.0.0.1:<port>, known once the socket is bound
    busy: int = 0  # requests being answered now (a test waits for none before reading the directory)

    @property
    def graph_base(self) -> str:
        return f"{self.base_url}/v1.0"


class DroppedConnection(Response):
    """Starts a response and never finishes it: uvicorn then closes the socket, as a crashed proxy would."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"100000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})


def build_app(state: State) -> ASGIApp:
    async def gate(request: Request) -> Response | None:
        state.faults.count(request.method, request.url.path)
        if delay := state.faults.delay(request.url.path):
            await asyncio.sleep(delay)
        fault = state.faults.take(request.method, request.url.path, inner=False)
        if fault is None:
            return None
        return _fault_response(fault)

    def lost(request: Request) -> Response | None:
        """The answer that replaces one the request earned, when a fault says it was lost after running."""
        fault = state.faults.take(request.method, request.url.path, inner=False, runs=True)
        return None if fault is None else _fault_response(fault)

    async def discovery(request: Request) -> Response:
        if (refused := await gate(request)) is not None:
            return refused
        tenant = state.directory.find_tenant(request.path_params["tenant"])
        if tenant is None:
            text = f"Tenant '{request.path_params['tenant']}' not found."
            return JSONResponse(login.aad_error("invalid_tenant", 90002, text, state.base_url), status_code=400)
        return JSONResponse(login.openid_configuration(state.base_url, tenant.id))

    async def token(request: Request) -> Response:
        if (refused := await gate(request)) is not None:
            return refused
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        status, body = login.issue_token(
            state.directory,
            tenant_name=request.path_params["tenant"],
            form=form,
            login_url=state.base_url,
            graph_url=state.base_url,
        )
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    async def graph_request(request: Request) -> Response:
        if (refused := await gate(request)) is not None:
            return refused
        tenant = _authenticate(state, request)
        if isinstance(tenant, Response):
            return tenant
        payload = await _json(request)
        if request.url.path == "/v1.0/$batch" and request.method == "POST":
            try:
                responses, crash = batch.run(state.directory, state.faults, tenant, payload, state.graph_base)
            except GraphError as e:
                return JSONResponse(e.body(), status_code=e.status)
            if crash:
                return DroppedConnection()
            return lost(request) or JSONResponse({"responses": responses})
        path = request.url.path.removeprefix("/v1.0")
        reply = graph.handle(
            state.directory, tenant, request.method, path, dict(request.query_params), payload, state.graph_base
        )
        if (replaced := lost(request)) is not None:
            return replaced
        if reply.body is None:
            return Response(status_code=reply.status, headers=reply.headers)
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)

    app = Starlette(
        routes=[
            Route("/{tenant}/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
            Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
            Route("/v1.0/{rest:path}", graph_request, methods=["GET", "POST", "PATCH", "DELETE"]),
        ]
    )

    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        state.busy += 1  # one event loop serves every request: no lock needed
        try:
            await app(scope, receive, send)
        finally:
            state.busy -= 1

    return counted


def _fault_response(fault: Fault) -> Response:
    reply = batch.throttled(fault)
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


def _authenticate(state: State, request: Request) -> Tenant | Response:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return JSONResponse(error_body("InvalidAuthenticationToken", "Access token is empty."), status_code=401)
    tenant = state.directory.token_tenant(header.removeprefix("Bearer "))
    if tenant is None:
        body = error_body("InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        return JSONResponse(body, status_code=401)
    return tenant


async def _json(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
