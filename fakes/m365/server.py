"""FakeM365: the fake served over HTTPS on 127.0.0.1 (a free port) from a background thread."""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Self

import trustme
import uvicorn

from fakes.m365.admin import AdminMixin
from fakes.m365.app import State, build_app
from fakes.m365.directory import App, Directory
from fakes.m365.faults import Fault, Faults
from fakes.partner_center import PartnerCenter

DEFAULT_CLIENT_ID = "7c1d2f0e-1111-4aaa-8bbb-licensebot001"
DEFAULT_SECRET = "fake-secret-value-not-for-production"


class FakeM365(AdminMixin):
    """A fake Microsoft 365 (login + Graph) for tests. Use as `with FakeM365() as m365: ...`.

    Tenants, users and licenses: see AdminMixin (admin.py). Faults and counters: below."""

    def __init__(
        self, *, token_lifetime: int = 3600, client_id: str = DEFAULT_CLIENT_ID, client_secret: str = DEFAULT_SECRET
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.directory = Directory(token_lifetime)
        self.state = State(self.directory)
        self.reset()
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-m365-")
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        tmp = Path(self._tmp.name)
        ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
        cert.private_key_pem.write_to_path(str(tmp / "server.key"))
        cert.cert_chain_pems[0].write_to_path(str(tmp / "server.pem"))
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(str(tmp / "server.pem"), append=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.state.base_url = f"https://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            build_app(self.state),
            ssl_certfile=str(tmp / "server.pem"),
            ssl_keyfile=str(tmp / "server.key"),
            http="h11",
            ws="none",
            lifespan="off",
            log_level="critical",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Microsoft 365 server did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._tmp.cleanup()

    def reset(self) -> None:
        """Forgets every tenant, token, fault and counter, so one running server can serve many tests."""
        with self.directory.lock:
            self.directory.tenants.clear()
            self.directory.tokens.clear()
            self.directory.token_requests.clear()
            self.directory.token_lifetime = self.token_lifetime
            self.directory.clock = time.monotonic
            self.directory.apps = {self.client_id: App(self.client_id, secrets={self.client_secret})}
            self.state.faults = Faults()
            self.state.partner.reset()
            self.state.partner.provision = self._provision
            self.state.partner.assigned = self._assigned

    def _provision(self, tenant_id: str, sku_id: str, delta: int) -> None:
        """Partner Center's accepted change reaches the tenant: that many more enabled units of the SKU."""
        with self.directory.lock:
            tenant = self.directory.tenants.get(tenant_id)
            if tenant is not None and sku_id in tenant.skus:
                tenant.skus[sku_id].enabled += delta

    def _assigned(self, tenant_id: str, sku_id: str) -> int:
        with self.directory.lock:
            tenant = self.directory.tenants.get(tenant_id)
            return tenant.consumed(sku_id) if tenant is not None else 0

    @property
    def partner(self) -> PartnerCenter:
        """The fake Partner Center on the same server (its URL is `partner_center_url`). Set `partner_tenant_id`
        first: only tokens of that tenant, asked for with Partner Center's scope, are taken."""
        return self.state.partner

    @property
    def partner_center_url(self) -> str:
        return self.state.base_url

    @property
    def graph_url(self) -> str:
        return self.state.base_url

    @property
    def login_url(self) -> str:
        return self.state.base_url

    @property
    def ca_pem_path(self) -> str:
        return str(Path(self._tmp.name) / "ca.pem")

    # -- the registered app ----------------------------------------------------------------------------------
    def register_certificate(self, cert_pem: bytes) -> None:
        """Lets the app authenticate with a client assertion signed by this certificate's key."""
        with self.directory.lock:
            self.directory.apps[self.client_id].certificates.append(cert_pem)

    # -- faults and counters ---------------------------------------------------------------------------------
    def fail_next(
        self,
        count: int,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        method: str | None = None,
        path: str | None = None,
        inner: bool = False,
    ) -> None:
        """The next `count` matching requests (HTTP ones, or inner $batch ones if `inner`) get `status`."""
        pattern = re.compile(path) if path else None
        self.state.faults.add(Fault(status, count, retry_after, method, pattern, inner))

    def fail_after_running(
        self,
        count: int,
        *,
        status: int = 504,
        retry_after: float | None = 0.1,
        method: str | None = "POST",
        path: str | None = "assignLicense",
        inner: bool = True,
    ) -> None:
        """The next `count` matching requests (inner $batch ones, or HTTP ones unless `inner`) run, and then their
        answer is lost: the client gets `status` (504 GatewayTimeout, 503…) although the change was made."""
        pattern = re.compile(path) if path else None
        self.state.faults.add(Fault(status, count, retry_after, method, pattern, inner, runs=True))

    def set_latency(self, seconds: float, *, method: str | None = None, path: str | None = None) -> None:
        """Every request (or only those of `method` whose path matches `path`) is answered `seconds` late."""
        self.state.faults.latency = seconds
        self.state.faults.slow = (method, re.compile(path) if path else None)

    def wait_idle(self, timeout: float = 10) -> None:
        """Returns once no request is being answered (one held by latency included)."""
        deadline = time.monotonic() + timeout
        while self.state.busy:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the fake Microsoft 365 is still answering {self.state.busy} requests")
            time.sleep(0.01)

    def crash_next_batch(self, after: int) -> None:
        """The next $batch runs its first `after` inner requests, then the connection drops with no answer."""
        self.state.faults.crash_next_batch(after)

    @property
    def requests(self) -> Counter[str]:
        """HTTP requests by endpoint ('POST /v1.0/$batch'), plus inner batch requests ('$batch POST …')."""
        return Counter(self.state.faults.counts)

    def graph_requests(self) -> int:
        """HTTP requests that reached Graph (login and inner batch requests not included)."""
        return sum(n for k, n in self.requests.items() if k.split(" ", 1)[1].startswith("/v1.0"))

    def token_requests(self, tenant: str) -> int:
        return self.directory.token_requests[self.tenant(tenant).id]
