"""What a supervisor and a scraper ask a running process: /healthz (alive: answers without the database), /readyz
(the database answers and its schema is at the code's migrations head) and /metrics (Prometheus).

HTTP mode serves them on the app's own port (serve.py). Socket Mode and `licensebot worker` have no HTTP server,
so LICENSEBOT_METRICS_PORT starts this module's small listener for them (any mode may use it; it is off unless set).
Answers name the kind of failure, never a URL or a message that could hold one.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine

from bot.deps import Deps
from bot.telemetry.timebox import Timebox, TimedOut
from storage.probes import ping, schema_problem

log = logging.getLogger("licensebot.health")

LIVE_BODY = b'{"ok": true}'


class Probes:
    """One per server: a readiness check still running when the next probe comes is not started twice."""

    def __init__(self, deps: Deps) -> None:
        self.registry = deps.metrics.registry
        timeout = deps.settings.probe_timeout_s
        self._ready = Timebox(lambda: _readiness(deps.engine, timeout), timeout, "readiness")

    def not_ready(self) -> str | None:
        """None when ready; otherwise the reason, in plain words."""
        try:
            return self._ready()
        except TimedOut:
            return "the database did not answer in time"
        except Exception as e:
            return f"the database cannot be reached ({type(e).__name__})"

    def metrics(self) -> bytes:
        return generate_latest(self.registry)


def _readiness(engine: Engine, timeout_s: float) -> str | None:
    ping(engine, timeout_s=timeout_s)
    return schema_problem(engine, timeout_s=timeout_s)


def start_listener(probes: Probes, host: str, port: int) -> ThreadingHTTPServer:
    """Serve the three pages on a daemon thread (it ends with the process); `shutdown()` stops it sooner."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._answer(200, "application/json", LIVE_BODY)
            elif path == "/readyz":
                reason = probes.not_ready()
                self._answer(503 if reason else 200, "text/plain; charset=utf-8", (reason or "ready").encode())
            elif path == "/metrics":
                self._answer(200, CONTENT_TYPE_LATEST, probes.metrics())
            else:
                self._answer(404, "text/plain; charset=utf-8", b"not found")

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a scrape every few seconds is not news

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics-listener", daemon=True).start()
    log.info("serving /metrics, /healthz and /readyz at http://%s:%d", host, server.server_port)
    return server
